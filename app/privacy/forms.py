from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu hiện tại"), validators=[
        DataRequired(_l("Hãy nhập mật khẩu hiện tại."))])
    confirm = BooleanField(_l("Tôi hiểu: tài khoản bị xoá hẳn, không lấy lại được."), validators=[
        DataRequired(_l("Hãy đánh dấu ô này nếu bạn chắc chắn muốn xoá tài khoản."))])
