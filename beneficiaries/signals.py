"""Domain events other apps may listen to (beneficiaries cannot import them: arrows
point one way). Sent by beneficiaries' services after their transaction commits.

households_changed(sender, commune_ids: set[int]) — households of these communes were
created, updated or changed status (an import merged, an edit, a status change).
"""

from django.dispatch import Signal

households_changed = Signal()


def send_households_changed(commune_ids: set[int]) -> None:
    """Send households_changed once the current transaction commits."""
    from django.db import transaction

    from .models import Household

    ids = set(commune_ids)
    transaction.on_commit(lambda: households_changed.send(sender=Household, commune_ids=ids))
