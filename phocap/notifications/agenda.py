"""What waits for a user, gathered from each app's `todos(user)` for the home page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Todo:
    text: str
    count: int
    url: str = ""


def collect(user) -> list[Todo]:
    from phocap.common.discovery import app_modules

    items: list[Todo] = []
    for module in app_modules("todos"):
        items.extend(t for t in module.todos(user) if t.count)
    return items
