"""A small valid content tree in a temporary folder, for tests to break one file at a time."""

import shutil
import textwrap
from pathlib import Path

import pytest

REAL_CONTENT = Path(__file__).resolve().parents[2] / "content"

# Each module's body sits on the same file lines as before `sources` and `reviewed` were
# required (two blank lines fewer), so the tests' path:line messages stay as they were.
MODULE_ONE = """\
---
title: Bài một
summary: Bài học thử.
competences: ["4.2", "1.1"]
minutes: 10
sources: ["Luật Giao dịch điện tử 2023"]
reviewed: 2026-11-01
---
## Mở đầu
Đây là bài một. Xem tiếp [bài hai](02-bai-hai.md).
"""

MODULE_TWO = """\
---
title: Bài hai
competences: ["4.2"]
minutes: 5
sources: ["https://dichvucong.gov.vn"]
reviewed: 2026-11-01
---
## Nội dung
Đây là bài hai, có [liên kết ngoài](https://example.vn).
"""

CHECK_ONE = """\
pass_mark: 80
draw: 3
questions:
  - id: t-01
    competence: "4.2"
    level: CB1
    type: single
    prompt: Có nên gửi mã OTP cho người lạ không?
    choices:
      - text: Không bao giờ
        correct: true
      - text: Có, nếu họ nói là ngân hàng
      - text: Có, nếu họ hứa trả thưởng
    explanation: Mã OTP chỉ dành cho bạn.
  - id: t-02
    competence: "1.1"
    level: CB2
    type: multiple
    prompt: Những nguồn nào đáng tin hơn?
    choices:
      - text: Trang web của cơ quan nhà nước
        correct: true
      - text: Báo chính thống
        correct: true
      - text: Tin nhắn chuyển tiếp không rõ nguồn
    explanation: Hãy kiểm tra nguồn.
  - id: t-03
    competence: "4.2"
    level: TC1
    type: true_false
    prompt: Nhân viên ngân hàng có thể hỏi mật khẩu của bạn.
    answer: false
    explanation: Ngân hàng không bao giờ hỏi mật khẩu.
"""


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    (root / "courses" / "thu" / "modules").mkdir(parents=True)
    (root / "courses" / "thu" / "checks").mkdir()
    shutil.copy(REAL_CONTENT / "framework.yaml", root / "framework.yaml")
    write(root / "groups.yaml", """\
        - slug: nguoi-dan
          name: Người dân
          name_en: Citizens
          programme: [thu]
        """)
    write(root / "courses/thu/course.yaml", """\
        title: Khóa thử
        summary: Khóa học để kiểm thử.
        groups: [nguoi-dan]
        modules:
          - 01-bai-mot
          - 02-bai-hai
        """)
    (root / "courses/thu/modules/01-bai-mot.md").write_text(MODULE_ONE, encoding="utf-8")
    (root / "courses/thu/modules/02-bai-hai.md").write_text(MODULE_TWO, encoding="utf-8")
    (root / "courses/thu/checks/01-bai-mot.yaml").write_text(CHECK_ONE, encoding="utf-8")
    return root


def write(path: Path, text: str) -> None:
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
