"""Shared form helpers."""

from wtforms import SelectChoice

DATABASE_INT_MAX = 2**31 - 1  # PostgreSQL's integer: a larger number is "out of range" there


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select options (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def bounded_int(value) -> int:
    """A whole number that fits the database's integer columns; ValueError otherwise (for
    `request.args.get(..., type=bounded_int)`, which then falls back to the default)."""
    number = int(value)
    if not -DATABASE_INT_MAX <= number <= DATABASE_INT_MAX:
        raise ValueError("out of the database's integer range")
    return number


def choice_id(value) -> int:
    """Coerce a posted select value (an id or a code). Garbage is 0 (nothing chosen), which
    the form's checks then refuse; a number past the database's range (a 400-digit unit_id)
    is -1, which no row has: the form's message and a 400, not a database error."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if abs(number) <= DATABASE_INT_MAX else -1
