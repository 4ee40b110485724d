"""Error pages in the learner's language; a failed request never leaves a half-written row."""

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from .extensions import db


def init_app(app) -> None:
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

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return page(500, _("Đã có lỗi xảy ra"),
                    _("Hệ thống gặp sự cố. Điều bạn vừa làm chưa được lưu; hãy thử lại sau ít phút."))
