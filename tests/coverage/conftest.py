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
from followup.models import Visit
from followup.services import visit_record
from phocap.programmes.models import ProgrammeCommune
from programme_coverage.models import FIGURES
from tests.factories import Role, make_household, make_imei, member

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
    first = make_handout(cm[0], on=datetime.date(2023, 8, 31))
    make_handout(cm[0], on=datetime.date(2023, 9, 2))
    second = make_handout(cm[1], on=datetime.date(2023, 9, 20))
    reversed_ = make_handout(cm[2], on=datetime.date(2023, 9, 1))
    tg_handout = make_handout(tg[0], on=datetime.date(2023, 10, 3))
    # Follow-up visits through the service (its on-commit event never fires here): the
    # first recipient visited twice (the later visit counts), one visit of a phone later
    # taken back (does not count), one recipient never visited, one in Thượng Giáo.
    team = member(tree.con_minh, Role.DIGITAL_TEAM)
    tg_team = member(tree.tg_village, Role.DIGITAL_TEAM)
    visit_record(handout=first, by=team, visited_on=datetime.date(2023, 9, 10), phone_status="broken")
    visit_record(handout=first, by=team, visited_on=datetime.date(2023, 11, 10), vneid_level=2,
                 online_service_used=True, cashless_account_open=True, cashless_used=True)
    visit_record(handout=first, by=team, visited_on=datetime.date(2023, 10, 1), vneid_level=0)  # recorded late
    visit_record(handout=second, by=team, visited_on=datetime.date(2023, 10, 1), vneid_level=1,
                 cashless_account_open=True)
    visit_record(handout=reversed_, by=team, visited_on=datetime.date(2023, 9, 5), vneid_level=2)
    Handout.objects.filter(pk=reversed_.pk).update(status="reversed",
                                                   reversed_at=datetime.datetime(2023, 10, 1, tzinfo=datetime.UTC))
    Device.objects.filter(pk=reversed_.device_id).update(status="in_stock")
    visit_record(handout=tg_handout, by=tg_team, visited_on=datetime.date(2023, 10, 20), phone_status="sold")
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
    values.update(direct_outcomes(ho))
    assert set(values) == set(FIGURES)
    return values


def direct_outcomes(active_handouts) -> dict:
    """Outcomes counted straight from the visits: for each active hand-out its visit with the
    latest date (then the latest recorded), without the `is_latest` flag."""
    latest = {}
    for v in Visit.objects.filter(handout__in=active_handouts).order_by("visited_on", "pk"):
        latest[v.handout_id] = v
    visits = list(latest.values())
    return {
        "recipients_visited": len(visits),
        "vneid_activated": sum(v.vneid_level > 0 for v in visits),
        "online_service_users": sum(v.online_service_used for v in visits),
        "cashless_users": sum(v.cashless_used for v in visits),
        "phones_in_use": sum(v.phone_status == "in_use" for v in visits),
    }


def row_figures(row) -> dict:
    return {f: getattr(row, f) for f in FIGURES}
