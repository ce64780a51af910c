"""Exports: each app declares its lists in `<app>/exports.py` (`EXPORTS = [Export(...)]`).
An export rebuilds the page's queryset from the user and the page's query string, so the
file follows the page's filters and the user's scope, whether it is built in the request
or later by a task."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    label: Any                      # lazy Vietnamese msgid
    value: Callable[[Any], Any]     # row → a cell: str, int, date, datetime, None
    number_format: str | None = None


@dataclass(frozen=True)
class Export:
    key: str
    filename: str                   # without extension
    title: Any
    columns: tuple[Column, ...]
    # (user, params: QueryDict) → the rows, exactly as the page filters and scopes them.
    queryset: Callable[..., Any]
    # Optional (user) → a per-export helper passed to each value getter as `row, ctx`.
    context: Callable[[Any], Any] | None = None


def all_exports() -> dict[str, Export]:
    from phocap.common.discovery import app_modules

    return {export.key: export for module in app_modules("exports") for export in getattr(module, "EXPORTS", ())}


def get_export(key: str) -> Export:
    return all_exports()[key]
