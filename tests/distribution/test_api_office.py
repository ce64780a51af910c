"""Intake, dispatch and receipt through the API: scoping (404), codes, idempotent replays."""

import pytest
from django.urls import reverse

from distribution.models import Batch, BatchLine, Device, DeviceMovement
from tests.api.helpers import post, replayed_without_change
from tests.factories import make_imei


def state():
    return (Device.objects.count(), DeviceMovement.objects.count(), Batch.objects.count(),
            sorted(Device.objects.values_list("imei", "status", "holder_unit_id")),
            sorted(BatchLine.objects.values_list("device_id", "outcome")))


def intake(programme, procurement, imeis):
    return {"programme": programme.pk, "procurement": procurement.pk, "condition": "new", "imeis": imeis}


def test_intake_registers_once(api, users, programme, procurement, tree):
    client, data = api(users.province), intake(programme, procurement, [make_imei(501), make_imei(502)])
    r = post(client, reverse("device-intake"), data)
    assert r.status_code == 201 and r.json()["count"] == 2 and r.json()["unit"] == tree.bk.pk
    assert Device.objects.filter(holder_unit=tree.bk, status="in_stock").count() == 2
    replayed_without_change(client, reverse("device-intake"), data, r, state)
    # Without the key, the same list again is refused by the service (already registered).
    again = post(client, reverse("device-intake"), data)
    assert again.status_code == 409 and again.json()["code"] == "imei_already_registered"
    assert Device.objects.count() == 2


def test_intake_of_a_source_outside_the_area_is_404(api, users, programme, procurement):
    before = state()
    for user in (users.district, users.commune, users.auditor, users.tn_staff):
        r = post(api(user), reverse("device-intake"), intake(programme, procurement, [make_imei(503)]))
        assert r.status_code == 404 and r.json()["code"] == "not_found", user
    assert state() == before


@pytest.mark.parametrize("changes,field", [
    ({"imeis": ["123"]}, "imeis"), ({"imeis": []}, "imeis"), ({"condition": "damaged"}, "condition"),
    ({"programme": "x"}, "programme"),
])
def test_intake_invalid_input(api, users, programme, procurement, changes, field):
    r = post(api(users.province), reverse("device-intake"), {**intake(programme, procurement, [make_imei(1)]),
                                                            **changes})
    assert r.status_code == 400 and field in r.json()["fields"] and not Device.objects.exists()


def test_intake_needs_one_source_and_a_valid_luhn(api, users, programme, procurement):
    r = post(api(users.province), reverse("device-intake"), {**intake(programme, procurement, []), "procurement": None,
                                                            "imeis": [make_imei(1)]})
    assert r.status_code == 400 and r.json()["code"] == "source_not_one"
    bad = make_imei(1)[:-1] + str((int(make_imei(1)[-1]) + 1) % 10)
    r = post(api(users.province), reverse("device-intake"), intake(programme, procurement, [bad]))
    assert r.status_code == 400 and bad in r.json()["detail"] and not Device.objects.exists()


def test_dispatch_by_count_once(api, users, programme, stock, tree):
    client = api(users.province)
    data = {"programme": programme.pk, "to_unit": tree.na_ri.pk, "count": 3, "note": "Đợt 1"}
    r = post(client, reverse("batch-dispatch"), data)
    assert r.status_code == 201 and len(r.json()["lines"]) == 3 and r.json()["status"] == "dispatched"
    replayed_without_change(client, reverse("batch-dispatch"), data, r, state)
    assert Batch.objects.count() == 1


def test_dispatch_from_outside_the_area_is_404(api, users, programme, stock, tree):
    before = state()
    for user, to_unit in ((users.district, tree.ba_be), (users.other_district, tree.con_minh),
                          (users.auditor, tree.na_ri), (users.tn_staff, tree.na_ri)):
        r = post(api(user), reverse("batch-dispatch"), {"programme": programme.pk, "to_unit": to_unit.pk, "count": 1})
        assert r.status_code == 404, user
    assert state() == before


def test_dispatch_validation(api, users, programme, stock, tree):
    client = api(users.province)
    both = post(client, reverse("batch-dispatch"), {"programme": programme.pk, "to_unit": tree.na_ri.pk,
                                                    "count": 1, "imeis": [stock[0].imei]})
    assert both.status_code == 400 and both.json()["code"] == "invalid" and "non_field_errors" in both.json()["fields"]
    too_many = post(client, reverse("batch-dispatch"), {"programme": programme.pk, "to_unit": tree.na_ri.pk,
                                                        "count": 99})
    assert too_many.status_code == 409 and too_many.json()["code"] == "stock_insufficient"
    assert not Batch.objects.exists()


def test_dispatch_of_a_phone_elsewhere_says_where(api, users, programme, batch_to_na_ri, stock, tree):
    r = post(api(users.province), reverse("batch-dispatch"), {"programme": programme.pk, "to_unit": tree.ba_be.pk,
                                                              "imeis": [stock[0].imei]})
    assert r.status_code == 400 and tree.na_ri.full_name in r.json()["detail"]


def test_receive_with_missing_and_damaged_once(api, users, batch_to_na_ri, stock):
    client, url = api(users.district), reverse("batch-receive", args=[batch_to_na_ri.pk])
    data = {"missing": [{"imei": stock[0].imei, "reason": "Thất lạc"}],
            "damaged": [{"imei": stock[1].imei, "reason": "Vỡ màn hình"}]}
    r = post(client, url, data)
    assert r.status_code == 200 and r.json()["status"] == "received" and r.json()["partial"] is True
    outcomes = {line["imei"]: line["outcome"] for line in r.json()["lines"]}
    assert outcomes[stock[0].imei] == "missing" and outcomes[stock[1].imei] == "damaged"
    replayed_without_change(client, url, data, r, state)
    again = post(client, url, data)
    assert again.status_code == 409 and again.json()["code"] == "batch_not_dispatched"


def test_receive_all(api, users, batch_to_na_ri):
    r = post(api(users.district), reverse("batch-receive", args=[batch_to_na_ri.pk]), {})
    assert r.status_code == 200 and r.json()["partial"] is False
    assert {line["outcome"] for line in r.json()["lines"]} == {"received"}


def test_receive_scoping_and_codes(api, users, batch_to_na_ri, stock):
    url = reverse("batch-receive", args=[batch_to_na_ri.pk])
    before = state()
    for user in (users.other_district, users.other_commune, users.tn_staff):
        assert post(api(user), url, {}).status_code == 404, user
    # The province sees the batch but only Na Rì confirms it.
    r = post(api(users.province), url, {})
    assert r.status_code == 403 and r.json()["code"] == "not_receiving_officer"
    r = post(api(users.district), url, {"missing": [{"imei": stock[9].imei, "reason": "x"}]})
    assert r.status_code == 400 and r.json()["code"] == "device_not_in_batch"
    r = post(api(users.district), url, {"damaged": [{"imei": stock[0].imei, "reason": ""}]})
    assert r.status_code == 400 and "damaged" in r.json()["fields"]
    assert state() == before
