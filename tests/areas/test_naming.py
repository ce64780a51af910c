"""Official names on documents: administrative capitalisation, and the issuing unit of the
document's day through the official conversion table."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from phocap.areas.models import UnitMapping
from phocap.areas.naming import committee, committee_upper, official_name, unit_on
from tests.distribution.test_views import pdf_text
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_administrative_capitalisation(tree):
    assert official_name(tree.bk) == "tỉnh Bắc Kạn"
    assert committee(tree.bk) == "Ủy ban nhân dân tỉnh Bắc Kạn"
    assert committee_upper(tree.bk) == "UBND TỈNH BẮC KẠN"
    assert committee_upper(tree.na_ri) == "UBND HUYỆN NA RÌ"
    hn = make_unit(level="province", code="01", name="Hà Nội", scheme="2025", division_type="thành phố")
    assert committee(hn) == "Ủy ban nhân dân thành phố Hà Nội"


@pytest.fixture
def mapping(tree):
    for old, new in ((tree.con_minh, tree.tn_commune), (tree.kim_hy, tree.tn_commune),
                     (tree.thuong_giao, make_unit(level="commune", code="01912", name="Chợ Rã", parent=tree.tn))):
        UnitMapping.objects.create(legacy_unit=old, new_unit=new)


def test_issuing_unit_of_the_day(tree, mapping):
    before, after = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
    assert unit_on(tree.con_minh, before) == tree.con_minh
    assert unit_on(tree.con_minh, after) == tree.tn_commune
    assert unit_on(tree.bk, after) == tree.tn          # a merged province
    assert unit_on(tree.na_ri, after) == tree.tn       # an abolished district
    assert unit_on(tree.tn_commune, after) == tree.tn_commune
    assert unit_on(tree.bk, None) == tree.bk
    late_evening = timezone.make_aware(datetime.datetime(2025, 6, 30, 23, 30))
    assert unit_on(tree.bk, late_evening) == tree.bk  # local date, not UTC


@pytest.fixture
def acknowledged_donation(programme, tree, users):
    from donations.models import Donation, Donor

    donor = Donor.objects.create(kind="enterprise", name="VNPT", name_ascii="vnpt", unit=tree.bk)
    return Donation.objects.create(programme=programme, donor=donor, unit=tree.bk, received_on=datetime.date(2023, 8, 20),
                                   cash_vnd=5_000_000, cash_method="cash")


@pytest.mark.parametrize("when, letterhead, absent", [
    (datetime.datetime(2024, 3, 1, 9, tzinfo=datetime.UTC), "UBND TỈNH BẮC KẠN", "THÁI NGUYÊN"),
    (datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC), "UBND TỈNH THÁI NGUYÊN", "BẮC KẠN"),
])
def test_letter_is_headed_by_the_unit_of_its_day(client_for, users, acknowledged_donation, mapping, when,
                                                 letterhead, absent):
    from donations.models import Donation

    Donation.objects.filter(pk=acknowledged_donation.pk).update(acknowledged_at=when)
    url = reverse("donations:donation_ack_pdf", args=[acknowledged_donation.pk])
    texts = [pdf_text(client_for(users.province).get(f"{url}?kind={kind}").content)
             for kind in ("letter", "certificate")]
    assert texts, "no acknowledgement PDF was served"
    for text in texts:
        assert letterhead in text and absent not in text.split("CỘNG HÒA")[0]
        assert "dân Tỉnh" not in text and "minh Tỉnh" not in text  # no capital T inside sentences


def test_minutes_name_parties_officially(client_for, users, tree, programme):
    """Batch minutes: letterhead and parties in administrative capitalisation."""
    from distribution.models import Batch

    batch = Batch.objects.create(programme=programme, number=1, from_unit=tree.bk, to_unit=tree.na_ri,
                                 status="dispatched", dispatched_at=datetime.datetime(2023, 8, 31, 8, tzinfo=datetime.UTC),
                                 dispatched_by=users.province, created_by=users.province)
    text = pdf_text(client_for(users.province).get(reverse("distribution:batch_minutes", args=[batch.pk])).content)
    assert "UBND TỈNH BẮC KẠN" in text
    assert "Ủy ban nhân dân tỉnh Bắc Kạn" in text and "Ủy ban nhân dân huyện Na Rì" in text
    assert "nhân dân Tỉnh" not in text and "nhân dân Huyện" not in text
