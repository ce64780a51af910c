"""Old communes → new communes through the official conversion table (`UnitMapping`).

Where an old commune was split, the successor with the lowest official code is its
*primary* successor: coverage counts the old commune's figures there, documents name it
as the issuing unit after 1/7/2025, and a carried-over programme sends the commune's
target and stock there (households of a split commune go village by village, as the
province chooses).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import AdminUnit, UnitMapping


@dataclass
class Conversion:
    """The programme's old communes → new communes."""

    primary: dict[int, int] = field(default_factory=dict)        # old commune id → the new commune counting it
    successors: dict[int, list[int]] = field(default_factory=dict)  # old id → every new id, by code
    units: dict[int, AdminUnit] = field(default_factory=dict)    # every unit named above, old and new
    unmapped: list[AdminUnit] = field(default_factory=list)      # old communes without successor

    def predecessors(self, new_id: int) -> list[int]:
        return [old for old, new in self.primary.items() if new == new_id]

    def splits_touching(self, new_ids: set[int]) -> list[dict]:
        """The split old communes whose successors meet `new_ids`, for the page's notes."""
        notes = []
        for old, news in self.successors.items():
            if len(news) > 1 and new_ids & set(news):
                notes.append({"old": self.units[old], "counted_in": self.units[self.primary[old]],
                              "also": [self.units[n] for n in news if n != self.primary[old]]})
        return sorted(notes, key=lambda n: n["old"].code)

    @property
    def new_provinces(self) -> list[AdminUnit]:
        ids = {self.units[n].parent_id for n in self.primary.values()}
        return sorted((u for u in AdminUnit.objects.filter(pk__in=ids)), key=lambda u: u.code)


def province_conversion(province: AdminUnit) -> Conversion:
    """Two queries: the old communes of a legacy province, and their mapping rows."""
    conv = Conversion()
    old = {u.pk: u for u in AdminUnit.objects.subtree(province).filter(level=AdminUnit.Level.COMMUNE)}
    conv.units.update(old)
    pairs = (UnitMapping.objects.filter(legacy_unit_id__in=list(old), new_unit__level=AdminUnit.Level.COMMUNE)
             .select_related("new_unit").order_by("new_unit__code"))
    for pair in pairs:
        conv.units[pair.new_unit_id] = pair.new_unit
        conv.successors.setdefault(pair.legacy_unit_id, []).append(pair.new_unit_id)
    for old_id, news in conv.successors.items():
        conv.primary[old_id] = news[0]  # lowest official code (ordered above)
    conv.unmapped = sorted((u for pk, u in old.items() if pk not in conv.successors), key=lambda u: u.code)
    return conv


def province_successors(province: AdminUnit) -> list[AdminUnit]:
    """The 2025 provinces that took over some of a legacy province's communes (one query)."""
    return list(AdminUnit.objects.filter(
        scheme=AdminUnit.Scheme.NEW, level=AdminUnit.Level.PROVINCE,
        children__predecessor_links__legacy_unit__path__startswith=province.path,
    ).distinct().order_by("code"))


