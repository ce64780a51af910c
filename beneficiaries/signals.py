"""Domain events other apps may listen to (beneficiaries cannot import them: arrows
point one way). Sent by beneficiaries' services after their transaction commits.

households_changed(sender, commune_ids: set[int]) — households of these communes were
created, updated or changed status (an import merged, an edit, a status change).

One event flows the other way, *into* the registry, so that the app recording hand-outs
(distribution, to the left of beneficiaries) never needs the registry's internals and the
registry never imports it:

phones_changed(sender, changes: list[dict]) — sent on commit by whoever records or reverses a
hand-out; each change is {"household_id": int, "person_id": int | None, "delta": +1 | -1}
(+1: a phone was handed out; -1: a hand-out was reversed). The registry listens
(beneficiaries.receivers) and moves the member's smartphone flag and the household's count of
adults without a smartphone.
"""

from django.dispatch import Signal

households_changed = Signal()
phones_changed = Signal()


def send_households_changed(commune_ids: set[int]) -> None:
    """Send households_changed once the current transaction commits."""
    from django.db import transaction

    from .models import Household

    ids = set(commune_ids)
    transaction.on_commit(lambda: households_changed.send(sender=Household, commune_ids=ids))
