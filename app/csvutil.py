"""CSV exports that spreadsheets open safely."""


def safe_cell(value):
    """A spreadsheet must never run a name as a formula (=, +, -, @ at the start)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
