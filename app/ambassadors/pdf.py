"""The login sheet as an A4 PDF, in large type for someone with poor eyesight: name, login,
one-time password, the site's address and a QR code to the sign-in page.

Drawn from the Sheet in hand (the password exists in clear only there), never cached: the
file holds a password.
"""

from __future__ import annotations

from datetime import datetime, timezone

import fontpkg
from flask_babel import gettext as _

from app.auth.forms import LOGIN_LABEL
from app.certificates.pdf import draw_qr
from app.certificates.services import nfc

FONT = "BeVietnamPro"
INK = (0, 0, 0)  # black on white: the strongest contrast a printer gives
QR_SIZE = 62  # mm: large enough for an old phone's camera at arm's length


def sheet_content(full_name: str, login: str, password: str, login_url: str,
                  ambassador_name: str) -> dict:
    return nfc({
        "title": _("Phiếu đăng nhập Học vụ số"),
        "name_label": _("Họ và tên:"),
        "name": full_name,
        "login_label": f"{LOGIN_LABEL}:",  # the sign-in page's own words
        "login": login,
        "password_label": _("Mật khẩu dùng một lần:"),
        "password": password,
        "url_label": _("Đăng nhập tại:"),
        "url": login_url,
        "qr_hint": _("Hoặc quét mã QR này bằng điện thoại để mở trang đăng nhập."),
        "first_time": _("Lần đầu đăng nhập, bạn sẽ được yêu cầu đặt mật khẩu mới của riêng mình."),
        "ambassador": _("Đại sứ số: %(name)s", name=ambassador_name),
    })


def render(content: dict) -> bytes:
    c = content
    from fpdf import FPDF  # fpdf2 and what it imports (30 MiB) only where a sheet is printed
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(fontpkg.path("Be Vietnam Pro")))
    pdf.add_font(FONT, "B", str(fontpkg.path("Be Vietnam Pro", weight="bold")))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=14)
    pdf.set_title(f"{c['title']} — {c['name']}")
    pdf.set_creator("Học vụ số")
    pdf.set_creation_date(datetime.now(timezone.utc))
    pdf.add_page()
    pdf.set_text_color(*INK)

    def line(text, size, style="", gap=1.35, **extra):
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(0, pdf.font_size * gap, text, align="L", new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT, **extra)

    line(c["title"], 24, "B")
    pdf.ln(4)
    for label, value, size, spacing in ((c["name_label"], c["name"], 28, 0),
                                        (c["login_label"], c["login"], 28, 1.5),
                                        (c["password_label"], c["password"], 34, 1.5)):
        line(label, 16)
        # Bold and boxed; the login and password with letters a little apart, so that each
        # character can be read and typed alone.
        pdf.set_char_spacing(spacing)
        line(value, size, "B", border=1, padding=(2, 3), wrapmode="CHAR")
        pdf.set_char_spacing(0)
        pdf.ln(5)
    line(c["url_label"], 16)
    line(c["url"], 20, "B", link=c["url"], wrapmode="CHAR")
    pdf.ln(4)
    top = pdf.get_y()
    if top + QR_SIZE > pdf.h - 30:  # a very long name pushed it down: the QR code on its own page
        pdf.add_page()
        top = pdf.get_y()
    draw_qr(pdf, c["url"], pdf.l_margin, top, QR_SIZE)
    pdf.set_xy(pdf.l_margin + QR_SIZE + 6, top + 4)
    pdf.set_font(FONT, "", 15)
    pdf.multi_cell(pdf.w - pdf.r_margin - pdf.get_x(), pdf.font_size * 1.4, c["qr_hint"],
                   align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE) + 5)
    line(c["first_time"], 15)
    pdf.ln(2)
    line(c["ambassador"], 13)
    return bytes(pdf.output())
