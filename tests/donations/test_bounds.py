"""Security probe: a gift of 5.000.000.000.000.000.000 ₫ per phone from a form overflowed the
fund's sums and turned every fund page into a 500. Amounts are bounded in forms, services
and the database; sums are numeric; a value the database refuses is a 400, never a 500."""

import datetime

import pytest
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse

from donations import selectors, services
from donations.models import Donation, Pledge, Procurement
from phocap.common.errors import DomainError
from phocap.common.limits import MAX_AMOUNT_VND, MAX_PHONE_PRICE_VND, MAX_PHONES

HUGE = 5_000_000_000_000_000_000


def _form(donor, tree, **extra):
    return {"donor": donor.pk, "received_on": "2023-08-20", "unit": tree.na_ri.pk, "phones_count": "2",
            "phone_condition": "new", "submit_token": "t", **extra}


def test_the_probe_gift_is_refused_by_the_form_with_nothing_written(client_for, users, programme, local_donor, tree):
    c = client_for(users.district)
    url = reverse("donations:donation_create", args=[programme.pk])
    response = c.post(url, _form(local_donor, tree, phone_unit_value_vnd=f"{HUGE:,}".replace(",", ".")))
    assert response.status_code == 200 and "phone_unit_value_vnd" in response.context["form"].errors
    response = c.post(url, _form(local_donor, tree, phones_count=str(2**31), submit_token="u"))
    assert response.status_code == 200 and "phones_count" in response.context["form"].errors
    response = c.post(url, _form(local_donor, tree, cash_vnd=str(2**63), cash_method="cash", submit_token="v"))
    assert response.status_code == 200 and "cash_vnd" in response.context["form"].errors
    assert not Donation.objects.exists()
    assert c.get(reverse("donations:fund", args=[programme.pk])).status_code == 200


@pytest.mark.parametrize(("field", "value"), [("cash_vnd", MAX_AMOUNT_VND + 1), ("phones_count", MAX_PHONES + 1),
                                              ("phone_unit_value_vnd", MAX_PHONE_PRICE_VND + 1)])
def test_services_refuse_amounts_above_the_bounds(programme, local_donor, tree, field, value):
    data = {"cash_vnd": 0, "phones_count": 1, "phone_condition": "new", field: value}
    if data["cash_vnd"]:
        data["cash_method"] = "cash"
    with pytest.raises(DomainError) as refused:
        services.donation_create(programme=programme, donor=local_donor, unit=tree.na_ri,
                                 received_on=datetime.date(2023, 8, 20), **data)
    assert refused.value.code == "too_large"
    assert not Donation.objects.exists()


def test_pledges_and_purchases_are_bounded_too(programme, local_donor, tree):
    with pytest.raises(DomainError) as refused:
        services.pledge_create(programme=programme, donor=local_donor, pledged_on=datetime.date(2023, 8, 1),
                               phones=MAX_PHONES + 1)
    assert refused.value.code == "too_large"
    with pytest.raises(DomainError) as refused:
        services.procurement_create(programme=programme, supplier="FPT", purchased_on=datetime.date(2023, 8, 1),
                                    quantity=1, unit_price_vnd=MAX_PHONE_PRICE_VND + 1)
    assert refused.value.code == "too_large"


@pytest.mark.parametrize("model", ["donation", "pledge", "procurement"])
def test_the_database_refuses_amounts_above_the_bounds(programme, local_donor, tree, users, model):
    rows = {
        "donation": lambda: Donation.objects.create(
            programme=programme, donor=local_donor, unit=tree.na_ri, received_on=datetime.date(2023, 8, 20),
            phones_count=2, phone_condition="new", phone_unit_value_vnd=MAX_PHONE_PRICE_VND + 1),
        "pledge": lambda: Pledge.objects.create(programme=programme, donor=local_donor,
                                                pledged_on=datetime.date(2023, 8, 1), cash_vnd=MAX_AMOUNT_VND + 1),
        "procurement": lambda: Procurement.objects.create(
            programme=programme, unit=tree.bk, supplier="FPT", purchased_on=datetime.date(2023, 8, 1),
            unit_price_vnd=1, quantity=MAX_PHONES + 1),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        rows[model]()


def test_fund_totals_at_the_bounds_are_exact(programme, local_donor, tree):
    Donation.objects.bulk_create([
        Donation(programme=programme, donor=local_donor, unit=tree.na_ri, received_on=datetime.date(2023, 8, 20),
                 cash_vnd=MAX_AMOUNT_VND, cash_method="cash", phones_count=MAX_PHONES, phone_condition="new",
                 phone_unit_value_vnd=MAX_PHONE_PRICE_VND, receipt_number=f"R{i}")
        for i in range(20)])
    totals = selectors.programme_totals(programme)
    assert totals["cash_received_vnd"] == 20 * MAX_AMOUNT_VND
    assert totals["phones_in_kind_value_vnd"] == 20 * MAX_PHONES * MAX_PHONE_PRICE_VND
    assert isinstance(totals["cash_received_vnd"], int)
    assert services.cash_received_vnd(programme.pk) == 20 * MAX_AMOUNT_VND


def test_a_value_the_database_refuses_is_a_400_not_a_500(client_for, users, programme, local_donor, tree,
                                                         monkeypatch):
    def refuse(**kwargs):
        raise DataError("integer out of range")

    monkeypatch.setattr(services, "donation_create", refuse)
    c = client_for(users.district)
    response = c.post(reverse("donations:donation_create", args=[programme.pk]),
                      _form(local_donor, tree, phone_unit_value_vnd="2.000.000"))
    assert response.status_code == 400 and "Không có gì được lưu" in response.content.decode()
