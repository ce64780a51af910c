"""Pledge fulfilment maths against a plain-Python model, on random gift sequences."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from donations import services
from donations.models import Pledge

pytestmark = pytest.mark.django_db

gifts = st.lists(st.tuples(st.integers(0, 6) .map(lambda n: n * 1_000_000), st.integers(0, 4), st.booleans())
                 .filter(lambda g: g[0] or g[1]), max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cash=st.integers(0, 10).map(lambda n: n * 1_000_000), phones=st.integers(0, 8), gifts=gifts,
       due_in=st.integers(-5, 5))
def test_status_matches_the_definition(programme, company, tree, cash, phones, gifts, due_in):
    if not cash and not phones:
        phones = 1
    today = datetime.date(2023, 9, 1)
    pledge = services.pledge_create(programme=programme, donor=company, pledged_on=datetime.date(2023, 8, 11),
                                    cash_vnd=cash, phones=phones, due_date=today + datetime.timedelta(days=due_in))
    received_cash = received_phones = 0
    for gift_cash, gift_phones, reversed_ in gifts:
        gift = services.donation_create(
            programme=programme, donor=company, unit=tree.bk, received_on=datetime.date(2023, 8, 20),
            cash_vnd=gift_cash, cash_method="cash" if gift_cash else "", phones_count=gift_phones,
            phone_condition="used" if gift_phones else "", pledge=pledge)
        if reversed_:
            services.donation_reverse(donation=gift, reason="thử")
        else:
            received_cash += gift_cash
            received_phones += gift_phones
    if received_cash >= cash and received_phones >= phones:
        expected = "fulfilled"
    elif due_in < 0:
        expected = "overdue"
    elif received_cash or received_phones:
        expected = "partly"
    else:
        expected = "open"
    got = Pledge.objects.with_status(today).get(pk=pledge.pk)
    assert (got.status, got.cash_received_vnd, got.phones_received) == (expected, received_cash, received_phones)
