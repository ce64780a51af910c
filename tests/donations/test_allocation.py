"""Cash to purchases, first received first spent: the rule, whole phones, reversals, the
backfill, and the database refusing what breaks the identities."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from donations import allocation, services
from donations.models import CashAllocation, Donor, Procurement
from donations.selectors import allocation_differences
from phocap.common.errors import DomainError

pytestmark = pytest.mark.django_db
SEP5 = datetime.date(2023, 9, 5)


def _donor(tree, name):
    return services.donor_create(kind=Donor.Kind.INDIVIDUAL, name=name, unit=tree.bk)


@pytest.fixture
def three(tree, give):
    """Gifts of 3, 1 and 4 million, received on 10/8, 12/8 and 11/8 (out of order)."""
    a = give(_donor(tree, "An"), cash=3_000_000, on=datetime.date(2023, 8, 10))
    c = give(_donor(tree, "Cúc"), cash=1_000_000, on=datetime.date(2023, 8, 12))
    b = give(_donor(tree, "Bình"), cash=4_000_000, on=datetime.date(2023, 8, 11))
    return a, b, c


def buy(programme, qty, price=2_000_000):
    return services.procurement_create(programme=programme, supplier="FPT Shop", quantity=qty,
                                       unit_price_vnd=price, purchased_on=SEP5)


def standing(**where):
    return sorted(CashAllocation.objects.active().filter(**where)
                  .values_list("donation__donor__name", "procurement_id", "amount_vnd", "offset_vnd", "phones"))


def test_a_purchase_draws_first_received_first_and_counts_whole_phones(programme, three):
    a, b, c = three
    p = buy(programme, 3)  # 6,000,000: all of An's 3 M (10/8), 3 M of Bình's 4 M (11/8)
    assert standing() == [("An", p.pk, 3_000_000, 0, 1), ("Bình", p.pk, 3_000_000, 3_000_000, 2)]
    # phone 1 ends at 2 M (An), phone 2 at 4 M and phone 3 at 6 M (Bình): 1 + 2 = 3.
    q = buy(programme, 1)  # the rest of Bình (1 M), then Cúc (1 M)
    assert standing(procurement=q) == [("Bình", q.pk, 1_000_000, 0, 0), ("Cúc", q.pk, 1_000_000, 1_000_000, 1)]
    assert allocation_differences(programme.pk) == []


def test_whole_phones_of_a_purchase_add_up_to_its_quantity(programme, tree, give):
    for i, amount in enumerate([700_000, 1_300_000, 2_500_000, 500_000, 3_000_000]):
        give(_donor(tree, f"Người {i}"), cash=amount, on=datetime.date(2023, 8, 1 + i))
    p = buy(programme, 4, price=1_900_000)  # 7,600,000 over five gifts
    rows = CashAllocation.objects.active().filter(procurement=p)
    assert sum(r.amount_vnd for r in rows) == 7_600_000
    assert sum(r.phones for r in rows) == 4
    for r in rows:  # never more than one phone away from the exact share
        assert abs(r.phones - r.amount_vnd * 4 / 7_600_000) < 1


def test_overspending_is_refused_and_writes_nothing(programme, three):
    with pytest.raises(DomainError):
        buy(programme, 5)  # 10 M > 8 M
    assert not Procurement.objects.exists() and not CashAllocation.objects.exists()


def test_reversing_a_gift_reallocates_by_the_rule_and_keeps_history(programme, three):
    a, b, c = three
    p = buy(programme, 2)  # An 3 M + Bình 1 M
    services.donation_reverse(donation=a, reason="Nhập nhầm người")
    assert standing() == [("Bình", p.pk, 4_000_000, 0, 2)]
    old = CashAllocation.objects.filter(superseded_at__isnull=False)
    assert sorted(old.values_list("donation__donor__name", "amount_vnd")) == [("An", 3_000_000), ("Bình", 1_000_000)]
    assert allocation_differences(programme.pk) == []


def test_reversing_a_purchase_frees_its_cash_for_the_next(programme, three):
    a, b, c = three
    p, q = buy(programme, 2), buy(programme, 1)
    services.procurement_reverse(procurement=p, reason="Hóa đơn nhập trùng")
    assert standing() == [("An", q.pk, 2_000_000, 0, 1)]
    assert CashAllocation.objects.filter(procurement=p, superseded_at__isnull=True).count() == 0
    assert CashAllocation.objects.filter(procurement=p).count() == 2  # history
    with pytest.raises(DomainError) as e:
        services.procurement_reverse(procurement=p, reason="lại")
    assert e.value.code == "procurement_already_reversed"
    with pytest.raises(DomainError) as e:
        services.procurement_reverse(procurement=q, reason="  ")
    assert e.value.code == "reason_required"


def test_a_gift_typed_in_late_goes_to_its_place_in_the_queue(programme, tree, give, three):
    a, b, c = three
    p = buy(programme, 1)  # An's 2 M
    give(_donor(tree, "Dũng"), cash=2_000_000, on=datetime.date(2023, 8, 1))
    assert standing() == [("Dũng", p.pk, 2_000_000, 0, 1)]


def test_lowering_a_gift_below_what_it_paid_requeues(programme, three):
    a, b, c = three
    p = buy(programme, 2)
    services.donation_update(donation=a, cash_vnd=1_000_000)
    assert standing() == [("An", p.pk, 1_000_000, 0, 0), ("Bình", p.pk, 3_000_000, 1_000_000, 2)]


def test_backfill_allocates_old_purchases_and_is_idempotent(programme, three):
    # A purchase recorded before allocation existed: no rows.
    Procurement.objects.create(programme=programme, unit=programme.province, supplier="Cũ", purchased_on=SEP5,
                               unit_price_vnd=2_000_000, quantity=2)
    assert allocation_differences(programme.pk)
    out = io.StringIO()
    call_command("allocate_cash", stdout=out)
    assert f"programme={programme.pk} superseded=0 inserted=2" in out.getvalue()
    assert allocation_differences(programme.pk) == []
    before = list(CashAllocation.objects.values_list("pk", "superseded_at"))
    assert services.allocations_backfill(programme=programme) == (0, 0)
    assert list(CashAllocation.objects.values_list("pk", "superseded_at")) == before


def test_the_database_refuses_a_gift_spent_twice(programme, three):
    a, b, c = three
    p = buy(programme, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CashAllocation.objects.create(programme=programme, donation=c, procurement=p, amount_vnd=1_500_000)
        _check_deferred()


def test_the_database_refuses_a_purchase_allocated_short(programme, three):
    a, b, c = three
    p = buy(programme, 1)
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot defer: the service and fund_drift check sums")
    with pytest.raises(IntegrityError), transaction.atomic():
        CashAllocation.objects.filter(procurement=p).update(superseded_at=datetime.datetime.now(datetime.UTC))
        _check_deferred()


def test_allocations_are_history_never_deleted_or_rewritten(programme, three):
    buy(programme, 1)
    row = CashAllocation.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        CashAllocation.objects.filter(pk=row.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        CashAllocation.objects.filter(pk=row.pk).update(amount_vnd=1)


def test_reallocate_is_one_pair_of_statements_whatever_the_number_of_gifts(programme, tree, give,
                                                                             django_assert_num_queries):
    for i in range(30):
        give(_donor(tree, f"Người {i}"), cash=500_000, on=datetime.date(2023, 8, 1 + i % 28))
    Procurement.objects.create(programme=programme, unit=programme.province, supplier="Cũ", purchased_on=SEP5,
                               unit_price_vnd=2_000_000, quantity=7)
    with django_assert_num_queries(2):
        assert allocation.reallocate(programme.pk) == (0, 28)
    assert allocation_differences(programme.pk) == []


def _check_deferred():
    """PostgreSQL checks at commit; the test's transaction never commits, so ask now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
