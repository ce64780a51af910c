"""Load Vietnam's official administrative units from the shipped data file.

``data/admin_units.json.gz`` is built by ``scripts/build_admin_units.py`` from the
``vietnam-provinces`` package (data of the National Statistics Office); phocap itself
does not depend on that package. The file holds two schemes:

* ``legacy``: before 1/7/2025, province -> district -> commune;
* ``2025``: from 1/7/2025, province -> commune;

and the conversion pairs legacy commune -> 2025 commune (several pairs where a commune
was split).

:func:`load_admin_units` is idempotent and works in bulk: existing rows are read once,
missing ones are created level by level (parents first), rows whose data changed are
updated, and nothing else is written. Village units (created by users under communes)
are never created, updated or deleted; they are only re-pathed if a commune above them
moved, to keep materialised paths consistent.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phocap.common.text import fold

DATA_FILE = Path(__file__).resolve().parent / "data" / "admin_units.json.gz"

BATCH_SIZE = 2000

# (scheme, level, key in the data file, parent level or None), parents first.
PLAN = (
    ("legacy", "province", "provinces", None),
    ("legacy", "district", "districts", "province"),
    ("legacy", "commune", "communes", "district"),
    ("2025", "province", "provinces", None),
    ("2025", "commune", "communes", "province"),
)

# Fields the loader owns; a row is updated when any of them differs.
MANAGED_FIELDS = ("name", "full_name", "division_type", "name_ascii", "parent_id", "path", "depth")


# Lazy: the command prints them in the language it runs in (--language).
SCHEME_LABELS = {"legacy": gettext_lazy("trước 1/7/2025"), "2025": gettext_lazy("từ 1/7/2025")}
LEVEL_LABELS = {"province": gettext_lazy("tỉnh"), "district": gettext_lazy("huyện"), "commune": gettext_lazy("xã")}


def read_data(path: Path | str | None = None) -> dict:
    """Return the decoded data file."""
    with gzip.open(path or DATA_FILE, "rb") as fh:
        return json.loads(fh.read().decode("utf-8"))


def _empty_counts() -> dict:
    return {"created": 0, "updated": 0, "unchanged": 0}


def load_admin_units(*, stdout: IO[str] | None = None, path: Path | str | None = None) -> dict:
    """Create or update every official unit and legacy -> 2025 mapping.

    Returns ``{"units": {scheme: {level: counts}}, "mappings": counts,
    "created": n, "updated": n, "unchanged": n, "source": ..., "version": ...}`` where
    counts is ``{"created", "updated", "unchanged"}`` and the top-level numbers add up
    units and mappings. A second run reports 0 created and 0 updated.
    """
    from phocap.areas.models import AdminUnit, UnitMapping

    data = read_data(path)

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    result: dict = {
        "source": data.get("source", ""),
        "version": data.get("version", ""),
        "units": {},
        "mappings": _empty_counts(),
    }
    official_levels = sorted({row[1] for row in PLAN})

    with transaction.atomic():
        # Every official unit already in the database, once: (scheme, level, code) -> row.
        existing = {
            (u.scheme, u.level, u.code): u
            for u in AdminUnit.objects.filter(level__in=official_levels).only(
                "id", "scheme", "level", "code", *MANAGED_FIELDS
            )
        }
        moved: list[tuple[str, str]] = []  # (old path, new path) of official units

        for scheme, level, key, parent_level in PLAN:
            counts = result["units"].setdefault(scheme, {}).setdefault(level, _empty_counts())
            to_create: list = []
            to_update: list = []
            for row in data[scheme][key]:
                code, name, full_name, division_type = row[:4]
                parent = None
                if parent_level is not None:
                    parent = existing.get((scheme, parent_level, row[4]))
                    if parent is None:
                        raise ValueError(
                            f"{scheme} {level} {code}: unknown parent {parent_level} {row[4]}"
                        )
                wanted = {
                    "name": name,
                    "full_name": full_name,
                    "division_type": division_type,
                    "name_ascii": fold(name),
                    "parent_id": parent.pk if parent else None,
                    "path": AdminUnit.make_path(scheme, code, parent),
                    "depth": parent.depth + 1 if parent else 0,
                }
                unit = existing.get((scheme, level, code))
                if unit is None:
                    unit = AdminUnit(scheme=scheme, level=level, code=code, **wanted)
                    to_create.append(unit)
                    existing[(scheme, level, code)] = unit
                    continue
                changed = [f for f, v in wanted.items() if getattr(unit, f) != v]
                if not changed:
                    counts["unchanged"] += 1
                    continue
                if "path" in changed:
                    moved.append((unit.path, wanted["path"]))
                for f in changed:
                    setattr(unit, f, wanted[f])
                to_update.append(unit)

            if to_create:
                AdminUnit.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
                if any(u.pk is None for u in to_create):
                    # Backends that cannot return ids from a bulk insert: read them back.
                    ids = dict(
                        AdminUnit.objects.filter(scheme=scheme, level=level).values_list(
                            "code", "id"
                        )
                    )
                    for u in to_create:
                        u.pk = ids[u.code]
            if to_update:
                AdminUnit.objects.bulk_update(to_update, MANAGED_FIELDS, batch_size=BATCH_SIZE)
            counts["created"] += len(to_create)
            counts["updated"] += len(to_update)
            say(_("%(scheme)s, %(level)s: thêm mới %(new)d, cập nhật %(updated)d, giữ nguyên %(same)d") % {
                "scheme": SCHEME_LABELS[scheme], "level": LEVEL_LABELS[level], "new": len(to_create),
                "updated": len(to_update), "same": counts["unchanged"]})

        # Units the loader does not own (villages) below a unit whose path changed.
        for old_path, new_path in moved:
            children = list(
                AdminUnit.objects.filter(path__startswith=old_path)
                .exclude(level__in=official_levels)
                .only("id", "path")
            )
            for child in children:
                child.path = new_path + child.path[len(old_path) :]
            AdminUnit.objects.bulk_update(children, ["path"], batch_size=BATCH_SIZE)

        # Mappings legacy commune -> 2025 commune.
        have = set(UnitMapping.objects.values_list("legacy_unit_id", "new_unit_id"))
        new_links = []
        mcounts = result["mappings"]
        for legacy_code, new_code in data["mapping"]:
            legacy_unit = existing.get(("legacy", "commune", legacy_code))
            new_unit = existing.get(("2025", "commune", new_code))
            if legacy_unit is None or new_unit is None:
                raise ValueError(f"mapping {legacy_code} -> {new_code}: unknown commune")
            pair = (legacy_unit.pk, new_unit.pk)
            if pair in have:
                mcounts["unchanged"] += 1
                continue
            have.add(pair)
            new_links.append(UnitMapping(legacy_unit_id=pair[0], new_unit_id=pair[1]))
        if new_links:
            UnitMapping.objects.bulk_create(new_links, batch_size=BATCH_SIZE)
        mcounts["created"] = len(new_links)
        say(_("cặp chuyển đổi: thêm mới %(new)d, giữ nguyên %(same)d") % {
            "new": len(new_links), "same": mcounts["unchanged"]})

    for total in ("created", "updated", "unchanged"):
        result[total] = mcounts[total] + sum(
            c[total] for levels in result["units"].values() for c in levels.values()
        )
    return result
