"""From money to phones to people: a cash gift's share of a purchase follows that
purchase's phones to communes and hand-outs; in-kind gifts follow their own phones."""

import datetime
from fractions import Fraction

import pytest
from django.urls import reverse

from distribution import services
from distribution.gift_trace import gifts_trace
from donations import services as money
from donations.models import Donation, Donor
from tests.factories import make_imei, phones_to_commune

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def cash_path(programme, tree, users, households):
    """An (3 M, first) and Bình (5 M) pay for 2 phones at 4 M; both phones reach Côn
    Minh, one is handed to the poor household."""
    def gift(name, cash, day):
        donor = money.donor_create(kind=Donor.Kind.INDIVIDUAL, name=name, unit=tree.bk)
        return money.donation_create(programme=programme, donor=donor, unit=tree.bk, cash_vnd=cash,
                                     cash_method="cash", received_on=datetime.date(2023, 8, day))

    an, binh = gift("Trần Văn An", 3_000_000, 10), gift("Lê Thị Bình", 5_000_000, 11)
    purchase = money.procurement_create(programme=programme, supplier="FPT", quantity=2, unit_price_vnd=4_000_000,
                                        purchased_on=datetime.date(2023, 9, 5))
    imeis = [make_imei(500 + i) for i in range(2)]
    phones_to_commune(programme, imeis=imeis, path=[tree.bk, tree.na_ri, tree.con_minh], procurement=purchase,
                      users_by_unit={tree.bk.pk: users.province, tree.na_ri.pk: users.district,
                                     tree.con_minh.pk: users.commune})
    services.handout_create(programme=programme, household=households.poor, by=users.commune, imei=imeis[0],
                            handed_out_on=TODAY, person=households.poor.people.get(is_head=True))
    return an, binh


def test_a_cash_gift_owns_its_share_of_the_purchase_phones(cash_path, tree):
    an, binh = cash_path
    t = gifts_trace(Donation.objects.filter(pk=an.pk))
    assert (t.cash_given_vnd, t.cash_spent_vnd, t.cash_unspent_vnd) == (3_000_000, 3_000_000, 0)
    assert t.phones_bought == Fraction(3, 4) and (t.phones_bought_whole, t.phones_bought_remainder) == (0, 0.75)
    assert t.phones_counted == 0  # both phones' last đồng is Bình's
    assert dict((k, n) for k, _label, n in t.statuses) == {"in_stock": 0.375, "handed_out": 0.375}
    assert [(u.name, n) for u, n in t.communes] == [("Côn Minh", 0.75)]
    assert [n for _label, n in t.categories] == [0.375]
    t = gifts_trace(Donation.objects.filter(pk=binh.pk))
    assert (t.phones_bought, t.phones_counted) == (Fraction(5, 4), 2)


def test_shares_of_all_gifts_add_up_to_the_phones(cash_path):
    t = gifts_trace(Donation.objects.all())
    assert t.phones_bought == 2 and t.phones_counted == 2
    assert sum(n for _k, _l, n in t.statuses) == 2


def test_in_kind_and_not_yet_registered(programme, tree, users, donation, stock):
    t = gifts_trace(Donation.objects.filter(pk=donation.pk))
    assert t.phones_in_kind == 30 and t.cash_given_vnd == 0
    assert dict((k, n) for k, _l, n in t.statuses) == {"not_registered": 20, "in_stock": 10}
    assert [(u.pk, n) for u, n in t.places] == [(tree.bk.pk, 10)]


def test_a_bought_phone_not_yet_registered_is_said_so(programme, tree):
    donor = money.donor_create(kind=Donor.Kind.AGENCY, name="Sở Y tế", unit=tree.bk)
    gift = money.donation_create(programme=programme, donor=donor, unit=tree.bk, cash_vnd=4_000_000,
                                 cash_method="cash", received_on=datetime.date(2023, 8, 10))
    money.procurement_create(programme=programme, supplier="FPT", quantity=2, purchased_on=datetime.date(2023, 9, 5))
    t = gifts_trace(Donation.objects.filter(pk=gift.pk))
    assert [(k, n) for k, _l, n in t.statuses] == [("not_registered", 2)] and t.places == []


def test_donor_page_shows_the_path_without_personal_data(client_for, users, cash_path, households,
                                                          django_assert_max_num_queries):
    an, _binh = cash_path
    c = client_for(users.province)
    url = reverse("distribution:donor_trace", args=[an.donor_id])
    c.get(url)
    with django_assert_max_num_queries(12):
        html = c.get(url).content.decode()
    assert "Côn Minh" in html and "3.000.000" in html and "Hộ nghèo" in html
    person = households.poor.people.get(is_head=True)
    assert person.full_name not in html and person.citizen_id not in html
    assert reverse("distribution:donor_trace", args=[an.donor_id]) in c.get(
        reverse("donations:donor_detail", args=[an.donor_id])).content.decode()
