"""A legacy programme seen under the 2025 units, through the official conversion table
(`areas.UnitMapping`).

Rule for a split commune (stated on every page and report that uses it): an old commune
that went to several new communes counts **whole** under the one of them with the lowest
official code; the others are named as having received part of its territory but get
none of its figures. Figures are counts of people and phones, so they are never divided,
and the province total under the new units equals the legacy total of the mapped
communes. Old communes without a successor in the table are listed apart.

Reads only: summary rows of the legacy programme, summed in Python per new commune (a
province has a few hundred communes at most), in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum
from django.utils.translation import gettext as _

from phocap.accounts.scoping import can_access_unit
from phocap.areas.conversion import Conversion, province_conversion, province_successors
from phocap.areas.models import AdminUnit
from phocap.programmes.models import Programme

from .models import FIGURES, CoverageMonth, CoverageSummary, coverage_ratio, outcome_rates


def split_rule() -> str:
    return _("Xã cũ được chia cho nhiều xã mới: toàn bộ số liệu của xã cũ được tính cho xã mới có mã nhỏ nhất "
             "trong bảng chuyển đổi chính thức; các xã mới khác nhận một phần địa bàn của xã cũ được ghi chú "
             "nhưng không nhận số liệu, để không tính trùng.")


def conversion(programme: Programme) -> Conversion:
    return province_conversion(programme.province)


def new_provinces(programme: Programme) -> list[AdminUnit]:
    return province_successors(programme.province)


def is_cross_scheme(programme: Programme, scheme: str) -> bool:
    return programme.scheme == AdminUnit.Scheme.LEGACY and scheme == AdminUnit.Scheme.NEW


def visible_programme(user, programme_id: int) -> Programme | None:
    """The programme if the user works in its province, or (a legacy programme) in a 2025
    province that took over some of its communes."""
    programme = Programme.objects.for_user(user).select_related("province").filter(pk=programme_id).first()
    if programme is not None:
        return programme
    programme = Programme.objects.select_related("province").filter(
        pk=programme_id, scheme=AdminUnit.Scheme.LEGACY).first()
    if programme is None or not getattr(user, "is_authenticated", False):
        return None
    if any(can_access_unit(user, p) for p in conversion(programme).new_provinces):
        return programme
    return None


def may_see(user, programme: Programme, unit: AdminUnit, conv: Conversion) -> bool:
    """A 2025 unit's view of a legacy programme: for those who cover the 2025 unit, those who
    cover the whole legacy province, and (a new commune) those who cover all its old communes."""
    if can_access_unit(user, unit) or can_access_unit(user, programme.province):
        return True
    if unit.level == AdminUnit.Level.COMMUNE:
        olds = conv.predecessors(unit.pk)
        return bool(olds) and all(can_access_unit(user, conv.units[o]) for o in olds)
    return False


def new_unit(*, user, programme: Programme, code: str, conv: Conversion | None = None) -> AdminUnit | None:
    """The 2025 province or commune of that code if the programme's communes map into it and
    the user may see it; None otherwise (pages and the API answer 404)."""
    unit = AdminUnit.objects.filter(scheme=AdminUnit.Scheme.NEW, code=code,
                                    level__in=[AdminUnit.Level.PROVINCE, AdminUnit.Level.COMMUNE]
                                    ).order_by("depth").first()
    if unit is None:
        return None
    conv = conv or conversion(programme)
    reached = {n for news in conv.successors.values() for n in news}
    if unit.level == AdminUnit.Level.PROVINCE:
        if not any(conv.units[n].parent_id == unit.pk for n in reached):
            return None
    elif unit.pk not in reached:
        return None
    return unit if may_see(user, programme, unit, conv) else None


def _finish(values: dict) -> dict:
    """The ratios of summed figures, as selectors computes them for one scheme."""
    values["coverage"] = coverage_ratio(values["phones_handed_out"], values["target_adults"])
    values.update(outcome_rates(values))
    return values


def _rows(programme: Programme) -> dict[int, dict]:
    return {r["commune_id"]: r for r in CoverageSummary.objects.filter(programme=programme).values(
        "commune_id", "computed_at", *FIGURES)}


def _sum(rows: list[dict]) -> dict:
    values = dict.fromkeys(FIGURES, 0)
    for r in rows:
        for f in FIGURES:
            values[f] += r[f]
    stamps = [r["computed_at"] for r in rows if r.get("computed_at")]
    values["computed_at"] = max(stamps, default=None)
    values["oldest_computed_at"] = min(stamps, default=None)
    return _finish(values)


def unit_and_children(*, programme: Programme, unit: AdminUnit, conv: Conversion | None = None
                      ) -> tuple[dict, list[dict], dict]:
    """(figures, children, notes) of a 2025 unit for a legacy programme. Children of a new
    province are its new communes that took over the programme's communes; children of a new
    commune are the old communes counted in it (scheme "legacy", linked to their own
    dashboards). Notes: the split rule, the split communes concerned, old communes without
    a successor (province level)."""
    conv = conv or conversion(programme)
    rows = _rows(programme)
    empty = dict.fromkeys(FIGURES, 0)
    if unit.level == AdminUnit.Level.PROVINCE:
        per_new: dict[int, list[dict]] = defaultdict(list)
        for old, new in conv.primary.items():
            if conv.units[new].parent_id == unit.pk:
                per_new[new].append(rows.get(old, {**empty, "computed_at": None}))
        touched = {n for news in conv.successors.values() for n in news if conv.units[n].parent_id == unit.pk}
        children = []
        for new_id in sorted(touched, key=lambda n: conv.units[n].code):
            u = conv.units[new_id]
            children.append({**_sum(per_new.get(new_id, [])), "unit_id": u.pk, "code": u.code, "name": u.name,
                             "level": u.level, "scheme": u.scheme})
        figures = _sum([c for c in children])
        unmapped = conv.unmapped
    else:
        olds = sorted(conv.predecessors(unit.pk), key=lambda o: conv.units[o].code)
        children = []
        for old in olds:
            u = conv.units[old]
            children.append({**_finish({**empty, **rows.get(old, {"computed_at": None})}), "unit_id": u.pk,
                             "code": u.code, "name": u.name, "level": u.level, "scheme": u.scheme})
        figures = _sum(children)
        touched, unmapped = {unit.pk}, []
    notes = {"rule": split_rule(), "splits": conv.splits_touching(touched), "unmapped": unmapped}
    return figures, children, notes


def months(*, programme: Programme, unit: AdminUnit, conv: Conversion) -> list[dict]:
    """Hand-outs per month of the old communes counted in the unit, with the running total."""
    if unit.level == AdminUnit.Level.PROVINCE:
        olds = [o for o, n in conv.primary.items() if conv.units[n].parent_id == unit.pk]
    else:
        olds = conv.predecessors(unit.pk)
    from .selectors import month_series

    return month_series(CoverageMonth.objects.filter(programme=programme, commune_id__in=olds)
                        .values("month").order_by("month").annotate(n=Sum("handouts")).values_list("month", "n"))


def chart(children: list[dict]) -> list[dict]:
    return [{"name": c["name"], "handed_out": c["phones_handed_out"], "target": c["target_adults"],
             "coverage": round((c["coverage"] or 0) * 100, 1)} for c in children]
