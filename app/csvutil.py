"""CSV in and out: uploads read defensively, exports that spreadsheets open safely."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable

from flask_babel import lazy_gettext as _l

Records = list[tuple[int, list[str]]]  # (record number, stripped cells)
Problems = list[tuple[int, str]]  # (record number, message); 0: the whole file


def fold(text: str) -> str:
    """A cell as a person means it: case and runs of spaces ignored, Vietnamese letters in
    one spelling (NFC: some phones and spreadsheets type the accents apart)."""
    return unicodedata.normalize("NFC", " ".join(text.split()).casefold())


def group_matcher(groups: Iterable) -> Callable[[str], str | None]:
    """For a cell naming a group by slug or name ("nguoi-dan", "Người  dân"), the group's
    slug, or None; `groups` are the catalog's (each with .slug and .name)."""
    groups = list(groups)
    known = {fold(g.name): g.slug for g in groups}
    known.update({fold(g.slug): g.slug for g in groups})  # a slug always means its own group
    return lambda value: known.get(fold(value))


def read_records(data: bytes, *, max_bytes: int, max_rows: int, header_words: set[str],
                 is_header: Callable[[list[str]], bool] | None = None) -> tuple[Records, Problems]:
    """Non-empty records of an uploaded CSV (UTF-8, with or without BOM; comma, semicolon or
    tab), skipping a first header record whose first cell is one of `header_words` (or that
    `is_header` recognises)."""
    if len(data) > max_bytes:
        return [], [(0, str(_l("Tệp quá lớn (tối đa %(kb)s KB).", kb=max_bytes // 1024)))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00"
    # NUL bytes: UTF-16 (Excel's "Unicode text"), which can decode as UTF-8 when it has no BOM.
    if "\x00" in text:
        return [], [(0, str(_l("Tệp phải là CSV lưu bằng mã UTF-8 (Excel: Lưu thành → CSV UTF-8).")))]
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    records: Records = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, record in enumerate(reader, start=1):
            cells = [c.strip() for c in record]
            if not any(cells):
                continue
            if not records and number == 1 and (fold(cells[0]) in header_words
                                                 or (is_header is not None and is_header(cells))):
                continue
            records.append((number, cells))
    except csv.Error as exc:  # e.g. a stray carriage return inside a field
        return [], [(reader.line_num, str(_l("Tệp CSV không đọc được (%(why)s).", why=str(exc)[:80])))]
    if len(records) > max_rows:
        return [], [(0, str(_l("Quá nhiều dòng (tối đa %(n)s).", n=max_rows)))]
    if not records:
        return [], [(0, str(_l("Tệp không có dòng nào.")))]
    return records, []


def safe_cell(value):
    """A spreadsheet must never run a name as a formula (=, +, -, @ at the start)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
