"""The one way a service locks rows (the order across tables is in docs/architecture.md)."""

from django.db.models import Manager, Model, QuerySet


def locked(rows: QuerySet | Manager | type[Model], *, skip_locked: bool = False,
           order_by: tuple[str, ...] = ("pk",), no_key: bool = False) -> QuerySet:
    """``rows`` locked until the transaction ends (SELECT ... FOR UPDATE OF the rows' own
    table only, not tables joined by select_related), taken in primary-key order so that
    two transactions locking the same rows never deadlock. ``skip_locked`` passes over rows
    another transaction holds (picking "any N phones in stock" need not wait). ``no_key``
    (FOR NO KEY UPDATE) lets rows referencing the locked one be inserted meanwhile (their
    foreign key takes KEY SHARE): for a long change that must not stall other writers.

    Must run inside ``transaction.atomic`` (every service is). SQLite has no row locks: it
    serialises writers instead, so this is a no-op there.
    """
    if isinstance(rows, type):
        rows = rows._default_manager
    return rows.all().select_for_update(of=("self",), skip_locked=skip_locked, no_key=no_key).order_by(*order_by)
