"""Proves the configured mode: a task queued on Redis runs on a real worker process."""

import time
import uuid

import pytest
from django.core.cache import cache

from phocap.common.tasks import HEARTBEAT_KEY, worker_heartbeat_task


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_the_real_worker_and_its_effect_is_visible(client, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), "the worker shares the Redis cache"
    token = uuid.uuid4().hex
    result = worker_heartbeat_task.delay(token)
    assert result.id  # queued, not run in-process
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        beat = cache.get(HEARTBEAT_KEY)
        if beat and beat["token"] == token:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not run the task within 30 s")
    health = client.get("/healthz").json()
    # The worker's own heartbeat thread may have written a later one since.
    assert health["broker"] == "ok" and health["worker_last_seen"] >= beat["at"]


def test_heartbeat_runs_eagerly_in_the_embedded_mode(settings):
    token = uuid.uuid4().hex
    worker_heartbeat_task.delay(token)
    assert cache.get(HEARTBEAT_KEY)["token"] == token


@pytest.mark.worker
def test_the_running_worker_beats_without_any_task(settings):
    # CI's worker was started before the suite and beats every HEARTBEAT_INTERVAL_S from its
    # own thread. Other tests empty the shared cache, so wait up to one interval (and a bit).
    from phocap.common import heartbeat

    deadline = time.monotonic() + heartbeat.HEARTBEAT_INTERVAL_S + 10
    while heartbeat.last_seen("worker") is None and time.monotonic() < deadline:
        time.sleep(1)
    assert heartbeat.last_seen("worker") is not None
