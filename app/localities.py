"""Provinces and communes (two-level local government since July 2025), from vietnam-provinces."""

from functools import lru_cache

from vietnam_provinces import Province, Ward

from app.text import collation_key


@lru_cache(maxsize=1)
def provinces() -> tuple[tuple[int, str], ...]:
    return tuple(sorted(((int(p.code), p.name) for p in Province.iter_all()),
                        key=lambda p: _sort_key(p[1])))


@lru_cache(maxsize=64)
def communes(province_code: int) -> tuple[tuple[int, str], ...]:
    try:
        wards = Ward.iter_by_province(province_code)
        return tuple(sorted(((int(w.code), w.name) for w in wards), key=lambda w: _sort_key(w[1])))
    except (ValueError, KeyError):
        return ()


def province_name(code: int) -> str:
    return dict(provinces()).get(code, "")


@lru_cache(maxsize=4096)
def commune_name(code: int) -> str:
    try:
        return Ward.from_code(code).name
    except (ValueError, KeyError):
        return ""


def commune_in_province(commune_code: int, province_code: int) -> bool:
    return any(code == commune_code for code, _ in communes(province_code))


_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ")


def _sort_key(name: str) -> tuple[str, str]:
    # People look for "Quảng Xương", not "Xã …": sort on the name after its type, decomposed
    # so that accented letters sit beside their base letter.
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return collation_key(name)
