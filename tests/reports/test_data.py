"""The plan's targets as content, and the units and denominators admins import from CSV."""

import io
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from app import create_app
from app.catalog import ContentError
from app.catalog.cli import content_cli
from app.catalog.readers.collector import Collector
from app.catalog.readers.targets import read_targets
from app.catalog.types import GroupTarget
from app.extensions import db
from app.localities import communes
from app.reports.models import CommuneDenominator, Unit, UnitDenominator

from ..conftest import csrf_token

REAL_CONTENT = Path(__file__).resolve().parents[2] / "content"
GROUPS = ("can-bo", "hoc-sinh", "nguoi-dan", "doanh-nghiep")


def test_the_targets_are_the_plans():
    collector = Collector(REAL_CONTENT)
    targets = read_targets(collector, GROUPS)
    assert collector.problems == []
    assert targets.years[2025] == {
        "can-bo": GroupTarget(90, None, targets.years[2025]["can-bo"].note, targets.years[2025]["can-bo"].note_en),
        "hoc-sinh": GroupTarget(100, None, targets.years[2025]["hoc-sinh"].note, targets.years[2025]["hoc-sinh"].note_en),
        "nguoi-dan": GroupTarget(85, 60, targets.years[2025]["nguoi-dan"].note, targets.years[2025]["nguoi-dan"].note_en),
        "doanh-nghiep": GroupTarget(80, None, targets.years[2025]["doanh-nghiep"].note, targets.years[2025]["doanh-nghiep"].note_en)}
    assert {g: (t.trained, t.confirmed) for g, t in targets.years[2026].items()} == {
        "can-bo": (100, None), "hoc-sinh": (100, None), "nguoi-dan": (100, 80), "doanh-nghiep": (100, None)}
    assert "trung học" in targets.years[2025]["hoc-sinh"].note
    assert "tiểu học" in targets.years[2026]["hoc-sinh"].note
    assert targets.default_year(2026) == 2026 and targets.default_year(2031) == 2026


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, root)
    return root


BAD_TARGETS = """\
2025:
  nguoi-dan: {trained: 85, confirmed: 160}
  nong-dan: {trained: 50}
  can-bo: {trained: 90, reached: 10}
  hoc-sinh: {trained: 100}
  hoc-sinh: {trained: 90}
hai-nghin: {}
"""


def test_content_check_reports_each_targets_problem_by_line(content):
    (content / "targets.yaml").write_text(BAD_TARGETS, encoding="utf-8")
    result = CliRunner().invoke(content_cli, ["check", "--dir", str(content)])
    assert result.exit_code == 1
    out = result.output
    assert "5 lỗi nội dung:" in out
    assert "content/targets.yaml:2: 'confirmed' phải là phần trăm từ 0 đến 100" in out
    assert "content/targets.yaml:3: nhóm đối tượng không tồn tại: 'nong-dan'" in out
    assert "content/targets.yaml:4: chỉ tiêu không hợp lệ: 'reached'" in out
    assert "content/targets.yaml:6: nhóm 'hoc-sinh' bị lặp lại trong năm 2025" in out
    assert "content/targets.yaml:7: 'hai-nghin' không phải là năm" in out


def test_app_refuses_to_start_on_invalid_targets(content, tmp_path):
    (content / "targets.yaml").write_text("2026:\n  nguoi-dan: {trained: nhieu}\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"targets.yaml:2: 'trained' phải là phần trăm"):
        create_app({"TESTING": True, "CONTENT_DIR": str(content),
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})


def test_unreadable_targets_yaml_points_at_its_line(content):
    (content / "targets.yaml").write_text("2026:\n  nguoi-dan: [trained\n", encoding="utf-8")
    result = CliRunner().invoke(content_cli, ["check", "--dir", str(content)])
    assert result.exit_code == 1 and "content/targets.yaml:3: YAML không hợp lệ" in result.output


# -- imports -----------------------------------------------------------------------------

@pytest.fixture
def admin(make_user, auth):
    make_user(role="admin", login="qt@example.vn")
    auth.login("qt@example.vn")


def _upload(client, what: str, text: str):
    token = csrf_token(client, "/reports/data")
    return client.post(f"/reports/data/{what}", data={
        "csrf_token": token, f"{what}-csrf_token": token,
        f"{what}-data": (io.BytesIO(text.encode("utf-8-sig")), "tep.csv")},
        content_type="multipart/form-data")


def test_units_import_reports_bad_rows_by_line_and_imports_nothing(app, client, admin):
    (a, a_name), (b, _b_name) = communes(38)[:2]
    bad = (f"xã,loại,tên\n"
           f"{a},school,Trường Tiểu học Một\n"
           f"99999,school,Trường Lạc\n"
           f"{b},nha-may,Nhà máy Hai\n"
           f"{a},Trường học,trường tiểu học  một\n"
           f"{a},school\n")
    response = _upload(client, "units", bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Chưa nhập: tệp có 4 dòng cần sửa." in page
    assert "Dòng 3: Không có xã, phường &#39;99999&#39; trong tỉnh." in page
    assert "Dòng 4: Loại đơn vị không hợp lệ: &#39;nha-may&#39;" in page
    assert "Dòng 5: Trùng với dòng 2." in page and "Dòng 6: Cần đúng 3 cột" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 0

    good = (f"{a},school,Trường Tiểu học Một\n"
            f"{a_name},Tổ công nghệ số cộng đồng,Tổ CNS thôn Đông\n"
            f"{b},womens_union,Chi hội Phụ nữ Hai\n")
    assert _upload(client, "units", good).status_code == 302
    again = _upload(client, "units", f"{a},agency,Trường Tiểu học Một\n")  # same unit: new kind
    assert again.status_code == 302
    with app.app_context():
        units = {u.name: (u.commune_code, u.kind) for u in db.session.scalars(sa.select(Unit))}
    assert units == {"Trường Tiểu học Một": (a, "agency"), "Tổ CNS thôn Đông": (a, "community_team"),
                     "Chi hội Phụ nữ Hai": (b, "womens_union")}


def test_denominators_import_all_or_nothing_then_replaces(app, client, admin):
    a, b = communes(38)[0][0], communes(38)[1][0]
    with app.app_context():
        db.session.add(Unit(province_code=38, commune_code=a, kind="school", name="Trường Một"))
        db.session.commit()
    bad = (f"{a},,nguoi-dan,12.500\n"
           f"{a},Trường Không Có,hoc-sinh,300\n"
           f"{b},,nong-dan,10\n"
           f"{b},,nguoi-dan,mười\n"
           f"{a},,Người dân,100\n")
    response = _upload(client, "denominators", bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Chưa nhập: tệp có 4 dòng cần sửa." in page
    assert "Dòng 2: Xã này chưa có đơn vị" in page and "Dòng 3: Nhóm không hợp lệ" in page
    assert "Dòng 4: Số người phải là số nguyên" in page and "Dòng 5: Trùng với dòng 1." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CommuneDenominator.id))) == 0

    good = f"{a};;nguoi-dan;12.500\n{a};trường một;Học sinh, sinh viên;640\n{b};;can-bo;75\n"  # Excel's ;
    assert _upload(client, "denominators", good).status_code == 302
    assert _upload(client, "denominators", f"{a},,nguoi-dan,13000\n").status_code == 302
    with app.app_context():
        people = {(d.commune_code, d.group_slug): d.people
                  for d in db.session.scalars(sa.select(CommuneDenominator))}
        assert people == {(a, "nguoi-dan"): 13000, (b, "can-bo"): 75}
        unit = db.session.scalar(sa.select(UnitDenominator))
        assert (unit.group_slug, unit.people) == ("hoc-sinh", 640)
    page = client.get("/reports/data").get_data(as_text=True)
    assert "2 mẫu số của xã, phường và 1 mẫu số của đơn vị" in page


def test_a_file_that_is_not_utf8_gets_a_clear_message(client, admin):
    token = csrf_token(client, "/reports/data")
    response = client.post("/reports/data/units", data={
        "csrf_token": token, "units-csrf_token": token,
        "units-data": (io.BytesIO("Trường học".encode("cp1258", errors="replace")), "x.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "UTF-8" in response.get_data(as_text=True)


def test_a_header_row_in_the_units_csv_is_skipped(app, client, admin):
    (a, a_name), (b, _b_name) = communes(38)[:2]
    # The header as the help text names the columns, in Excel's semicolon CSV.
    text = (f"Xã, phường (mã hoặc tên);Loại đơn vị;Tên đơn vị\n"
            f"{a};school;Trường Tiểu học Một\n{a_name};Trường học;Trường Mầm non Hai\n")
    assert _upload(client, "units", text).status_code == 302
    text = f"Mã xã,Loại,Tên\n{b},agency,UBND xã\n"
    assert _upload(client, "units", text).status_code == 302
    with app.app_context():
        units = {u.name: u.commune_code for u in db.session.scalars(sa.select(Unit))}
    assert units == {"Trường Tiểu học Một": a, "Trường Mầm non Hai": a, "UBND xã": b}


def test_a_bad_first_row_that_is_data_is_still_reported(client, admin):
    """Only a row named like the columns is a header: a wrong commune on line 1 is an error."""
    a = communes(38)[0][0]
    response = _upload(client, "units", f"Xã Không Có,school,Trường Lạc\n{a},school,Trường Một\n")
    assert response.status_code == 400
    assert "Dòng 1: Không có xã, phường &#39;Xã Không Có&#39; trong tỉnh." in \
        response.get_data(as_text=True)


def test_a_header_row_in_the_denominators_csv_is_skipped(app, client, admin):
    a = communes(38)[0][0]
    text = f"Xã, phường;Đơn vị;Nhóm;Số người\n{a};;nguoi-dan;12.500\n"
    assert _upload(client, "denominators", text).status_code == 302
    text = f"Mã xã (mã hoặc tên),đơn vị,nhóm,số người\n{a},,can-bo,75\n"
    assert _upload(client, "denominators", text).status_code == 302
    with app.app_context():
        people = {(d.commune_code, d.group_slug): d.people
                  for d in db.session.scalars(sa.select(CommuneDenominator))}
    assert people == {(a, "nguoi-dan"): 12500, (a, "can-bo"): 75}


def test_the_examples_on_the_page_import_as_shown(app, client, admin):
    """The page's own example lines, copied into a file, import without a single problem."""
    import html
    import re

    page = client.get("/reports/data").get_data(as_text=True)
    units, *denominators = [html.unescape(x) for x in re.findall(r'<code class="example">([^<]+)</code>', page)]
    assert len(denominators) == 2
    assert _upload(client, "units", units + "\n").status_code == 302
    assert _upload(client, "denominators", "\n".join(denominators) + "\n").status_code == 302
    code = int(units.split(",")[0])
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.commune_code == code))
        assert (unit.kind, unit.name) == ("school", "Trường THCS số 1")
        assert db.session.scalar(sa.select(CommuneDenominator.people).where(
            CommuneDenominator.commune_code == code, CommuneDenominator.group_slug == "nguoi-dan")) == 12500
        assert db.session.scalar(sa.select(UnitDenominator.people).where(
            UnitDenominator.unit_id == unit.id)) == 640
