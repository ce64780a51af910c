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
