import datetime

import pytest

from donations import services
from donations.models import Donor


@pytest.fixture
def today():
    return datetime.date(2023, 8, 30)


@pytest.fixture
def company(tree):
    return services.donor_create(kind=Donor.Kind.ENTERPRISE, name="Viettel Bắc Kạn", tax_code="0100109106",
                                 unit=tree.bk, phone="0209 3870 123", public_consent=True)


@pytest.fixture
def person(tree):
    return services.donor_create(kind=Donor.Kind.INDIVIDUAL, name="Nguyễn Văn An", unit=tree.bk,
                                 phone="0912345678", address="Tổ 1, phường Đức Xuân")


@pytest.fixture
def local_donor(tree):
    """A donor recorded by Na Rì district."""
    return services.donor_create(kind=Donor.Kind.AGENCY, name="Hội Nông dân huyện Na Rì", unit=tree.na_ri)


@pytest.fixture
def give(programme, tree):
    """give(donor, cash=..., phones=..., unit=...) → a donation received on 20/8/2023."""

    def _give(donor, *, cash=0, phones=0, unit=None, pledge=None, receipt="", on=datetime.date(2023, 8, 20)):
        return services.donation_create(
            programme=programme, donor=donor, unit=unit or tree.bk, received_on=on, cash_vnd=cash,
            cash_method="bank_transfer" if cash else "", receipt_number=receipt, phones_count=phones,
            phone_condition="new" if phones else "", pledge=pledge)

    return _give


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Once-only submit tokens live in the cache: a token a test spent must not make a
    later test's POST look resent (the tests reuse tokens such as "t")."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
