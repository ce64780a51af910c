"""Recording a donation through the API: scoping (404), codes, idempotent replays."""

import pytest
from django.urls import reverse

from donations.models import Donation
from tests.api.helpers import post, replayed_without_change


def state():
    return sorted(Donation.objects.values_list("pk", "cash_vnd", "phones_count"))


def gift(programme, giver, unit, **changes):
    return {"programme": programme.pk, "donor": giver.pk, "unit": unit.pk, "received_on": "2023-08-22",
            "cash_vnd": 50_000_000, "cash_method": "bank_transfer", "receipt_number": "CK-0815", **changes}


def test_cash_gift_recorded_once(api, users, programme, local_donor, tree):
    client, data = api(users.district), gift(programme, local_donor, tree.na_ri)
    r = post(client, reverse("donation-create"), data)
    assert r.status_code == 201 and r.json()["cash_vnd"] == 50_000_000
    replayed_without_change(client, reverse("donation-create"), data, r, state)
    again = post(client, reverse("donation-create"), data)  # a new key: the receipt number is taken
    assert again.status_code == 400 and "CK-0815" in again.json()["detail"]
    assert Donation.objects.count() == 1


def test_in_kind_gift_takes_the_programme_price(api, users, programme, company, tree):
    data = gift(programme, company, tree.bk, cash_vnd=0, cash_method="", receipt_number="", phones_count=20,
                phone_model="Samsung A04", phone_condition="new")
    r = post(api(users.province), reverse("donation-create"), data)
    assert r.status_code == 201 and r.json()["phone_unit_value_vnd"] == programme.default_phone_price_vnd


def test_foreign_unit_donor_or_programme_is_404(api, users, programme, local_donor, tree):
    cases = [(users.other_district, gift(programme, local_donor, tree.ba_be)),  # Na Rì's own donor
             (users.district, gift(programme, local_donor, tree.ba_be)),  # Ba Bể's unit
             (users.tn_staff, gift(programme, local_donor, tree.na_ri)),
             (users.auditor, gift(programme, local_donor, tree.na_ri))]
    for user, data in cases:
        r = post(api(user), reverse("donation-create"), data)
        assert r.status_code == 404 and r.json()["code"] == "not_found", user
    assert not Donation.objects.exists()


@pytest.mark.parametrize("changes,field", [
    ({"cash_vnd": -5}, "cash_vnd"), ({"received_on": "22/08/2023x"}, "received_on"),
    ({"cash_method": "gold"}, "cash_method"), ({"donor": None}, "donor"),
])
def test_invalid_input(api, users, programme, local_donor, tree, changes, field):
    r = post(api(users.district), reverse("donation-create"), gift(programme, local_donor, tree.na_ri, **changes))
    assert r.status_code == 400 and r.json()["code"] == "invalid" and field in r.json()["fields"]
    assert not Donation.objects.exists()


def test_rules_of_the_service(api, users, programme, local_donor, tree):
    r = post(api(users.district), reverse("donation-create"),
             gift(programme, local_donor, tree.na_ri, cash_vnd=0, cash_method=""))
    assert r.status_code == 400 and r.json()["detail"] and not Donation.objects.exists()
    r = post(api(users.district), reverse("donation-create"), gift(programme, local_donor, tree.na_ri,
                                                                  received_on="2099-01-01"))
    assert r.status_code == 400 and not Donation.objects.exists()
