"""Coverage fixtures: a small registry and ledger written straight through the ORM (no
signals), so each test decides when a rebuild happens."""

import datetime
import itertools
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db.models import Count, Q, Sum

from beneficiaries.models import Household
from distribution.models import Batch, Device, Handout
from donations.models import Donation, Donor
from phocap.programmes.models import ProgrammeCommune
from programme_coverage.models import FIGURES
from tests.factories import make_household, make_imei

_imei_seq = itertools.count(1)
# One active hand-out per citizen ID (a database constraint): each recipient gets their own.
_cid_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _coverage_isolation(settings, tmp_path):
    """Report files go to a temporary MEDIA_ROOT; no debounce flag leaks between tests."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def donation(programme, tree):
    donor = Donor.objects.create(kind="enterprise", name="Công ty Viễn thông", name_ascii="cong ty vien thong",
                                 unit=tree.bk)
    return Donation.objects.create(programme=programme, donor=donor, unit=tree.bk,
                                   received_on=datetime.date(2023, 8, 11), phones_count=50,
                                   phone_model="A05", phone_condition="new", phone_unit_value_vnd=2_000_000)


@pytest.fixture
def make_device(programme, donation):
    def _make(*, status="in_stock", holder=None, batch=None, prog=None):
        return Device.objects.create(imei=make_imei(next(_imei_seq), series=1), programme=prog or programme,
                                     source_donation=donation, status=status,
                                     holder_unit=None if status == "in_transit" else holder, batch=batch)

    return _make


@pytest.fixture
def make_handout(programme, make_device):
    def _make(household, *, on=datetime.date(2023, 9, 5), status="active", prog=None):
        device = make_device(status="handed_out" if status == "active" else "in_stock",
                             holder=household.commune, prog=prog)
        return Handout.objects.create(
            programme=prog or programme, household=household, device=device, commune=household.commune,
            recipient_name=household.head_name, recipient_citizen_id=f"0012345{next(_cid_seq):05d}", handed_out_on=on,
            status=status, reversed_at=None if status == "active" else datetime.datetime(2023, 10, 1, tzinfo=datetime.UTC),
        )

    return _make


@pytest.fixture
def registry(tree, programme, make_device, make_handout):
    """Côn Minh: 5 households (2 villages + 1 without), Thượng Giáo: 3; hand-outs, stock, transit."""
    cm = [
        make_household(tree.con_minh, village=tree.ban_con, rank=1, adults=3, without=2, name="Hoàng Thị Lụa"),
        make_household(tree.con_minh, village=tree.ban_con, rank=2),
        make_household(tree.con_minh, village=tree.na_phai, rank=3),
        make_household(tree.con_minh, village=tree.na_phai, rank=4),
        make_household(tree.con_minh, rank=1),
        make_household(tree.con_minh, rank=1, status="moved"),
    ]
    tg = [make_household(tree.thuong_giao, village=tree.tg_village, rank=r) for r in (1, 2, 4)]
    # Côn Minh: household 0 got two phones (two adults), household 1 one, one reversed.
    make_handout(cm[0], on=datetime.date(2023, 8, 31))
    make_handout(cm[0], on=datetime.date(2023, 9, 2))
    make_handout(cm[1], on=datetime.date(2023, 9, 20))
    make_handout(cm[2], status="reversed")
    make_handout(tg[0], on=datetime.date(2023, 10, 3))
    for _ in range(3):
        make_device(holder=tree.con_minh)
    make_device(holder=tree.na_ri)
    make_device(holder=tree.bk)
    batch = Batch.objects.create(programme=programme, number=1, from_unit=tree.ba_be, to_unit=tree.thuong_giao,
                                 status="dispatched", dispatched_at=datetime.datetime(2023, 9, 1, tzinfo=datetime.UTC))
    make_device(status="in_transit", batch=batch)
    make_device(status="in_transit", batch=batch)
    return SimpleNamespace(con_minh=cm, thuong_giao=tg, batch=batch)


def direct_figures(programme, commune) -> dict:
    """What a summary row must say, counted straight from the registry and the ledger."""
    hh = Household.objects.filter(commune=commune, status="active").aggregate(
        households=Count("pk"), households_poor=Count("pk", filter=Q(priority_rank=1)),
        households_near_poor=Count("pk", filter=Q(priority_rank=2)),
        households_policy=Count("pk", filter=Q(priority_rank=3)),
        adults=Sum("adults", default=0), adults_without_phone=Sum("adults_without_phone", default=0))
    ho = Handout.objects.filter(programme=programme, commune=commune, status="active")
    target = ProgrammeCommune.objects.filter(programme=programme, commune=commune).first()
    values = {
        **hh,
        "priority_households": hh["households_poor"] + hh["households_near_poor"] + hh["households_policy"],
        "households_reached": ho.values("household").distinct().count(),
        "phones_handed_out": ho.count(),
        "phones_in_stock": Device.objects.filter(programme=programme, status="in_stock", holder_unit=commune).count(),
        "phones_in_transit": Device.objects.filter(programme=programme, status="in_transit",
                                                   batch__to_unit=commune).count(),
        "baseline_adults": target.baseline_adults if target else 0,
        "target_adults": target.target if target else 0,
    }
    values["households_other"] = values["households"] - values["priority_households"]
    assert set(values) == set(FIGURES)
    return values


def row_figures(row) -> dict:
    return {f: getattr(row, f) for f in FIGURES}
