"""Vietnamese text helpers."""

import unicodedata


def collation_key(text: str) -> tuple[str, str]:
    """Dictionary order for Vietnamese: base letters first (đ after d), then the marks."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d\uffff"))
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base, decomposed


def name_key(full_name: str) -> tuple:
    """Class lists in Vietnam go by given name (the last word), then the whole name."""
    words = full_name.split()
    return collation_key(words[-1] if words else ""), collation_key(full_name)


# Invisible formatting characters that can make a name render reversed or look like another:
# bidirectional embeddings, overrides and isolates, zero-width spaces and joiners, marks, BOM.
_INVISIBLE = dict.fromkeys(
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
     *range(0x2066, 0x206A), 0x061C, 0xFEFF, 0x00AD], None)


def clean_name(text: str | None) -> str:
    """A name as a person means it: NFC, no invisible formatting or control characters,
    single spaces. Used for every name typed or imported (people, classes, units, villages)."""
    text = unicodedata.normalize("NFC", text or "").translate(_INVISIBLE)
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())


def ascii_fold(text: str) -> str:
    """"Nguyễn Thị Hằng" -> "nguyen thi hang": how people type their name in a password."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
