from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import choice_id, options
from app.i18n import localized
from app.localities import communes



class RegisterCitizenForm(FlaskForm):
    full_name = StringField(_l("Họ và tên người dân"), validators=[
        DataRequired(_l("Hãy nhập họ và tên.")),
        Length(min=2, max=120, message=_l("Họ và tên dài từ 2 đến 120 ký tự."))])
    phone = TelField(_l("Số điện thoại di động (không bắt buộc)"), validators=[
        Optional(), Length(max=20, message=_l("Tối đa 20 ký tự."))])
    # Choices are checked by the service, with messages a person understands.
    group_slug = SelectField(_l("Nhóm"), validate_choice=False)
    commune_code = SelectField(_l("Xã, phường"), coerce=choice_id, validate_choice=False)
    village = StringField(_l("Thôn, bản, tổ dân phố (không bắt buộc)"), validators=[
        Optional(), Length(max=120, message=_l("Tối đa 120 ký tự."))])
    unit_id = SelectField(_l("Đơn vị (không bắt buộc)"), coerce=choice_id, validate_choice=False)

    def fill_choices(self, catalog, province_code: int, units) -> None:
        self.group_slug.choices = options((g.slug, localized(g)) for g in catalog.groups.values())
        self.commune_code.choices = options([(0, _l("— Chọn xã, phường —"))]
                                            + list(communes(province_code)))
        self.unit_id.choices = options([(0, _l("— Không thuộc đơn vị nào —"))]
                                       + [(u.id, u.name) for u in units])


class SessionForm(FlaskForm):
    login = StringField(_l("Số điện thoại hoặc tên đăng nhập của người học"), validators=[
        DataRequired(_l("Hãy nhập số điện thoại hoặc tên đăng nhập."))])
    password = PasswordField(_l("Mật khẩu của người học (người học tự nhập)"),
                             validators=[Optional()])
