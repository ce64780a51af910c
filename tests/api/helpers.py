"""Shared by the API write tests: a POST with a fresh (or given) Idempotency-Key."""

import uuid


def post(client, url, data, key=None, fmt="json"):
    return client.post(url, data, format=fmt, HTTP_IDEMPOTENCY_KEY=str(key or uuid.uuid4()))


def replayed_without_change(client, url, data, first, state):
    """Re-send `first`'s request with its key: same answer, `state()` unchanged."""
    before = state()
    again = post(client, url, data, first.wsgi_request.headers["Idempotency-Key"])
    assert again["Idempotent-Replayed"] == "true"
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert state() == before
    return again
