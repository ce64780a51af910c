"""The one style of an update service: ``<thing>_update(*, <thing>, by, **changes)``.

The service takes only the fields that change, as keywords; a field it does not edit is a
programming error (TypeError), not a user's mistake. It then locks the row, merges the
changes over the stored values, checks them with the same rules as the create service,
and saves only the editable fields.
"""

from collections.abc import Iterable


def require_editable(changes: dict, editable: Iterable[str], *, what: str) -> None:
    unknown = set(changes) - set(editable)
    if unknown:
        raise TypeError(f"{what}: fields not editable here: {sorted(unknown)}")
