"""Exports: each app declares its lists in `<app>/exports.py` (`EXPORTS = [Export(...)]`).
An export rebuilds the page's queryset from the user and the page's query string, so the
file follows the page's filters and the user's scope, whether it is built in the request
or later by a task."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps


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
    found: dict[str, Export] = {}
    for config in apps.get_app_configs():
        if importlib.util.find_spec(config.name) and importlib.util.find_spec(f"{config.name}.exports"):
            module = importlib.import_module(f"{config.name}.exports")
            for export in getattr(module, "EXPORTS", ()):
                found[export.key] = export
    return found


def get_export(key: str) -> Export:
    return all_exports()[key]
