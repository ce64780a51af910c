"""The fund invariant under concurrent requests (PostgreSQL: real row locks)."""

import datetime
import functools

import pytest

from donations import services
from donations.models import Procurement
from phocap.common.errors import DomainError
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n, work):
    """Run `work(i)` in n threads released together; what each raised or returned."""
    return run_together(*(functools.partial(work, i) for i in range(n)))


def test_two_staff_buying_at_once_cannot_overspend(programme, company, give):
    give(company, cash=10_000_000)  # enough for 5 phones, not for 2 × 3

    def buy(i):
        return services.procurement_create(programme=programme, supplier=f"Nhà cung cấp {i}", quantity=3,
                                           purchased_on=datetime.date(2023, 9, 5))

    results = _race(2, buy)
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1, results
    assert "Không đủ tiền" in str(refused[0])
    assert Procurement.objects.count() == 1
    assert services.cash_spent_vnd(programme.pk) <= services.cash_received_vnd(programme.pk)


def test_many_concurrent_purchases_never_exceed_cash(programme, company, give):
    give(company, cash=20_000_000)  # 10 phones

    def buy(i):
        return services.procurement_create(programme=programme, supplier="FPT Shop", quantity=2,
                                           purchased_on=datetime.date(2023, 9, 5))

    results = _race(8, buy)
    assert sum(1 for r in results if isinstance(r, Procurement)) == 5
    assert all(isinstance(r, Procurement | DomainError) for r in results), results
    assert services.cash_spent_vnd(programme.pk) == 20_000_000


def test_reversal_racing_a_purchase_cannot_leave_the_fund_overspent(programme, company, person, give):
    gift = give(company, cash=10_000_000)
    give(person, cash=2_000_000)

    def work(i):
        if i == 0:
            return services.donation_reverse(donation=gift, reason="Nhập nhầm")
        return services.procurement_create(programme=programme, supplier="FPT Shop", quantity=3,
                                           purchased_on=datetime.date(2023, 9, 5))

    results = _race(2, work)
    assert sum(1 for r in results if isinstance(r, DomainError)) == 1, results
    assert services.cash_spent_vnd(programme.pk) <= services.cash_received_vnd(programme.pk)


def test_racing_purchases_when_the_cash_runs_out_keep_the_allocation_identities(programme, company, person, give):
    from donations.models import CashAllocation
    from donations.selectors import allocation_differences

    give(company, cash=6_000_000, on=datetime.date(2023, 8, 10))
    give(person, cash=3_000_000, on=datetime.date(2023, 8, 12))  # 9 M: room for 4 phones, not 2 × 3

    def buy(i):
        return services.procurement_create(programme=programme, supplier=f"Nhà cung cấp {i}", quantity=3,
                                           purchased_on=datetime.date(2023, 9, 5))

    results = _race(2, buy)
    won = [r for r in results if isinstance(r, Procurement)]
    assert len(won) == 1 and sum(isinstance(r, DomainError) for r in results) == 1, results
    rows = CashAllocation.objects.active()
    assert sum(r.amount_vnd for r in rows) == 6_000_000 and sum(r.phones for r in rows) == 3
    assert {r.donation.donor_id for r in rows} == {company.pk}  # first received, first spent
    assert allocation_differences(programme.pk) == []


def test_the_database_alone_stops_two_writers_spending_the_same_gift(programme, company, give):
    """Writers that bypass the service (and its programme lock): the deferred trigger locks
    the gift row at commit and sums again, so the second commit fails."""
    from django.db import IntegrityError, transaction

    from donations.models import CashAllocation
    from donations.selectors import allocation_differences

    gift = give(company, cash=10_000_000)
    first = services.procurement_create(programme=programme, supplier="A", quantity=1,
                                        purchased_on=datetime.date(2023, 9, 5))

    def write(i):
        with transaction.atomic():
            p = Procurement.objects.create(programme=programme, unit=programme.province, supplier=f"B{i}",
                                           purchased_on=datetime.date(2023, 9, 5), unit_price_vnd=5_000_000,
                                           quantity=1)
            CashAllocation.objects.create(programme=programme, donation=gift, procurement=p,
                                          amount_vnd=5_000_000, offset_vnd=0, phones=1)
            return p

    results = _race(2, write)
    assert sum(isinstance(r, Procurement) for r in results) == 1, results
    assert sum(isinstance(r, IntegrityError) for r in results) == 1, results
    assert first.pk and allocation_differences(programme.pk) == []
