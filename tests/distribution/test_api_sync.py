"""The batch sync of an offline session's queue (POST /api/v1/handouts/sync/): each item is the
single write with its own key, its own savepoint and its own answer."""

import uuid

import pytest
from django.urls import reverse

from beneficiaries.errors import Code
from distribution.models import Device, DeviceMovement, Handout
from phocap.api.models import IdempotencyKey
from phocap.common import messages
from tests.api.helpers import post

WHEN = "2023-09-02T09:41:00+07:00"


def item(households, device, key=None, **changes):
    return {"idempotency_key": str(key or uuid.uuid4()), "household": households.poor.pk, "person": None,
            "recipient_name": "Lý Thị Mai", "citizen_id": "006185004321", "imei": device.imei, "handed_at": WHEN,
            "consent": True, "exception_reason": None, **changes}


def sync(client, items):
    return client.post(reverse("handout-sync"), {"items": items}, format="json")


def state():
    return (Handout.objects.count(), DeviceMovement.objects.count(),
            sorted(Device.objects.values_list("imei", "status")))


def test_mixed_batch_each_item_answered_and_only_refusals_undone(api, users, commune_stock, households, stock,
                                                                  django_capture_on_commit_callbacks):
    client = api(users.commune)
    items = [
        item(households, commune_stock[0]),
        # the same household again: it already has its phone (the first item, in this batch)
        item(households, commune_stock[1], recipient_name="Hoàng Văn Pản", citizen_id="006080001234"),
        # a phone that never left the province
        item(households, stock[9], household=households.near_poor.pk, recipient_name="Nông Thị Hoa",
             citizen_id="006190007777"),
        item(households, commune_stock[2], household=households.near_poor.pk, recipient_name="Nông Thị Hoa",
             citizen_id="006190007777"),
        item(households, commune_stock[3], imei="12345"),
        {"household": households.poor.pk},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        r = sync(client, items)
    assert r.status_code == 200, r.json()
    got = r.json()["items"]
    assert [(a["status"], a["code"]) for a in got] == [
        ("created", None), ("conflict", "household_already_received"), ("conflict", "device_not_in_stock"),
        ("created", None), ("invalid", "invalid"), ("invalid", "idempotency_key_invalid")]
    assert [a["key"] for a in got[:5]] == [i["idempotency_key"] for i in items[:5]]
    assert got[0]["handout"]["imei"] == commune_stock[0].imei and got[0]["http_status"] == 201
    assert got[2]["http_status"] == 409 and "Bắc Kạn" in got[2]["detail"]
    assert "imei" in got[4]["fields"]
    assert dict(Handout.objects.values_list("household_id", "device__imei")) == {
        households.poor.pk: commune_stock[0].imei, households.near_poor.pk: commune_stock[2].imei}
    # the registry heard both on commit: the households have one adult fewer without a phone
    households.poor.refresh_from_db()
    households.near_poor.refresh_from_db()
    assert households.poor.adults_without_phone == households.near_poor.adults_without_phone == 0
    # ...in each household's history, with the reason and the official
    latest = households.near_poor.history.first()
    assert (messages.decode(latest.history_change_reason), latest.adults_without_phone) == (
        (Code.REASON_PHONE_HANDED_OUT, {}), 0)
    assert IdempotencyKey.objects.count() == 5  # every keyed item, its answer stored


def test_replay_answers_as_the_first_time_and_changes_nothing(api, users, commune_stock, households):
    client = api(users.commune)
    items = [item(households, commune_stock[0]),
             item(households, commune_stock[1], household=households.near_poor.pk, recipient_name="Nông Thị Hoa",
                  citizen_id="006185004321")]  # the citizen ID of the first: refused
    first = sync(client, items).json()["items"]
    assert [a["code"] for a in first] == [None, "citizen_id_already_received"]
    before = state()
    again = sync(client, items).json()["items"]
    assert [a["status"] for a in again] == ["replayed", "replayed"]
    for a, b in zip(first, again, strict=True):
        assert {k: v for k, v in a.items() if k != "status"} == {k: v for k, v in b.items() if k != "status"}
    assert state() == before and IdempotencyKey.objects.count() == 2


def test_key_of_a_single_write_is_replayed_and_a_reused_key_refused(api, users, commune_stock, households):
    client, key = api(users.commune), uuid.uuid4()
    single = {k: v for k, v in item(households, commune_stock[0]).items() if k != "idempotency_key"}
    first = post(client, reverse("handout-list"), single, key)
    assert first.status_code == 201
    before = state()
    (a,) = sync(client, [item(households, commune_stock[0], key=key)]).json()["items"]
    assert (a["status"], a["http_status"], a["handout"]["id"]) == ("replayed", 201, first.json()["id"])
    batch_key = uuid.uuid4()
    sync(client, [item(households, commune_stock[1], key=batch_key, household=households.near_poor.pk,
                       recipient_name="Nông Thị Hoa", citizen_id="006190007777")])
    before = state()
    (b,) = sync(client, [item(households, commune_stock[2], key=batch_key)]).json()["items"]
    assert (b["status"], b["code"]) == ("invalid", "idempotency_key_reused") and state() == before


def test_foreign_households_are_not_found_and_write_nothing(api, users, commune_stock, households):
    before = state()
    for user in (users.other_commune, users.district, users.tn_staff, users.auditor):
        r = sync(api(user), [item(households, commune_stock[0])])
        assert r.status_code == 200, user
        (a,) = r.json()["items"]
        assert (a["status"], a["code"], a["http_status"]) == ("invalid", "not_found", 404), user
    assert state() == before
    r = sync(api(users.commune), [item(households, commune_stock[0], household=households.other_commune.pk)])
    assert r.json()["items"][0]["code"] == "not_found" and state() == before


@pytest.mark.parametrize("items,field", [([], "items"), ("x", "items"), (None, "items")])
def test_malformed_batch_is_refused_whole(api, users, items, field):
    r = sync(api(users.commune), items)
    assert r.status_code == 400 and r.json()["code"] == "invalid" and field in r.json()["fields"]


def test_at_most_200_items(api, users, commune_stock, households):
    r = sync(api(users.commune), [item(households, commune_stock[0])] * 201)
    assert r.status_code == 400 and "items" in r.json()["fields"] and not Handout.objects.exists()


def test_consent_is_required_and_recorded(api, users, commune_stock, households):
    client = api(users.commune)
    (a,) = sync(client, [item(households, commune_stock[0], consent=False)]).json()["items"]
    assert (a["status"], a["code"]) == ("invalid", "invalid") and "consent" in a["fields"]
    (b,) = sync(client, [item(households, commune_stock[0])]).json()["items"]
    assert b["status"] == "created" and Handout.objects.get().consent_at is not None


def test_exception_reason_lets_an_ineligible_household_receive(api, users, commune_stock, households):
    from beneficiaries.models import Household

    Household.objects.filter(pk=households.near_poor.pk).update(adults_without_phone=0)
    other = {"household": households.near_poor.pk, "recipient_name": "Nông Thị Hoa", "citizen_id": "006190007777"}
    client = api(users.commune)
    (a,) = sync(client, [item(households, commune_stock[0], **other)]).json()["items"]
    assert (a["status"], a["code"]) == ("invalid", "no_adult_without_phone")
    (b,) = sync(client, [item(households, commune_stock[0], exception_reason="Máy cũ đã hỏng", **other)]
                ).json()["items"]
    assert b["status"] == "created", b
    h = Handout.objects.get()
    assert h.exception_reason == "Máy cũ đã hỏng" and h.exception_rules == ["no_adult_without_phone"]


def test_queries_per_item_are_few_and_constant(api, users, tree, commune_stock):
    """What the items share is read once: each further item costs the same few statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_household

    client = api(users.commune)
    people = [make_household(tree.con_minh, f"Hộ {n}", rank=1, people=[(f"Hộ {n}", f"00608000{n:04d}")])
              for n in range(len(commune_stock))]

    def run(devices, homes):
        items = [{"idempotency_key": str(uuid.uuid4()), "household": h.pk, "person": h.people.get().pk,
                  "citizen_id": "", "imei": d.imei, "handed_at": WHEN, "consent": True}
                 for d, h in zip(devices, homes, strict=True)]
        with CaptureQueriesContext(connection) as ctx:
            r = sync(client, items)
        assert [a["status"] for a in r.json()["items"]] == ["created"] * len(items), r.json()
        return len(ctx.captured_queries)

    one = run(commune_stock[:1], people[:1])
    more = run(commune_stock[1:], people[1:])
    per_item = (more - one) / (len(commune_stock) - 2)
    assert per_item <= 12, (one, more)
