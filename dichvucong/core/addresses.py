"""Vietnamese administrative units (after the 2025 reform: 34 provinces, 3,321 communes) from
the `vietnam-provinces` package: one place that turns codes into names and checks that a ward
belongs to its province, for agencies, accounts and dossiers alike."""

from __future__ import annotations

from functools import cache

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode


@cache
def province_choices() -> tuple[tuple[int, str], ...]:
    return tuple(sorted(((p.code.value, p.name) for p in Province.iter_all()), key=lambda c: c[1]))


@cache
def ward_choices(province_code: int | None = None) -> tuple[tuple[int, str], ...]:
    wards = (w for w in Ward.iter_all() if province_code is None or w.province_code.value == province_code)
    return tuple(sorted(((w.code.value, w.name) for w in wards), key=lambda c: c[1]))


@cache
def grouped_ward_choices() -> tuple[tuple[str, tuple[tuple[int, str], ...]], ...]:
    """Wards grouped by province, for a <select> with one <optgroup> per province."""
    return tuple((name, ward_choices(code)) for code, name in province_choices())


def province_name(code: int | None) -> str:
    if code is None:
        return ""
    try:
        return Province.from_code(ProvinceCode(code)).name
    except ValueError:
        return ""


def ward_name(code: int | None) -> str:
    if code is None:
        return ""
    try:
        return Ward.from_code(WardCode(code)).name
    except ValueError:
        return ""


def ward_in_province(ward_code: int, province_code: int) -> bool:
    try:
        return Ward.from_code(WardCode(ward_code)).province_code.value == province_code
    except ValueError:
        return False


def format_address(street: str, ward_code: int | None, province_code: int | None) -> str:
    return ", ".join(part for part in (street, ward_name(ward_code), province_name(province_code)) if part)
