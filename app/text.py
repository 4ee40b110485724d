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
