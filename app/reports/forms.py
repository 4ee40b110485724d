from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from app.forms import choice_id, options


class ImportForm(FlaskForm):
    data = FileField(_l("Tệp CSV"), validators=[FileRequired(_l("Hãy chọn tệp CSV."))])



class UnitChoiceForm(FlaskForm):
    unit_id = SelectField(_l("Đơn vị của bạn"), coerce=choice_id, validate_choice=False)

    def fill_choices(self, units) -> None:
        self.unit_id.choices = options([(0, _l("— Không thuộc đơn vị nào —"))]
                                       + [(u.id, u.name) for u in units])
