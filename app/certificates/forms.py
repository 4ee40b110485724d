from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from .services import REASON_MAX


class RevokeForm(FlaskForm):
    code = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Lý do thu hồi"), validators=[
        DataRequired(_l("Hãy ghi lý do thu hồi.")),
        Length(max=REASON_MAX, message=_l("Lý do dài tối đa %(max)d ký tự.")),
    ])
