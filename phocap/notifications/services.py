"""Writes of notifications. Other apps call `notify`; nothing here knows their models."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from phocap.common.discovery import app_modules

from .models import Notification

logger = logging.getLogger(__name__)


def notify(*, users: Iterable, kind: str, key: str, params: dict, url: str = "") -> int:
    """Notify each user once for this key (a second call adds nothing). Returns how many
    notifications were created; each is e-mailed after commit if the user has an address."""
    created = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                created.append(Notification.objects.create(user=user, kind=kind, key=key, params=params, url=url))
        except IntegrityError:  # already notified (the unique (user, key) constraint)
            continue
    ids = [n.pk for n in created if n.user.email]
    if ids:
        transaction.on_commit(lambda: notifications_email(ids=ids))
    return len(created)


def notifications_email(*, ids: list[int]) -> int:
    """E-mail the notifications not yet e-mailed (claimed by a conditional UPDATE, so a
    retry never sends twice). Vietnamese, the source language of the app."""
    sent = 0
    base = settings.PHOCAP_BASE_URL.rstrip("/")
    for n in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("user"):
        if not Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
            continue
        with translation.override(settings.LANGUAGE_CODE):
            text = n.text
        body = f"{text}\n\n{base}{n.url}" if n.url else text
        try:
            send_mail(f"phocap: {text[:120]}", body, None, [n.user.email])
            sent += 1
        except Exception:  # noqa: BLE001 - the in-app notification stands; log and go on
            logger.exception("notification %s: e-mail failed", n.pk)
    return sent


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notifications_scan(*, today=None) -> int:
    """Run every app's `notices.scan(today=...)`; idempotent (keys)."""
    today = today or timezone.localdate()
    return sum(module.scan(today=today) or 0 for module in app_modules("notices"))
