"""Percentages, rounded one way everywhere: halves up (3 of 24 is 13 %, 1 of 16 is 6.3 %).

In integers, in Python and in SQL alike: Python's round() and PostgreSQL's ROUND of a float
round halves to even where SQLite's rounds them up, and a float is not the decimal it shows.
"""

from __future__ import annotations


def percent(part: int, whole: int, places: int = 0) -> int | float:
    """`part` of `whole` (> 0) in percent with `places` decimals, halves rounded up: an int
    for whole percentages, else a float."""
    scale = 10**places
    rounded = (200 * scale * part + whole) // (2 * whole)
    return rounded if places == 0 else rounded / scale


def percent_sql(part, whole):
    """SQL for a whole percentage of two integer columns (whole > 0), the same as percent().
    SQLAlchemy's `//` on integers is integer division on every database."""
    return (part * 200 + whole) // (whole * 2)
