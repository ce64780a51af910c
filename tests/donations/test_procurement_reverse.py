"""The "reverse this purchase" button on the purchase list: province staff only, POST only,
a reason required, refusals shown as a message, a reversed purchase shown as such."""

import datetime

import pytest
from django.urls import reverse

from donations import services
from donations.errors import Code
from donations.models import CashAllocation, Donor, Procurement
from donations.selectors import allocation_differences, programme_totals
from phocap.common.errors import DomainError

pytestmark = pytest.mark.django_db
SEP5 = datetime.date(2023, 9, 5)


@pytest.fixture
def bought(programme, tree, give):
    """Gifts of 3 M (10/8) and 4 M (11/8); purchases p (2 phones, 4 M) then q (1 phone, 2 M)."""
    for name, cash, day in (("An", 3_000_000, 10), ("Bình", 4_000_000, 11)):
        donor = services.donor_create(kind=Donor.Kind.INDIVIDUAL, name=name, unit=tree.bk)
        give(donor, cash=cash, on=datetime.date(2023, 8, day))
    p = services.procurement_create(programme=programme, supplier="FPT Shop", quantity=2,
                                    unit_price_vnd=2_000_000, purchased_on=SEP5, invoice_number="HD-1")
    q = services.procurement_create(programme=programme, supplier="Thế Giới Di Động", quantity=1,
                                    unit_price_vnd=2_000_000, purchased_on=SEP5, invoice_number="HD-2")
    return p, q


def _url(p):
    return reverse("donations:procurement_reverse", args=[p.pk])


def _errors(response):
    """Error messages shown on the page the POST went back to (followed)."""
    return [m.message for m in response.context["messages"] if m.level_tag == "error"]


def test_province_staff_reverse_a_purchase_and_the_cash_goes_back(client_for, users, programme, bought):
    p, q = bought
    before = programme_totals(programme)["cash_balance_vnd"]
    c = client_for(users.province)
    r = c.post(_url(p), {"reason": "Hóa đơn nhập trùng"})
    assert r.status_code == 302 and r.url == reverse("donations:procurement_list", args=[programme.pk])
    p.refresh_from_db()
    assert p.reversed_at and p.reverse_reason == "Hóa đơn nhập trùng"
    assert programme_totals(programme)["cash_balance_vnd"] == before + 4_000_000
    # p's allocations are kept as history; q now draws first on An's gift (first received).
    assert not CashAllocation.objects.active().filter(procurement=p).exists()
    assert CashAllocation.objects.filter(procurement=p).exists()
    assert list(CashAllocation.objects.active().filter(procurement=q)
                .values_list("donation__donor__name", "amount_vnd")) == [("An", 2_000_000)]
    assert allocation_differences(programme.pk) == []
    page = c.get(r.url).content.decode()
    assert "Hóa đơn nhập trùng" in page and "Đã đảo" in page
    # Only q still offers the button.
    assert _url(q) in page and _url(p) not in page


def test_the_list_offers_the_button_to_province_staff_only(client_for, users, programme, bought):
    p, _q = bought
    list_url = reverse("donations:procurement_list", args=[programme.pk])
    assert _url(p) in client_for(users.province).get(list_url).content.decode()
    assert _url(p) not in client_for(users.auditor).get(list_url).content.decode()


def test_a_reason_is_required(client_for, users, programme, bought):
    p, _q = bought
    for data in ({}, {"reason": "   "}):
        r = client_for(users.province).post(_url(p), data, follow=True)
        assert r.redirect_chain[-1][0] == reverse("donations:procurement_list", args=[programme.pk])
        assert len(_errors(r)) == 1
    p.refresh_from_db()
    assert p.reversed_at is None
    with pytest.raises(DomainError) as e:
        services.procurement_reverse(procurement=p, reason="")
    assert e.value.code == Code.REASON_REQUIRED


def test_a_purchase_whose_phones_are_registered_is_refused_with_the_services_message(
        client_for, users, programme, bought, tree):
    dist = pytest.importorskip("distribution.services")
    from distribution.imeis import luhn_complete

    p, _q = bought
    dist.devices_register(programme=programme, unit=tree.bk, by=users.province, procurement=p,
                          imeis=[luhn_complete("35000000000001")])
    allocations = CashAllocation.objects.active().count()
    r = client_for(users.province).post(_url(p), {"reason": "Nhập nhầm"}, follow=True)
    p.refresh_from_db()
    assert p.reversed_at is None and CashAllocation.objects.active().count() == allocations
    with pytest.raises(DomainError) as e:
        services.procurement_reverse(procurement=p, reason="Nhập nhầm")
    assert e.value.code == Code.PROCUREMENT_HAS_DEVICES
    assert _errors(r) == [e.value.message]


def test_a_reversed_purchase_cannot_be_reversed_again(client_for, users, bought):
    p, _q = bought
    c = client_for(users.province)
    c.post(_url(p), {"reason": "Nhập trùng"}, follow=True)
    r = c.post(_url(p), {"reason": "Lần nữa"}, follow=True)
    assert len(_errors(r)) == 1
    p.refresh_from_db()
    assert p.reverse_reason == "Nhập trùng"


@pytest.mark.parametrize("who, status", [("auditor", 403), ("district", 403), ("tn_staff", 404),
                                         ("other_district", 404)])
def test_others_are_refused(client_for, users, programme, tree, bought, who, status):
    """Province staff only: an auditor, or a district officer who sees the purchase (it
    arrived at their district), gets 403; anyone who cannot see it (another province,
    another district) gets 404, as on the list."""
    nari = services.procurement_create(programme=programme, supplier="Cửa hàng Na Rì", quantity=1,
                                       unit_price_vnd=1_000_000, purchased_on=SEP5, unit=tree.na_ri)
    assert client_for(getattr(users, who)).post(_url(nari), {"reason": "x"}).status_code == status
    assert not Procurement.objects.filter(reversed_at__isnull=False).exists()


def test_get_is_not_allowed(client_for, users, bought):
    p, _q = bought
    assert client_for(users.province).get(_url(p)).status_code == 405
