"""A certificate as an A4 PDF: Vietnamese text in an embedded Be Vietnam Pro, a vector QR code.

Generated on demand from the stored snapshot and cached in the instance folder under a hash
of everything printed (texts in the visitor's language, revocation included), so a revoked
certificate never comes back from the cache looking valid.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING

import fontpkg
from flask import current_app
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from app.i18n import format_day

from . import services
from .models import Certificate

if TYPE_CHECKING:
    from fpdf import FPDF

# Bump when the drawing below changes: cached files of the old layout are then not reused.
LAYOUT_VERSION = 2
FONT = "BeVietnamPro"
INK = (26, 54, 93)
RED = (180, 24, 24)
BOTTOM = 18  # mm below the text: the frame is at 8-10 mm
QR_SIZE = 40  # mm: about 1 mm a module, easy for a phone camera


def cache_dir() -> str:
    return (current_app.config.get("CERTIFICATE_PDF_CACHE_DIR")
            or os.path.join(current_app.instance_path, "certificate_pdfs"))


def certificate_pdf(certificate: Certificate) -> tuple[bytes, str]:
    """(PDF bytes, content hash usable as an ETag), from the cache when it has this version."""
    content = pdf_content(certificate)
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False)
                            .encode()).hexdigest()[:32]
    directory = cache_dir()
    path = os.path.join(directory, f"{certificate.code}-{digest}.pdf")
    try:
        with open(path, "rb") as f:
            return f.read(), digest
    except FileNotFoundError:
        pass
    data = render(content)
    try:
        os.makedirs(directory, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(temporary, "wb") as f:
            f.write(data)
        os.replace(temporary, path)  # readers see the whole file or none
        # Other versions of this certificate (before revocation, another language) go; the
        # code is URL-safe base64, so it holds no glob metacharacter.
        for old in glob.glob(os.path.join(directory, f"{certificate.code}-*.pdf")):
            if old != path and len(old) == len(path):  # this code's, not a longer one's
                _remove_quietly(old)
    except OSError as exc:  # a full or read-only disk costs speed, not the download
        current_app.logger.warning("Certificate PDF not cached: %s", exc)
    return data, digest


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def pdf_content(certificate: Certificate) -> dict:
    """Everything the PDF prints, as plain data: its hash is the cache key."""
    course = certificate.kind == "course"
    url = services.verify_url(certificate.code)
    content = {
        "layout": LAYOUT_VERSION,
        "lang": str(get_locale()),
        "tz": str(get_timezone()),
        "created": certificate.issued_at.astimezone(timezone.utc).isoformat(),
        "issuer": _("Học vụ số — phong trào “Bình dân học vụ số”"),
        "heading": (_("CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC") if course
                    else _("XÁC NHẬN ĐẠT PHỔ CẬP KỸ NĂNG SỐ")),
        "intro": _("Chứng nhận"),
        "holder": certificate.holder_name,
        "achieved": _("đã hoàn thành khóa học") if course else _("đã đạt"),
        "title": certificate.title,
        "issued": _("Ngày cấp: %(d)s", d=format_day(certificate.issued_at)),
        "serial": _("Số hiệu: %(s)s", s=certificate.serial),
        "table_head": [_("Năng lực số"), _("Kết quả"), _("Trình độ")],
        "rows": [[f"{c['code']} {c['name']}", f"{c['correct']}/{c['total']}", c.get("level") or "—"]
                 for c in certificate.competences or []],
        "verify_hint": _("Quét mã QR hoặc vào địa chỉ dưới đây để xác minh:"),
        "url": url,
        "code": _("Mã xác minh: %(c)s", c=certificate.code),
        "wallet_hint": _("Chứng chỉ số để lưu vào ví (Open Badges 3.0):"),
        "wallet_url": services.credential_url(certificate.code),
        "revoked": None,
    }
    if certificate.revoked:
        line = _("Chứng chỉ này đã bị thu hồi ngày %(d)s và không còn giá trị.",
                 d=format_day(certificate.revoked_at))
        if certificate.revoked_reason:
            line += " " + _("Lý do: %(r)s", r=certificate.revoked_reason)
        content["revoked"] = {"stamp": _("ĐÃ THU HỒI / REVOKED"), "line": line}
    return content


@cache
def _pdf_class():
    """fpdf2 with fontTools and Pillow (30 MiB) is imported by the first PDF, not every worker."""
    from fpdf import FPDF

    return type("_CertificatePDF", (_CertificatePages, FPDF), {})


class _CertificatePages:
    """The pages' frame and revocation stamp, mixed into FPDF by _pdf_class()."""

    stamp: str | None = None

    def header(self):
        # A double frame on every page.
        with self.local_context(draw_color=INK, line_width=0.8):
            self.rect(8, 8, self.w - 16, self.h - 16)
        with self.local_context(draw_color=INK, line_width=0.2):
            self.rect(10, 10, self.w - 20, self.h - 20)
        if self.page_no() > 1:  # only page 1 keeps room for the QR code at its foot
            self.set_auto_page_break(True, margin=BOTTOM)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self):
        # A revoked certificate carries a see-through stamp across every page, over the text.
        if not self.stamp:
            return
        with self.local_context(text_color=RED, fill_opacity=0.22):
            self.set_font(FONT, "B", 54)
            # As large as fits along the diagonal, whatever the language's wording.
            self.set_font_size(min(54, 54 * 190 / self.get_string_width(self.stamp)))
            with self.rotation(35, self.w / 2, self.h / 2):
                self.set_xy(0, self.h / 2 - 12)
                self.cell(self.w, 24, self.stamp, align="C")


def render(content: dict) -> bytes:
    # NFC: decomposed accents (typed so on some phones) would be drawn misplaced.
    c = services.nfc(content)
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    pdf = _pdf_class()(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(fontpkg.path("Be Vietnam Pro")))
    pdf.add_font(FONT, "B", str(fontpkg.path("Be Vietnam Pro", weight="bold")))
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.set_title(f"{c['heading']} — {c['holder']}")
    pdf.set_author(c["issuer"])
    pdf.set_subject(c["title"])
    pdf.set_creator("Học vụ số")
    pdf.set_lang(c["lang"].replace("_", "-"))
    pdf.set_creation_date(datetime.fromisoformat(c["created"]))
    pdf.stamp = c["revoked"]["stamp"] if c["revoked"] else None
    pdf.add_page()
    # The QR code and the address sit at the foot of page 1 whatever follows, since a paper
    # copy is often that page alone; the text flows above them (onto page 2 if it must).
    block_top = pdf.h - BOTTOM - QR_SIZE
    _verification_block(pdf, c, block_top)
    pdf.set_auto_page_break(True, margin=pdf.h - block_top + 4)
    pdf.set_xy(pdf.l_margin, pdf.t_margin)

    def line(text, size, style="", color=INK, gap=1.5, align="C"):
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, pdf.font_size * gap, text, align=align,
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(c["issuer"], 10)
    pdf.ln(4)
    if c["revoked"]:
        with pdf.local_context(fill_color=(253, 236, 236), draw_color=RED, text_color=RED):
            pdf.set_font(FONT, "B", 12)
            pdf.multi_cell(0, 7, c["revoked"]["stamp"], border="LTR", align="C", fill=True,
                           new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font(FONT, "", 9.5)
            pdf.multi_cell(0, 5.5, c["revoked"]["line"], border="LBR", align="C", fill=True,
                           padding=(0, 3, 2, 3), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    line(c["heading"], 19, "B", gap=1.4)
    pdf.ln(3)
    line(c["intro"], 11, color=(60, 60, 60))
    line(c["holder"], 24, "B", gap=1.35)
    line(c["achieved"], 11, color=(60, 60, 60))
    line(c["title"], 15, "B", gap=1.4)
    pdf.ln(2)
    line(f"{c['issued']}  ·  {c['serial']}", 10, color=(40, 40, 40))
    pdf.ln(5)

    if c["rows"]:
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(20, 20, 20)
        pdf.set_draw_color(190, 198, 210)
        pdf.set_line_width(0.2)
        with pdf.table(col_widths=(0.72, 0.14, 0.14), text_align=("LEFT", "CENTER", "CENTER"),
                       line_height=pdf.font_size * 1.45, borders_layout="HORIZONTAL_LINES",
                       padding=(0.6, 1.5),
                       headings_style=FontFace(emphasis="BOLD", color=INK,
                                               fill_color=(232, 238, 246))) as table:
            for cells in [c["table_head"], *c["rows"]]:
                row = table.row()
                for text in cells:
                    row.cell(text)
        pdf.ln(5)

    return bytes(pdf.output())


def _verification_block(pdf: FPDF, c: dict, top: float) -> None:
    from fpdf.enums import XPos, YPos

    draw_qr(pdf, c["url"], pdf.l_margin, top, QR_SIZE)
    text_x = pdf.l_margin + QR_SIZE + 6
    width = pdf.w - pdf.r_margin - text_x
    pdf.set_xy(text_x, top + 1)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(40, 40, 40)
    pdf.multi_cell(width, 5.5, c["verify_hint"], align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(*INK)
    pdf.multi_cell(width, 5.5, c["url"], align="L", link=c["url"], wrapmode="CHAR",
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(40, 40, 40)
    pdf.multi_cell(width, 5, c["code"], align="L", wrapmode="CHAR",
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    # The JSON-LD credential, as a link: a wallet takes the file it points at.
    pdf.set_xy(text_x, pdf.get_y() + 1)
    pdf.multi_cell(width, 4.5, c["wallet_hint"], align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*INK)
    pdf.multi_cell(width, 4.5, c["wallet_url"], align="L", link=c["wallet_url"],
                   wrapmode="CHAR", new_x=XPos.LEFT, new_y=YPos.NEXT)


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles (sharp at any print resolution), runs merged per row."""
    matrix = [list(row) for row in services.qr(url).matrix_iter(scale=1, border=0)]
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # A hair taller than a module, so anti-aliased renderers leave no seams between rows.
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module + 0.02,
                     style="F")


def certificates_zip(certificates: list[Certificate],
                     on_progress: Callable[[int, int], None] | None = None) -> bytes:
    """One ZIP of the certificates' PDFs (a teacher's class), named like
    HVS-2026-0000042_nguyen-thi-hang.pdf: ASCII, no path parts, unique. Needs an app context
    (and a request's locale, if any, for the PDFs' language). `on_progress(done, total)`: after
    each PDF."""
    out = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, certificate in enumerate(certificates, 1):
            stem = f"{certificate.serial}_{ascii_slug(certificate.holder_name)}"
            name, n = stem, 2
            while name.lower() in used:  # the same certificate twice, or a case-only clash
                name, n = f"{stem}-{n}", n + 1
            used.add(name.lower())
            data, _digest = certificate_pdf(certificate)
            issued = certificate.issued_at.astimezone(timezone.utc)
            info = zipfile.ZipInfo(f"{name}.pdf", date_time=issued.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
            if on_progress:
                on_progress(done, len(certificates))
    return out.getvalue()


def ascii_slug(text: str, limit: int = 60) -> str:
    """"Nguyễn Thị Hằng" -> "nguyen-thi-hang": safe in any file system and any unzip tool."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-")
    return slug or "chung-chi"
