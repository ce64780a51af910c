import datetime

import pytest
from django.db import IntegrityError

from donations import services
from donations.errors import Code
from donations.models import Donation, Donor, Pledge, Procurement
from donations.selectors import programme_totals
from tests.errors import raises_code

pytestmark = pytest.mark.django_db


# --- donors -------------------------------------------------------------------------------

def test_donor_phone_and_tax_code_are_normalised(company):
    assert company.phone == "+842093870123"
    assert company.tax_code == "0100109106"
    assert company.name_ascii == "viettel bac kan"


def test_same_tax_code_is_the_same_donor(company, tree):
    with raises_code(Code.TAX_CODE_TAKEN):
        services.donor_create(kind="enterprise", name="Chi nhánh Viettel", tax_code="0100109106", unit=tree.bk)
    assert Donor.objects.count() == 1


@pytest.mark.parametrize("field, value, code", [
    ("tax_code", "4700123456", Code.TAX_CODE_INVALID),
    ("phone", "12345", Code.PHONE_INVALID),
    ("name", "   ", Code.DONOR_NAME_REQUIRED),
])
def test_bad_donor_input_is_refused_and_nothing_written(tree, field, value, code):
    values = {"kind": "enterprise", "name": "Công ty ABC", "tax_code": "0101243150", "unit": tree.bk}
    values[field] = value
    with raises_code(code):
        services.donor_create(**values)
    assert not Donor.objects.exists()


def test_enterprise_needs_a_tax_code(tree):
    with raises_code(Code.TAX_CODE_REQUIRED):
        services.donor_create(kind="enterprise", name="Công ty ABC", unit=tree.bk)


def test_database_refuses_duplicate_tax_code_behind_the_service(company, tree):
    with pytest.raises(IntegrityError):
        Donor.objects.create(kind="enterprise", name="X", name_ascii="x", tax_code=company.tax_code, unit=tree.bk)


# --- pledges: fulfilment maths ------------------------------------------------------------

def _status(pledge, today=datetime.date(2023, 8, 25)):
    return Pledge.objects.with_status(today).get(pk=pledge.pk)


def test_pledge_status_follows_linked_donations(programme, company, give):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=100_000_000, phones=10, due_date=datetime.date(2023, 9, 30),
                                    occasion="Lễ phát động 11/8/2023")
    assert _status(pledge).status == "open"
    give(company, cash=50_000_000, pledge=pledge)
    p = _status(pledge)
    assert (p.status, p.cash_received_vnd, p.phones_received) == ("partly", 50_000_000, 0)
    give(company, cash=50_000_000, phones=4, pledge=pledge)
    assert _status(pledge).status == "partly"  # phones still short
    give(company, phones=6, pledge=pledge)
    p = _status(pledge)
    assert (p.status, p.cash_received_vnd, p.phones_received) == ("fulfilled", 100_000_000, 10)


def test_overdue_is_computed_from_due_date(programme, company, give):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=10_000_000, due_date=datetime.date(2023, 8, 31))
    give(company, cash=4_000_000, pledge=pledge)
    assert _status(pledge, datetime.date(2023, 8, 31)).status == "partly"
    assert _status(pledge, datetime.date(2023, 9, 1)).status == "overdue"
    give(company, cash=6_000_000, pledge=pledge)
    assert _status(pledge, datetime.date(2023, 9, 1)).status == "fulfilled"


def test_reversed_gift_no_longer_fulfils_the_pledge(programme, company, give):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=10_000_000)
    gift = give(company, cash=10_000_000, pledge=pledge)
    assert _status(pledge).status == "fulfilled"
    services.donation_reverse(donation=gift, reason="Nhập nhầm số tiền")
    p = _status(pledge)
    assert (p.status, p.cash_received_vnd) == ("open", 0)


def test_cancelled_pledge(programme, company):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=10_000_000, due_date=datetime.date(2023, 8, 20))
    with raises_code(Code.REASON_REQUIRED):
        services.pledge_cancel(pledge=pledge, reason=" ")
    services.pledge_cancel(pledge=pledge, reason="Doanh nghiệp chuyển sang hỗ trợ xã khác")
    assert _status(pledge).status == "cancelled"
    assert programme_totals(programme)["cash_pledged_vnd"] == 0


def test_pledge_needs_an_amount(programme, company):
    with raises_code(Code.PLEDGE_EMPTY):
        services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11))


def test_gift_cannot_fulfil_another_donors_pledge(programme, company, person, give):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=10_000_000)
    with raises_code(Code.PLEDGE_MISMATCH):
        give(person, cash=1_000_000, pledge=pledge)


def test_mark_overdue_is_idempotent_and_clears_when_paid(programme, company, give):
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=10_000_000, due_date=datetime.date(2023, 8, 15))
    assert services.pledges_mark_overdue(today=datetime.date(2023, 8, 20)) == 1
    pledge.refresh_from_db()
    first = pledge.overdue_noted_at
    assert first is not None
    assert services.pledges_mark_overdue(today=datetime.date(2023, 8, 21)) == 0
    pledge.refresh_from_db()
    assert pledge.overdue_noted_at == first
    give(company, cash=10_000_000, pledge=pledge)
    services.pledges_mark_overdue(today=datetime.date(2023, 8, 22))
    pledge.refresh_from_db()
    assert pledge.overdue_noted_at is None


def test_beat_task_runs_the_service(programme, company):
    from donations.tasks import pledges_mark_overdue_task

    services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                           cash_vnd=10_000_000, due_date=datetime.date(2023, 8, 15))
    assert pledges_mark_overdue_task.delay().get() == 1
    assert pledges_mark_overdue_task.delay().get() == 0


# --- donations ----------------------------------------------------------------------------

def test_receipt_number_is_unique_within_the_programme(company, person, give):
    give(company, cash=1_000_000, receipt="PT-001")
    with raises_code(Code.RECEIPT_NUMBER_TAKEN):
        give(person, cash=2_000_000, receipt="PT-001")
    assert Donation.objects.count() == 1


def test_cash_needs_a_method_and_phones_a_condition(programme, company, tree):
    base = {"programme": programme, "donor": company, "unit": tree.bk, "received_on": datetime.date(2023, 8, 20)}
    with raises_code(Code.CASH_METHOD_REQUIRED):
        services.donation_create(**base, cash_vnd=1_000_000)
    with raises_code(Code.PHONE_CONDITION_REQUIRED):
        services.donation_create(**base, phones_count=3)
    with raises_code(Code.DONATION_EMPTY):
        services.donation_create(**base)
    assert not Donation.objects.exists()


def test_phone_value_defaults_to_programme_price(company, give):
    gift = give(company, phones=5)
    assert gift.phone_unit_value_vnd == 2_000_000


def test_gift_received_outside_the_province_is_refused(company, give, tree):
    with raises_code(Code.UNIT_OUTSIDE_PROVINCE):
        give(company, cash=1_000_000, unit=tree.tn_commune)


def test_reversal_keeps_both_rows_and_stops_counting(programme, company, give):
    gift = give(company, cash=30_000_000, phones=5)
    reversal = services.donation_reverse(donation=gift, reason="Nhập trùng")
    assert Donation.objects.count() == 2
    assert reversal.reverses == gift and reversal.reason == "Nhập trùng"
    totals = programme_totals(programme)
    assert (totals["cash_received_vnd"], totals["phones_in_kind"], totals["donors"]) == (0, 0, 0)
    with raises_code(Code.DONATION_REVERSED):
        services.donation_reverse(donation=gift, reason="lần nữa")
    with raises_code(Code.REVERSAL_NOT_REVERSIBLE):
        services.donation_reverse(donation=reversal, reason="đảo của đảo")
    with raises_code(Code.REASON_REQUIRED):
        services.donation_reverse(donation=give(company, cash=1), reason="")


def test_reversed_receipt_number_can_be_recorded_again_correctly(programme, company, give):
    wrong = give(company, cash=50_000_000, receipt="PT-007")
    services.donation_acknowledge(donation=wrong)
    services.donation_reverse(donation=wrong, reason="Sai số tiền: phiếu ghi 5.000.000")
    right = give(company, cash=5_000_000, receipt="PT-007")
    assert programme_totals(programme)["cash_received_vnd"] == 5_000_000
    with raises_code(Code.RECEIPT_NUMBER_TAKEN):
        give(company, cash=1_000_000, receipt="PT-007")
    with raises_code(Code.DONATION_REVERSED):
        services.donation_acknowledge(donation=wrong)
    assert right.receipt_number == "PT-007"


def test_database_refuses_two_standing_gifts_with_one_receipt(programme, company, give, tree):
    give(company, cash=1_000_000, receipt="PT-1")
    with pytest.raises(IntegrityError):
        Donation.objects.create(programme=programme, donor=company, unit=tree.bk, cash_vnd=1, cash_method="cash",
                                received_on=datetime.date(2023, 8, 1), receipt_number="PT-1")


def test_acknowledged_gift_can_only_be_reversed(company, give):
    gift = give(company, cash=5_000_000)
    services.donation_update(donation=gift, cash_vnd=6_000_000)
    gift.refresh_from_db()
    assert gift.cash_vnd == 6_000_000
    services.donation_acknowledge(donation=gift, kind="letter")
    with raises_code(Code.DONATION_ACKNOWLEDGED):
        services.donation_update(donation=gift, cash_vnd=7_000_000)


def test_edits_before_acknowledgement_leave_a_trail(company, give):
    gift = give(company, cash=5_000_000)
    services.donation_update(donation=gift, cash_vnd=6_000_000)
    assert [h.cash_vnd for h in gift.history.order_by("history_date")] == [5_000_000, 6_000_000]


def test_acknowledge_keeps_first_date(company, give):
    gift = give(company, cash=5_000_000)
    first = services.donation_acknowledge(donation=gift, kind="certificate").acknowledged_at
    again = services.donation_acknowledge(donation=gift, kind="letter")
    assert again.acknowledged_at == first and again.ack_kind == "certificate"


# --- procurement and the fund -------------------------------------------------------------

def test_procurement_within_cash_received(programme, company, give):
    give(company, cash=10_000_000)
    p = services.procurement_create(programme=programme, supplier="Thế Giới Di Động", quantity=3,
                                    purchased_on=datetime.date(2023, 9, 5), invoice_number="HD-1")
    assert p.unit_price_vnd == 2_000_000 and p.unit == programme.province
    totals = programme_totals(programme)
    assert totals["cash_spent_vnd"] == 6_000_000
    assert totals["cash_balance_vnd"] == 4_000_000
    assert totals["phones_purchased"] == 3
    assert totals["phones_equivalent_of_balance"] == 2


def test_overspending_is_refused_with_a_clear_message(programme, company, give):
    give(company, cash=10_000_000)
    services.procurement_create(programme=programme, supplier="FPT Shop", quantity=4,
                                purchased_on=datetime.date(2023, 9, 5))
    with raises_code(Code.FUND_INSUFFICIENT) as e:
        services.procurement_create(programme=programme, supplier="FPT Shop", quantity=2,
                                    purchased_on=datetime.date(2023, 9, 6))
    assert "4.000.000 ₫" in e.value.message and "2.000.000 ₫" in e.value.message  # cost and balance shown
    assert Procurement.objects.count() == 1


def test_reversal_cannot_leave_the_fund_overspent(programme, company, person, give):
    big = give(company, cash=10_000_000)
    give(person, cash=1_000_000)
    services.procurement_create(programme=programme, supplier="FPT Shop", quantity=5,
                                purchased_on=datetime.date(2023, 9, 5))
    with raises_code(Code.FUND_WOULD_GO_NEGATIVE):
        services.donation_reverse(donation=big, reason="nhầm")
    assert not Donation.objects.filter(reverses=big).exists()
    with raises_code(Code.FUND_WOULD_GO_NEGATIVE):
        services.donation_update(donation=big, cash_vnd=2_000_000)
    big.refresh_from_db()
    assert big.cash_vnd == 10_000_000


def test_in_kind_phones_do_not_count_as_cash(programme, company, give):
    give(company, phones=50)
    with raises_code(Code.FUND_INSUFFICIENT):
        services.procurement_create(programme=programme, supplier="X", quantity=1,
                                    purchased_on=datetime.date(2023, 9, 5))


def test_totals(programme, company, person, local_donor, give, tree):
    services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                           cash_vnd=700_000_000, phones=20)
    give(company, phones=20)
    give(person, cash=500_000)
    give(person, cash=1_500_000)
    give(local_donor, cash=3_000_000, unit=tree.na_ri)
    t = programme_totals(programme)
    assert t["cash_pledged_vnd"] == 700_000_000
    assert t["phones_pledged"] == 20
    assert t["cash_received_vnd"] == 5_000_000
    assert t["phones_in_kind"] == 20
    assert t["phones_equivalent_of_cash_received"] == 2
    assert t["donors"] == 3
    assert t["donors_by_kind"] == {"agency": 1, "enterprise": 1, "individual": 1, "other": 0}


def test_gift_whose_phones_are_registered_cannot_be_reversed_or_shrunk(programme, company, give, users, tree):
    """Integration with distribution: devices registered against a gift pin its phones."""
    dist = pytest.importorskip("distribution.services")
    from distribution.imeis import luhn_complete

    gift = give(company, phones=5)
    dist.devices_register(programme=programme, unit=tree.bk, by=users.province, donation=gift,
                          imeis=[luhn_complete(f"35{n:012d}") for n in range(1, 4)])
    with raises_code(Code.DONATION_HAS_DEVICES):
        services.donation_reverse(donation=gift, reason="nhầm")
    with raises_code(Code.PHONES_BELOW_REGISTERED):
        services.donation_update(donation=gift, phones_count=2)
    services.donation_update(donation=gift, phones_count=3)
    assert not Donation.objects.filter(reverses=gift).exists()
