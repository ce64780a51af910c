"""Idempotency keys of the write API.

A client (the offline hand-out app, a script) makes a UUID per write and sends it as
`Idempotency-Key`. The key is stored with the request's fingerprint and the answer in
the same transaction as the work, under a unique (user, key) constraint: a replay gets
the stored answer and the work is done once, even when two copies arrive together.
"""

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             db_index=False)  # the unique (user, key) index serves it
    key = models.UUIDField()
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    # SHA-256 of method, path and the canonical body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} → {self.status_code}"
