import io

import pytest
from django.urls import reverse

from donations import demo
from donations.models import Donation, Donor, Pledge, Procurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_programme(programme):
    demo.load(programme=programme, stdout=io.StringIO())
    return programme


def test_demo_totals_through_the_api(demo_programme, client_for, users):
    data = client_for(users.auditor).get(f"/api/v1/programmes/{demo_programme.pk}/totals/").json()
    assert data["cash_received_vnd"] == 405_000_000
    assert data["phones_in_kind"] == 176
    assert data["donors"] == 76
    assert data["donors_by_kind"]["individual"] == 35
    assert data["donors_by_kind"]["agency"] + data["donors_by_kind"]["enterprise"] + \
        data["donors_by_kind"]["other"] == 41
    assert data["cash_pledged_vnd"] == 700_000_000 + 34_500_000
    assert data["cash_spent_vnd"] == 404_000_000 and data["phones_purchased"] == 202
    assert data["cash_balance_vnd"] == 1_000_000


def test_demo_every_cash_gift_paid_for_phones_and_the_account_balances(demo_programme):
    from donations.models import CashAllocation
    from donations.selectors import fund_account

    cash_gifts = Donation.objects.filter(programme=demo_programme, cash_vnd__gt=0).effective()
    paid = set(CashAllocation.objects.active().values_list("donation_id", flat=True))
    assert set(cash_gifts.values_list("pk", flat=True)) <= paid  # all 70 cash donors reach phones
    account = fund_account(demo_programme)
    assert account["balanced"], account["differences"]
    assert (account["cash_received_vnd"], account["cash_spent_vnd"], account["cash_balance_vnd"]) == (
        405_000_000, 404_000_000, 1_000_000)
    assert account["phones_bought"] == account["phones_counted"] == 202


def test_demo_fund_page_shows_the_same(demo_programme, client_for, users):
    page = client_for(users.province).get(reverse("donations:fund", args=[demo_programme.pk])).content.decode()
    assert "405.000.000 ₫" in page and ">176<" in page and ">76<" in page


def test_demo_ceremony_pledges_and_unit_split(demo_programme):
    ceremony = Pledge.objects.filter(programme=demo_programme, occasion=demo.OCCASION)
    enterprises = sum(p.cash_vnd for p in ceremony.filter(donor__kind="enterprise"))
    delegates = sum(p.cash_vnd for p in ceremony.filter(donor__kind="individual"))
    assert enterprises == 700_000_000 and delegates >= 34_000_000
    givers = Donation.objects.filter(programme=demo_programme).effective()
    units = givers.exclude(donor__kind="individual")
    assert units.filter(cash_vnd__gt=0).values("donor").distinct().count() == 35
    assert units.filter(phones_count__gt=0).values("donor").distinct().count() == 6
    assert all(d.received_on.isoformat() <= "2023-08-30" for d in givers)


def test_demo_is_idempotent(demo_programme):
    counts = (Donor.objects.count(), Pledge.objects.count(), Donation.objects.count(), Procurement.objects.count())
    demo.load(programme=demo_programme, stdout=io.StringIO())
    assert counts == (Donor.objects.count(), Pledge.objects.count(), Donation.objects.count(),
                      Procurement.objects.count())


def test_demo_district_officer_sees_only_na_ri_gifts(demo_programme, client_for, users):
    page = client_for(users.district).get(
        reverse("donations:donation_list", args=[demo_programme.pk])).content.decode()
    assert "Trung tâm Y tế huyện Na Rì" in page and "Trường THPT Na Rì" in page
    assert "Ba Bể" not in page and "Viettel" not in page
