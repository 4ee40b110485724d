from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from app.catalog import get_catalog
from app.forms import choice_id, options
from app.i18n import localized
from app.localities import commune_in_province, communes, provinces

from .services import AccountError, parse_login



def _validate_login(form, field):
    try:
        parse_login(field.data)
    except AccountError as exc:
        raise ValidationError(str(exc.message)) from None


class _PlaceFields:
    """Group, province and commune, shared by sign-up and profile."""

    def fill_choices(self, default_province: int) -> None:
        catalog = get_catalog()
        self.group_slug.choices = options([("", _l("— Chọn nhóm —"))] + [
            (g.slug, localized(g)) for g in catalog.groups.values()
        ])
        self.province_code.choices = options(provinces())
        if not self.province_code.data:
            self.province_code.data = default_province
        self.commune_code.choices = options([(0, _l("— Chọn xã, phường —"))] + list(
            communes(self.province_code.data)
        ))

    def validate_group_slug(self, field):
        if field.data not in get_catalog().groups:
            raise ValidationError(_l("Hãy chọn nhóm của bạn trong danh sách."))

    def validate_province_code(self, field):
        if not communes(field.data):
            raise ValidationError(_l("Hãy chọn tỉnh, thành phố trong danh sách."))

    def validate_commune_code(self, field):
        if not field.data:
            raise ValidationError(_l("Hãy chọn xã, phường nơi bạn sống hoặc làm việc."))
        if not commune_in_province(field.data, self.province_code.data):
            raise ValidationError(
                _l("Xã, phường này không thuộc tỉnh đã chọn. Hãy chọn lại trong danh sách.")
            )


# Under the statement of app/templates/_consent.html, on sign-up and on a first sign-in.
_CONSENT = _l("Tôi đồng ý để Học vụ số giữ và dùng thông tin của tôi như trên.")


class RegisterForm(_PlaceFields, FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[
        DataRequired(_l("Hãy nhập họ và tên.")),
        Length(min=2, max=120, message=_l("Họ và tên dài từ 2 đến 120 ký tự.")),
    ])
    login = StringField(_l("Email hoặc số điện thoại"), validators=[
        DataRequired(_l("Hãy nhập email hoặc số điện thoại.")), _validate_login,
    ])
    password = PasswordField(_l("Mật khẩu"), validators=[
        DataRequired(_l("Hãy đặt mật khẩu.")),
        Length(min=8, max=128, message=_l("Mật khẩu cần ít nhất 8 ký tự.")),
    ])
    confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[
        DataRequired(_l("Hãy nhập lại mật khẩu.")),
        EqualTo("password", message=_l("Hai mật khẩu chưa giống nhau.")),
    ])
    # Choices are checked by the validate_* methods, with messages a person understands.
    group_slug = SelectField(_l("Bạn thuộc nhóm nào?"), validate_choice=False)
    province_code = SelectField(_l("Tỉnh, thành phố"), coerce=choice_id, validate_choice=False)
    commune_code = SelectField(_l("Xã, phường"), coerce=choice_id, validate_choice=False)
    village = StringField(_l("Thôn, bản, tổ dân phố (không bắt buộc)"), validators=[
        Optional(), Length(max=120, message=_l("Tối đa 120 ký tự."))])
    # Unticked until the person ticks it: the Personal Data Protection Law's consent.
    consent = BooleanField(_CONSENT, validators=[
        DataRequired(_l("Hãy đánh dấu ô “Tôi đồng ý” để tạo tài khoản."))])


class ProfileForm(_PlaceFields, FlaskForm):
    full_name = RegisterForm.full_name
    group_slug = RegisterForm.group_slug
    province_code = RegisterForm.province_code
    commune_code = RegisterForm.commune_code
    village = RegisterForm.village


# The words of the sign-in box; the printed login sheets say the same.
LOGIN_LABEL = _l("Email, số điện thoại hoặc tên đăng nhập")


class LoginForm(FlaskForm):
    login = StringField(LOGIN_LABEL, validators=[
        DataRequired(_l("Hãy nhập email, số điện thoại hoặc tên đăng nhập."))])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Hãy nhập mật khẩu."))])
    # Unticked: many people here sign in on a shared or an ambassador's phone.
    remember = BooleanField(_l("Giữ đăng nhập trên điện thoại này (chỉ khi máy là của riêng bạn)"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[
        DataRequired(_l("Hãy nhập mật khẩu hiện tại."))])
    password = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(_l("Hãy đặt mật khẩu mới.")),
        Length(min=8, max=128, message=_l("Mật khẩu cần ít nhất 8 ký tự."))])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        DataRequired(_l("Hãy nhập lại mật khẩu mới.")),
        EqualTo("password", message=_l("Hai mật khẩu chưa giống nhau."))])


class ConsentPasswordForm(PasswordForm):
    """The first sign-in of an account made by a teacher's roster or an ambassador."""

    consent = BooleanField(_CONSENT, validators=[
        DataRequired(_l("Hãy đánh dấu ô “Tôi đồng ý” để tiếp tục."))])


class RoleForm(FlaskForm):
    login = StringField(_l("Email hoặc số điện thoại"), validators=[
        DataRequired(_l("Hãy nhập email hoặc số điện thoại.")), _validate_login])
    role = SelectField(_l("Vai trò"), validate_choice=False)


class ForgotForm(FlaskForm):
    email = StringField(_l("Email của bạn"), validators=[
        DataRequired(_l("Hãy nhập địa chỉ email của bạn.")),
        Length(max=254, message=_l("Tối đa 254 ký tự."))])


class ResetForm(FlaskForm):
    password = PasswordForm.password
    confirm = PasswordForm.confirm


class ConsentResetForm(ResetForm):
    consent = ConsentPasswordForm.consent


class AssistedResetForm(FlaskForm):
    """The confirmation step: nothing changes unless the box is ticked."""

    confirm = BooleanField(_l("Tôi hiểu và muốn đặt lại mật khẩu cho người này."), validators=[
        DataRequired(_l("Hãy đánh dấu ô xác nhận để đặt lại mật khẩu."))])


class FindPersonForm(FlaskForm):
    login = StringField(LOGIN_LABEL, validators=[
        DataRequired(_l("Hãy nhập email, số điện thoại hoặc tên đăng nhập."))])
