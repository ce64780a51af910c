"""Official names of units on documents, in administrative capitalisation, and the unit
that issues a document on a given day.

- `official_name`: "tỉnh Bắc Kạn", "xã Côn Minh", "thành phố Hà Nội" — the unit type in lower
  case inside a sentence (the data's `full_name` capitalises it: "Tỉnh Bắc Kạn").
- `committee`: "Ủy ban nhân dân tỉnh Bắc Kạn"; `committee_upper`: "UBND TỈNH BẮC KẠN" (the
  letterhead form).
- `unit_on(unit, day)`: a legacy unit named on a document dated on or after 1/7/2025 is
  replaced by the unit that exists that day, through the official conversion table: a commune
  by its successor (the lowest code where it was split, the rule coverage uses too), an
  abolished district or a merged province by the 2025 province that took most of its communes.
"""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone

from .models import AdminUnit, UnitMapping

REFORM_DATE = datetime.date(2025, 7, 1)


def official_name(unit: AdminUnit) -> str:
    kind = (unit.division_type or "").strip().lower()
    return f"{kind} {unit.name}" if kind else unit.name


def committee(unit: AdminUnit) -> str:
    return f"Ủy ban nhân dân {official_name(unit)}"


def committee_upper(unit: AdminUnit) -> str:
    return f"UBND {official_name(unit).upper()}"


def _day(when) -> datetime.date | None:
    if when is None:
        return None
    if isinstance(when, datetime.datetime):
        return timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
    return when


def unit_on(unit: AdminUnit | None, when) -> AdminUnit | None:
    """The unit as it exists on `when` (a date or datetime; None: as recorded)."""
    day = _day(when)
    if unit is None or day is None or day < REFORM_DATE or unit.scheme != AdminUnit.Scheme.LEGACY:
        return unit
    if unit.level == AdminUnit.Level.VILLAGE:
        unit = unit.parent
    if unit.level == AdminUnit.Level.COMMUNE:
        pair = (UnitMapping.objects.filter(legacy_unit=unit).select_related("new_unit")
                .order_by("new_unit__code").first())
        return pair.new_unit if pair else unit
    row = (UnitMapping.objects.filter(legacy_unit__path__startswith=unit.path)
           .values("new_unit__parent_id").order_by().annotate(n=Count("pk"))
           .order_by("-n", "new_unit__parent_id").first())
    return AdminUnit.objects.get(pk=row["new_unit__parent_id"]) if row else unit
