"""Shared form helpers."""

from wtforms import SelectChoice


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select options (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]
