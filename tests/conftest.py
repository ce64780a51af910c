"""Shared fixtures: a small Bắc Kạn tree (legacy scheme) and a 2025 province,
one user per role, and a programme. Apps add their own fixtures in tests/<app>/conftest.py.
"""

import os
from contextlib import contextmanager

import pytest
from django.db import connection

from tests.factories import build_programme, build_tree, build_users


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis"))
    has_worker = bool(os.environ.get("CELERY_BROKER_URL")) and os.environ.get("PHOCAP_TEST_WORKER") == "1"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_worker = pytest.mark.skip(reason="needs a real Celery worker (PHOCAP_TEST_WORKER=1)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "worker" in item.keywords and not has_worker:
            item.add_marker(skip_worker)


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Each test starts with an empty cache: once-only submit tokens, debounce flags and
    heartbeats must not leak from one test into the next (a token "t" used by a distribution
    test made a later donations test look like a resent form). Not for tests proving the real
    worker, which read what the worker wrote."""
    if "worker" not in request.keywords:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery_unless_worker(request, settings):
    """Tests run tasks in-process unless they are marked to prove the real worker."""
    from phocap.celery import app

    # PBKDF2's million rounds cost ~0.7 s per user; tests don't need real hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "worker" in request.keywords:
        app.conf.task_always_eager = False
        yield
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English activates it for the
    thread, and a later test reading a stored message would otherwise get English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def tree(db):
    """Bắc Kạn (legacy): Na Rì with Côn Minh, Ba Bể with Thượng Giáo; and a 2025 province."""
    return build_tree()


@pytest.fixture
def users(tree):
    return build_users(tree)


@pytest.fixture
def programme(tree):
    return build_programme(tree)


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def commune_ids_sent(django_capture_on_commit_callbacks):
    """`with commune_ids_sent(signal) as seen:` runs the block, commits, and collects the
    `commune_ids` of every `signal` sent on commit (the domain events coverage listens to)."""

    @contextmanager
    def _collect(signal):
        seen: list = []

        def listener(sender, commune_ids, **kwargs):
            seen.append(commune_ids)

        signal.connect(listener)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield seen
        finally:
            signal.disconnect(listener)

    return _collect


@pytest.fixture
def api():
    """api(user) → a DRF client authenticated with the user's token, as a phone or script is."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def _client(user):
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return c

    return _client
