"""Two copies of one offline hand-out arriving at the same moment (a retry while the first
is still running): the work is done once and both get the first's answer. PostgreSQL."""

import uuid

import pytest
from django.urls import reverse

from distribution.models import DeviceMovement, Handout
from phocap.api.models import IdempotencyKey
from tests.api.helpers import post
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_duplicates_do_the_work_once(api, users, commune_stock, households):
    key = uuid.uuid4()
    data = {"household": households.poor.pk, "recipient_name": "Lý Thị Mai", "citizen_id": "006185004321",
            "imei": commune_stock[0].imei, "handed_at": "2023-09-02T09:41:00+07:00", "consent": True}
    clients = [api(users.commune) for _ in range(4)]
    responses = run_together(*[lambda c=c: post(c, reverse("handout-list"), data, key) for c in clients])
    assert [r.status_code for r in responses] == [201] * 4, [getattr(r, "content", r) for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sorted(r["Idempotent-Replayed"] for r in responses) == ["false", "true", "true", "true"]
    assert Handout.objects.count() == 1 and DeviceMovement.objects.filter(kind="handout").count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_concurrent_different_keys_one_phone_one_winner(api, users, commune_stock, households):
    """Two officials hand out the same phone offline; the second sync gets the conflict."""
    base = {"citizen_id": None, "imei": commune_stock[0].imei, "handed_at": "2023-09-02T09:41:00+07:00", "consent": True}
    a = {**base, "household": households.poor.pk, "recipient_name": "Lý Thị Mai", "citizen_id": "006185004321"}
    b = {**base, "household": households.near_poor.pk, "recipient_name": "Nông Thị Hoa",
         "citizen_id": "006190007777"}
    responses = run_together(lambda: post(api(users.commune), reverse("handout-list"), a),
                             lambda: post(api(users.commune), reverse("handout-list"), b))
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert [r.json()["code"] for r in responses if r.status_code == 409] == ["device_handed_out"]
    assert Handout.objects.count() == 1


def test_concurrent_copies_of_a_sync_batch_do_each_item_once(api, users, commune_stock, households):
    """The phone sends its queue, the answer is slow, it sends it again: each item is done once,
    the second copy replays what the first answered, item by item."""
    items = [{"idempotency_key": str(uuid.uuid4()), "household": households.poor.pk, "person": None,
              "recipient_name": "Lý Thị Mai", "citizen_id": "006185004321", "imei": commune_stock[0].imei,
              "handed_at": "2023-09-02T09:41:00+07:00", "consent": True},
             {"idempotency_key": str(uuid.uuid4()), "household": households.near_poor.pk, "person": None,
              "recipient_name": "Nông Thị Hoa", "citizen_id": "006190007777", "imei": commune_stock[0].imei,
              "handed_at": "2023-09-02T09:45:00+07:00", "consent": True}]
    clients = [api(users.commune) for _ in range(3)]
    responses = run_together(*[lambda c=c: c.post(reverse("handout-sync"), {"items": items}, format="json")
                               for c in clients])
    assert [r.status_code for r in responses] == [200] * 3, [getattr(r, "content", r) for r in responses]
    answers = [r.json()["items"] for r in responses]
    assert sorted(tuple(a["status"] for a in got) for got in answers) == [
        ("created", "conflict"), ("replayed", "replayed"), ("replayed", "replayed")]
    assert {(a["http_status"], a["code"]) for got in answers for a in got[1:]} == {(409, "device_handed_out")}
    assert len({got[0]["handout"]["id"] for got in answers}) == 1
    assert Handout.objects.count() == 1 and DeviceMovement.objects.filter(kind="handout").count() == 1
    assert IdempotencyKey.objects.count() == 2
