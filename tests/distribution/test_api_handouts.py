"""The hand-out API the offline session syncs through: scoping, codes, idempotent replays."""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from distribution.models import Device, DeviceMovement, Handout

WHEN = "2023-09-02T09:41:00+07:00"


def body(households, device, **changes):
    return {"household": households.poor.pk, "person": None, "recipient_name": "Lý Thị Mai",
            "citizen_id": "006185004321", "imei": device.imei, "handed_at": WHEN, "programme": None, "consent": True, **changes}


def post(client, url, data, key=None):
    return client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=str(key or uuid.uuid4()))


def state():
    return (Handout.objects.count(), DeviceMovement.objects.count(),
            sorted(Device.objects.values_list("imei", "status")))


def test_handout_created_with_its_moment(api, users, commune_stock, households, programme):
    r = post(api(users.commune), reverse("handout-list"), body(households, commune_stock[0]))
    assert r.status_code == 201, r.json()
    h = Handout.objects.get()
    assert r.json()["id"] == h.pk and r.json()["imei"] == commune_stock[0].imei
    assert r.json()["household"] == households.poor.pk and r.json()["handed_at"].startswith("2023-09-02T")
    assert str(h.handed_out_on) == "2023-09-02" and h.programme == programme
    assert Device.objects.get(pk=commune_stock[0].pk).status == "handed_out"


def test_replay_with_the_same_key_does_the_work_once(api, users, commune_stock, households):
    client, key = api(users.commune), uuid.uuid4()
    first = post(client, reverse("handout-list"), body(households, commune_stock[0]), key)
    before = state()
    again = post(client, reverse("handout-list"), body(households, commune_stock[0]), key)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again["Idempotent-Replayed"] == "true" and state() == before


def test_same_key_with_another_body_is_refused(api, users, commune_stock, households):
    client, key = api(users.commune), uuid.uuid4()
    post(client, reverse("handout-list"), body(households, commune_stock[0]), key)
    before = state()
    r = post(client, reverse("handout-list"), body(households, commune_stock[1]), key)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert state() == before


def test_a_refusal_is_replayed_as_it_was(api, users, commune_stock, households):
    """A conflict answered once is answered the same way on a replay, even if the world changed."""
    client, key = api(users.commune), uuid.uuid4()
    post(client, reverse("handout-list"), body(households, commune_stock[0]))
    data = body(households, commune_stock[0], household=households.near_poor.pk,
                recipient_name="Nông Thị Hoa", citizen_id="006190007777")
    first = post(client, reverse("handout-list"), data, key)
    assert first.status_code == 409 and first.json()["code"] == "device_handed_out"
    assert "Côn Minh" in first.json()["detail"] and "02/09/2023" in first.json()["detail"]
    assert Handout.objects.get().household == households.poor  # the first hand-out stays
    again = post(client, reverse("handout-list"), data, key)
    assert (again.status_code, again.json()) == (409, first.json())


def test_household_already_received(api, users, commune_stock, households):
    client = api(users.commune)
    post(client, reverse("handout-list"), body(households, commune_stock[0]))
    r = post(client, reverse("handout-list"), body(households, commune_stock[1]))
    assert r.status_code == 409 and r.json()["code"] == "household_already_received"
    assert Handout.objects.count() == 1


def test_phone_not_in_the_communes_stock_says_where_it_is(api, users, stock, commune_stock, households, tree):
    # stock[9] never left the province's store.
    r = post(api(users.commune), reverse("handout-list"), body(households, stock[9]))
    assert r.status_code == 409 and r.json()["code"] == "device_not_in_stock"
    assert tree.bk.full_name in r.json()["detail"] and "Trong kho" not in r.json()["detail"]
    assert not Handout.objects.exists()


def test_phone_in_transit_says_between_which_units(api, users, programme, stock, commune_stock, households, tree):
    from distribution import services

    services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province,
                            imeis=[stock[8].imei])
    r = post(api(users.commune), reverse("handout-list"), body(households, stock[8]))
    assert r.status_code == 409 and r.json()["code"] == "device_not_in_stock"
    assert tree.bk.full_name in r.json()["detail"] and tree.na_ri.full_name in r.json()["detail"]


def test_foreign_household_is_404_and_writes_nothing(api, users, commune_stock, households):
    before = state()
    for user in (users.other_commune, users.district, users.tn_staff, users.auditor):
        r = post(api(user), reverse("handout-list"), body(households, commune_stock[0]))
        assert r.status_code == 404 and r.json()["code"] == "not_found", user
    assert state() == before


@pytest.mark.parametrize("changes,field", [
    ({"imei": "12345"}, "imei"), ({"handed_at": "hôm qua"}, "handed_at"), ({"household": None}, "household"),
])
def test_invalid_input_names_the_field(api, users, commune_stock, households, changes, field):
    r = post(api(users.commune), reverse("handout-list"), body(households, commune_stock[0], **changes))
    assert r.status_code == 400 and r.json()["code"] == "invalid" and field in r.json()["fields"]
    assert not Handout.objects.exists()


@pytest.mark.parametrize("changes,code", [
    ({"citizen_id": "003080001234"}, "citizen_id_invalid"),
    ({"recipient_name": "", "person": None}, "recipient_name_required"),
    ({"handed_at": "2099-01-01T08:00:00+07:00"}, "date_in_future"),
    ({"handed_at": "2023-01-01T08:00:00+07:00"}, "date_before_programme"),
    ({"imei": "356938035643808"}, "imei_invalid"),
])
def test_rules_answer_with_their_code(api, users, commune_stock, households, changes, code):
    r = post(api(users.commune), reverse("handout-list"), body(households, commune_stock[0], **changes))
    assert r.status_code == 400 and r.json()["code"] == code, r.json()
    assert r.json()["detail"] and not Handout.objects.exists()


def test_person_of_another_household_is_refused(api, users, commune_stock, households):
    other = households.near_poor.people.get()
    r = post(api(users.commune), reverse("handout-list"), body(households, commune_stock[0], person=other.pk))
    assert r.status_code == 400 and r.json()["code"] == "person_not_in_household"


def test_error_detail_in_english_for_an_english_user(api, users, commune_stock, households):
    client = api(users.commune)
    client.cookies["django_language"] = "en"
    r = post(client, reverse("handout-list"), body(households, commune_stock[0], citizen_id="12"))
    assert r.json()["code"] == "citizen_id_invalid" and "12 digits" in r.json()["detail"]


def test_reverse_once_then_conflict(api, users, commune_stock, households):
    client = api(users.commune)
    handout = post(client, reverse("handout-list"), body(households, commune_stock[0])).json()
    url, key = reverse("handout-reverse", args=[handout["id"]]), uuid.uuid4()
    r = post(client, url, {"reason": "Cấp nhầm"}, key)
    assert r.status_code == 200 and r.json()["status"] == "reversed"
    before = state()
    assert post(client, url, {"reason": "Cấp nhầm"}, key).json() == r.json() and state() == before
    again = post(client, url, {"reason": "Cấp nhầm"})
    assert again.status_code == 409 and again.json()["code"] == "handout_already_reversed"
    assert Device.objects.get(pk=commune_stock[0].pk).status == "in_stock"


def test_reverse_needs_a_reason_and_the_communes_official(api, users, commune_stock, households):
    handout = post(api(users.commune), reverse("handout-list"), body(households, commune_stock[0])).json()
    url = reverse("handout-reverse", args=[handout["id"]])
    for user in (users.other_commune, users.district, users.auditor):
        assert post(api(user), url, {"reason": "x"}).status_code == 404
    r = post(api(users.commune), url, {"reason": ""})
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    assert Handout.objects.get().status == "active"


def test_session_client_needs_csrf(users, commune_stock, households):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users.commune)
    r = post(client, reverse("handout-list"), body(households, commune_stock[0]))
    assert r.status_code == 403 and not Handout.objects.exists()


def test_bad_idempotency_key(api, users, commune_stock, households):
    r = api(users.commune).post(reverse("handout-list"), body(households, commune_stock[0]), format="json",
                                HTTP_IDEMPOTENCY_KEY="not-a-uuid")
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_invalid"
    assert not Handout.objects.exists()


def test_commune_stock_lists_what_can_be_handed_out(api, users, commune_stock, stock, programme):
    r = api(users.commune).get(reverse("commune-stock", args=[commune_stock[0].holder_unit_id]))
    assert r.status_code == 200
    assert sorted(d["imei"] for d in r.json()["devices"]) == sorted(d.imei for d in commune_stock)
    assert set(r.json()["devices"][0]) == {"id", "imei", "model"} and r.json()["programme"] == programme.pk


def test_commune_stock_of_another_commune_is_404(api, users, tree, commune_stock):
    assert api(users.other_commune).get(reverse("commune-stock", args=[tree.con_minh.pk])).status_code == 404
    assert api(users.commune).get(reverse("commune-stock", args=[tree.na_ri.pk])).status_code == 404


def test_village_priority_lists_households_and_people(api, users, tree, commune_stock, households, programme):
    client = api(users.commune)
    post(client, reverse("handout-list"), body(households, commune_stock[0], person=None))
    r = client.get(reverse("village-priority", args=[tree.ban_con.pk]))
    assert r.status_code == 200 and r.json()["programme"] == programme.pk
    (row,) = r.json()["households"]
    assert row["id"] == households.poor.pk and row["received"] is True and row["category"]
    assert [p["full_name"] for p in row["people"]] == ["Hoàng Văn Pản", "Lý Thị Mai"]
    assert row["people"][0]["citizen_id"] == "006080001234"
    assert api(users.other_commune).get(reverse("village-priority", args=[tree.ban_con.pk])).status_code == 404


def test_consent_is_required_and_an_exception_needs_its_reason(api, users, commune_stock, households):
    from beneficiaries.models import Household

    client = api(users.commune)
    r = post(client, reverse("handout-list"), body(households, commune_stock[0], consent=False))
    assert r.status_code == 400 and "consent" in r.json()["fields"] and not Handout.objects.exists()
    Household.objects.filter(pk=households.poor.pk).update(adults_without_phone=0)
    r = post(client, reverse("handout-list"), body(households, commune_stock[0]))
    assert r.status_code == 400 and r.json()["code"] == "no_adult_without_phone"
    r = post(client, reverse("handout-list"), body(households, commune_stock[0], exception_reason="Máy cũ hỏng"))
    assert r.status_code == 201 and r.json()["id"]
    h = Handout.objects.get()
    assert h.exception_reason == "Máy cũ hỏng" and h.consent_at is not None
