import datetime
import uuid

from django.utils import timezone

from phocap.api.models import IdempotencyKey
from phocap.api.services import KEEP_KEYS_DAYS
from phocap.api.tasks import idempotency_keys_prune_task


def test_old_keys_are_forgotten_recent_ones_kept(users):
    old, recent = (IdempotencyKey.objects.create(user=users.commune, key=uuid.uuid4(), method="POST", path="/x",
                                                 fingerprint="f", status_code=201, body={}) for _ in range(2))
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=KEEP_KEYS_DAYS + 1))
    assert idempotency_keys_prune_task() == 1
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [recent.pk]
