"""Reads of the audit trail: history entries with who, when and old → new per field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import models

from phocap.common import messages

from .registry import Audited


@dataclass
class Change:
    field: str
    label: str
    old: object
    new: object


@dataclass
class Entry:
    history_id: int
    object_id: int
    date: object
    user: object
    kind: str           # "+" created, "~" changed, "-" deleted
    kind_label: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def field_label(f) -> str:
    """The field's translated name; the column's own name when the model gives none (Django
    would make up an English one, "reversed at")."""
    return str(f.verbose_name) if getattr(f, "_verbose_name", None) else f.name


def _labels(model: type[models.Model]) -> dict[str, str]:
    return {f.name: field_label(f) for f in model._meta.concrete_fields}


def _entries(audited: Audited, records: Iterator) -> Iterator[Entry]:
    """Entries of history rows ordered by (object, date): each diffed against the
    previous row of the same object."""
    labels = _labels(audited.model)
    previous = None
    for record in records:
        changes = []
        if previous is not None and previous.id == record.id and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [Change(c.field, labels.get(c.field, c.field), c.old, c.new) for c in delta.changes]
        yield Entry(history_id=record.history_id, object_id=record.id, date=record.history_date,
                    user=record.history_user, kind=record.history_type,
                    kind_label=record.get_history_type_display(), reason=messages.text(record.history_change_reason),
                    changes=changes)
        previous = record


def object_history(audited: Audited, obj: models.Model) -> list[Entry]:
    """Every history entry of one object, newest first."""
    records = (audited.model.history.filter(id=obj.pk).select_related("history_user")
               .order_by("history_date", "history_id"))
    return list(_entries(audited, records.iterator()))[::-1]


def programme_history(audited: Audited, object_ids: models.QuerySet) -> Iterator[Entry]:
    """History entries of the given objects (a values_list of ids), oldest first per object."""
    records = (audited.model.history.filter(id__in=object_ids).select_related("history_user")
               .order_by("id", "history_date", "history_id"))
    return _entries(audited, records.iterator(chunk_size=2000))
