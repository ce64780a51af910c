"""Housekeeping of the write API."""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import IdempotencyKey

# Offline sessions keep their queue for a few days (cached personal data expires); a key is
# kept well beyond that, so a late replay still gets the first answer.
KEEP_KEYS_DAYS = 30


@transaction.atomic
def idempotency_keys_prune(*, older_than_days: int = KEEP_KEYS_DAYS) -> int:
    """Delete keys (and their stored answers) older than the retention; returns how many."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
