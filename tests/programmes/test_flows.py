"""Both schemes end to end through the services: legacy (province → district → commune)
and 2025 (province → commune), each ending in a hand-out counted by coverage."""

import datetime

import pytest

from distribution import services as dist
from donations.models import Donation, Donor
from phocap.accounts.models import Role
from phocap.programmes.services import programme_create, programme_set_status, programme_set_target
from programme_coverage.models import CoverageSummary
from programme_coverage.services import coverage_rebuild_programme
from tests.factories import make_household, make_imei, member

pytestmark = pytest.mark.django_db
D = datetime.date


def _phones(programme, unit, by, n, series):
    donor = Donor.objects.create(kind="enterprise", name=f"Nhà tài trợ {series}", name_ascii=f"nha tai tro {series}",
                                 unit=unit)
    gift = Donation.objects.create(programme=programme, donor=donor, unit=unit, received_on=programme.start_date,
                                   phones_count=n, phone_model="A06", phone_condition="new",
                                   phone_unit_value_vnd=2_000_000)
    return dist.devices_register(programme=programme, unit=unit, by=by, donation=gift,
                                 imeis=[make_imei(i, series=series) for i in range(1, n + 1)], model="A06")


def test_legacy_flow(programme, tree, users):
    _phones(programme, tree.bk, users.province, 3, series=3)
    b1 = dist.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province, count=2)
    dist.batch_receive(batch=b1, by=users.district)
    b2 = dist.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh, by=users.district,
                             count=2)
    dist.batch_receive(batch=b2, by=users.commune)
    hh = make_household(tree.con_minh, rank=1)
    dist.handout_create(programme=programme, household=hh, by=users.commune, imei=b2.lines.first().device.imei,
                        recipient_name=hh.head_name, recipient_citizen_id="006080001234",
                        handed_out_on=D(2023, 9, 10))
    coverage_rebuild_programme(programme=programme)
    row = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    assert (row.phones_handed_out, row.phones_in_stock, row.district_id) == (1, 1, tree.na_ri.pk)


def test_2025_flow_province_straight_to_commune(tree, users):
    p = programme_create(name="Thái Nguyên 2026", province=tree.tn, scheme="2025", start_date=D(2026, 1, 1),
                         status="draft", by=users.tn_staff)
    programme_set_target(programme=p, commune=tree.tn_commune, baseline_adults=300, by=users.tn_staff)
    programme_set_status(programme=p, status="active", by=users.tn_staff)
    official = member(tree.tn_commune, Role.COMMUNE_OFFICIAL, "xa_conminh_moi")
    _phones(p, tree.tn, users.tn_staff, 4, series=4)
    batch = dist.batch_dispatch(programme=p, from_unit=tree.tn, to_unit=tree.tn_commune, by=users.tn_staff, count=3,
                                at=datetime.datetime(2026, 3, 5, 8, tzinfo=datetime.UTC))
    dist.batch_receive(batch=batch, by=official)
    hh = make_household(tree.tn_commune, rank=2, adults=2, without=2)
    dist.handout_create(programme=p, household=hh, by=official, imei=batch.lines.first().device.imei,
                        recipient_name=hh.head_name, recipient_citizen_id="019090001234", handed_out_on=D(2026, 3, 6))
    coverage_rebuild_programme(programme=p)
    row = CoverageSummary.objects.get(programme=p, commune=tree.tn_commune)
    assert (row.phones_handed_out, row.phones_in_stock, row.target_adults, row.district_id) == (1, 2, 300, None)
