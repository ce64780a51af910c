"""Fixtures for distribution: an in-kind donation at the province, phones registered
from it, households of Côn Minh, and helpers to move phones down the tree."""

import datetime
from types import SimpleNamespace

import pytest

from distribution import services
from tests.factories import make_household, make_imei, make_procurement


@pytest.fixture
def donation(programme, tree):
    from donations.models import Donation, Donor

    donor = Donor.objects.create(kind="enterprise", name="VNPT Bắc Kạn", name_ascii="vnpt bac kan", unit=tree.bk)
    return Donation.objects.create(programme=programme, donor=donor, unit=tree.bk,
                                   received_on=datetime.date(2023, 8, 20), phones_count=30,
                                   phone_model="Samsung A04", phone_condition="new",
                                   phone_unit_value_vnd=2_000_000)


@pytest.fixture
def procurement(programme, tree):
    return make_procurement(programme, tree.bk, supplier="Viettel Bắc Kạn", unit_price_vnd=1_900_000, quantity=5)


@pytest.fixture
def stock(programme, tree, users, donation):
    """Ten phones in stock at the province."""
    return services.devices_register(programme=programme, unit=tree.bk, by=users.province, donation=donation,
                                     imeis=[make_imei(i) for i in range(1, 11)], model="Samsung A04")


@pytest.fixture
def batch_to_na_ri(programme, tree, users, stock):
    """Province → Na Rì, 6 phones, dispatched."""
    return services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri,
                                   by=users.province, imeis=[d.imei for d in stock[:6]])


@pytest.fixture
def commune_stock(programme, tree, users, batch_to_na_ri):
    """Na Rì received the 6 phones and passed 4 on to Côn Minh, which received them."""
    services.batch_receive(batch=batch_to_na_ri, by=users.district)
    to_commune = services.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh,
                                         by=users.district, count=4)
    services.batch_receive(batch=to_commune, by=users.commune)
    return [line.device for line in to_commune.lines.select_related("device")]


@pytest.fixture
def households(tree):
    return SimpleNamespace(
        poor=make_household(tree.con_minh, "Hoàng Văn Pản", rank=1, village=tree.ban_con,
                            people=[("Hoàng Văn Pản", "006080001234"), ("Lý Thị Mai", "006185004321")]),
        near_poor=make_household(tree.con_minh, "Nông Thị Hoa", rank=2, people=[("Nông Thị Hoa", "006190007777")]),
        moved=make_household(tree.con_minh, "Đinh Văn Chuyển", rank=1, status="moved"),
        other_commune=make_household(tree.thuong_giao, "Ma Văn Khác", rank=1),
    )
