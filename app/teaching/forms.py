from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import options

from .models import CLASS_KINDS

KIND_LABELS = {
    "school": _l("Lớp học ở trường"),
    "agency": _l("Đơn vị, cơ quan"),
    "enterprise": _l("Nhóm trong doanh nghiệp, hợp tác xã"),
    "womens_union": _l("Chi hội phụ nữ"),
    "community": _l("Tổ công nghệ số cộng đồng"),
}


class ClassForm(FlaskForm):
    name = StringField(_l("Tên lớp"), validators=[
        DataRequired(_l("Hãy đặt tên lớp.")), Length(max=120, message=_l("Tối đa 120 ký tự."))])
    # Its own id: the class page also has the assignment form's "kind", each label its field.
    kind = SelectField(_l("Loại lớp"), choices=options((k, KIND_LABELS[k]) for k in CLASS_KINDS),
                       validate_choice=False, id="class_kind")


class AddMemberForm(FlaskForm):
    login = StringField(_l("Email hoặc số điện thoại của học viên"), validators=[
        DataRequired(_l("Hãy nhập email hoặc số điện thoại."))])


class RosterForm(FlaskForm):
    roster = FileField(_l("Tệp danh sách (CSV)"), validators=[FileRequired(_l("Hãy chọn tệp CSV."))])


class LocalDateField(DateField):
    """A date field whose parse error speaks the learner's language (WTForms has no Vietnamese)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Ngày không hợp lệ: hãy chọn ngày trên lịch, dạng năm-tháng-ngày.")) from None


class AssignmentForm(FlaskForm):
    kind = SelectField(_l("Giao gì"), choices=options([
        ("course", _l("Cả khóa học")), ("module", _l("Đọc một bài học")),
        ("check", _l("Làm bài kiểm tra của một bài học"))]), validate_choice=False)
    target = SelectField(_l("Khóa học hoặc bài học"), validate_choice=False,
                         validators=[DataRequired(_l("Hãy chọn khóa học hoặc bài học."))])
    due_on = LocalDateField(_l("Hạn hoàn thành (không bắt buộc)"), validators=[Optional()],
                       format="%Y-%m-%d")

    def fill_choices(self, catalog) -> None:
        choices = []
        for course in catalog.courses.values():
            choices.append((course.slug, course.title))
            choices += [(f"{course.slug}/{m.slug}", f"— {m.title}") for m in course.modules]
        self.target.choices = options(choices)


class JoinForm(FlaskForm):
    code = StringField(_l("Mã lớp"), validators=[
        DataRequired(_l("Hãy nhập mã lớp giáo viên đưa cho bạn.")), Length(max=20)])
