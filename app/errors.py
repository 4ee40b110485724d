"""Error pages in the learner's language; a failed request never leaves a half-written row."""

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from .extensions import db, login_manager

RETRY_AFTER = "30"  # seconds: a database restart or failover, as seen in practice


def log_unavailable(error: Exception) -> None:
    """One line per request that failed for want of the database: no traceback, no cascade."""
    current_app.logger.warning("database unavailable: %s %s: %s", request.method, request.path,
                               error.__class__.__name__)


def unavailable_page():
    """The Vietnamese 503 page, with Retry-After, for any request while the database is away."""
    response = render_template(
        "unavailable.html", title=_("Hệ thống đang bận"),
        message=_("Chúng tôi đang khắc phục sự cố. Điều bạn vừa làm chưa được lưu; "
                  "hãy thử lại sau ít phút."))
    return response, 503, {"Retry-After": RETRY_AFTER}


def init_app(app) -> None:
    # Runs before Flask-SQLAlchemy's own teardown (registered earlier, run later): a page
    # that was served just as the database went away must not turn into a 500 at its end.
    @app.teardown_appcontext
    def close_session(_error):
        try:
            db.session.remove()
        except DBAPIError as error:
            app.logger.warning("database unavailable at the end of a request: %s",
                               error.__class__.__name__)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("error.html", code=400, title=_("Phiên làm việc đã hết hạn"),
                               message=_("Trang đã mở quá lâu hoặc bị gửi lại. Hãy quay lại, "
                                         "tải lại trang và thử lần nữa; điều bạn đã nhập chưa được lưu.")), 400

    def page(code: int, title: str, message: str):
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(400)
    def bad_request(error):
        return page(400, _("Yêu cầu không hợp lệ"), _("Dữ liệu gửi lên không đúng. Hãy thử lại."))

    @app.errorhandler(403)
    def forbidden(error):
        return page(403, _("Bạn không có quyền xem trang này"),
                    _("Trang này dành cho người dùng khác."))

    @app.errorhandler(404)
    def not_found(error):
        return page(404, _("Không tìm thấy trang"),
                    _("Địa chỉ này không có trên Học vụ số. Hãy kiểm tra lại đường dẫn."))

    @app.errorhandler(405)
    def method_not_allowed(error):
        return page(405, _("Không thực hiện được"), _("Thao tác này không dùng được ở địa chỉ này."))

    @app.errorhandler(413)
    def too_large(error):
        # Past MAX_CONTENT_LENGTH (nginx refuses the same size before it reaches the app).
        return page(413, _("Tệp gửi lên quá lớn"),
                    _("Tệp hoặc dữ liệu gửi lên vượt quá %(mb)d MB. Hãy chọn tệp nhỏ hơn.",
                      mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)))

    @app.errorhandler(429)
    def too_many(error):
        response = render_template(
            "error.html", code=429, title=_("Bạn đã thử quá nhiều lần"),
            message=_("Để bảo vệ tài khoản, hãy đợi vài phút rồi thử lại. "
                      "Nếu quên mật khẩu, hãy nhờ giáo viên hoặc đại sứ số giúp."))
        return response, 429, {"Retry-After": str(getattr(error, "retry_after", 60) or 60)}

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # The database went away (restart, failover, network): say so kindly. The dead
        # connection is invalidated on use and the next request opens a new one.
        try:
            db.session.rollback()
        except DBAPIError:
            pass  # the connection is gone anyway; the pool replaces it
        # The page must not ask the dead database who is signed in (the user loader would
        # raise again inside this handler: a bare 500 and a traceback per request).
        login_manager._update_request_context_with_user()
        log_unavailable(error)
        return unavailable_page()

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return page(500, _("Đã có lỗi xảy ra"),
                    _("Hệ thống gặp sự cố. Điều bạn vừa làm chưa được lưu; hãy thử lại sau ít phút."))
