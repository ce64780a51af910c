"""Carrying the legacy Bắc Kạn programme onto Thái Nguyên (2025 units): dry run, run, undo,
and hand-outs at the same moment as the run (PostgreSQL)."""

import datetime
from types import SimpleNamespace

import pytest

from beneficiaries.models import Household
from distribution import carryover, services
from distribution.models import CarryOver, Device, DeviceMovement, Handout
from distribution.selectors import device_drift
from phocap.areas.models import AdminUnit
from phocap.common import messages
from phocap.common.errors import DomainError
from phocap.programmes.models import Programme
from tests.factories import build_mapping, make_household, make_unit

D = datetime.date


def build_world(tree, users, programme):
    """Households in the old communes, a hand-out in Côn Minh, phones at the province, at Na Rì
    (an abolished district) and in Côn Minh's stock."""
    from donations.models import Donation, Donor
    from tests.factories import make_imei

    new = build_mapping(tree)
    kim_village = make_unit(level="village", code="02065.001", name="Bản Kim", parent=tree.kim_hy)
    hh = SimpleNamespace(
        cm1=make_household(tree.con_minh, "Hoàng Văn Pản", rank=1, village=tree.ban_con),
        cm2=make_household(tree.con_minh, "Nông Thị Hoa", rank=2, village=tree.na_phai),
        kim1=make_household(tree.kim_hy, "Lục Văn Kim", rank=1, village=kim_village),
        kim2=make_household(tree.kim_hy, "Ma Thị Lan", rank=3),
        tg=make_household(tree.thuong_giao, "Triệu Văn Giáo", rank=1, village=tree.tg_village),
    )
    donor = Donor.objects.create(kind="enterprise", name="VNPT", name_ascii="vnpt", unit=tree.bk)
    donation = Donation.objects.create(programme=programme, donor=donor, unit=tree.bk, received_on=D(2023, 8, 20),
                                       phones_count=8, phone_model="A04", phone_condition="new",
                                       phone_unit_value_vnd=2_000_000)
    services.devices_register(programme=programme, unit=tree.bk, by=users.province, donation=donation,
                              imeis=[make_imei(i, series=6) for i in range(1, 9)], model="A04")
    b1 = services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province,
                                 count=5)
    services.batch_receive(batch=b1, by=users.district)
    b2 = services.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh,
                                 by=users.district, count=3)
    services.batch_receive(batch=b2, by=users.commune)
    commune_stock = list(Device.objects.filter(holder_unit=tree.con_minh).order_by("pk"))
    handout = services.handout_create(programme=programme, household=hh.cm1, by=users.commune,
                                      imei=commune_stock[0].imei, recipient_name="Hoàng Văn Pản",
                                      recipient_citizen_id="006080001234", handed_out_on=D(2023, 9, 5))
    return SimpleNamespace(new=new, hh=hh, handout=handout, kim_village=kim_village)


@pytest.fixture
def world(tree, users, programme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return build_world(tree, users, programme)


def _run(carry, users, capture):
    with capture(execute=True):
        carryover.carryover_start(carry=carry, by=users.province)
    return CarryOver.objects.get(pk=carry.pk)


@pytest.mark.django_db
def test_dry_run_reports_what_would_move_and_what_cannot(programme, tree, users, world):
    before = (Household.objects.values_list("pk", "commune_id", "village_id").order_by("pk"),
              Device.objects.values_list("pk", "holder_unit_id").order_by("pk"))
    before = tuple(list(b) for b in before)
    plan = carryover.carryover_plan(programme=programme, to_province=tree.tn, by=users.province)
    r = plan.report
    assert not r["can_run"]
    assert any("huyện" in messages.text(b) for b in r["blockers"])            # phones at Na Rì (2) must move first
    from django.utils import translation

    with translation.override("en"):  # stored as codes: an English reader reads English
        assert any("district" in messages.text(b) for b in r["blockers"]), r["blockers"]
    assert r["district_stock"] == [{"unit": {"id": tree.na_ri.pk, "code": tree.na_ri.code, "name": "Huyện Na Rì"},
                                    "phones": 2}]
    assert [s["old"]["code"] for s in r["splits"]] == [tree.kim_hy.code]  # Kim Hỷ needs a choice per village
    assert {v["key"] for v in r["splits"][0]["villages"]} == {str(world.kim_village.pk), f"c{tree.kim_hy.pk}"}
    assert {(m["old"]["code"], m["new"]["code"], m["households"]) for m in r["households"]} == {
        (tree.con_minh.code, "06472", 2), (tree.thuong_giao.code, "01912", 1)}
    assert [(t["new"]["code"], t["baseline"]) for t in r["targets"]] == [("01912", 480), ("06472", 520)]
    # Nothing moved.
    after = (list(Household.objects.values_list("pk", "commune_id", "village_id").order_by("pk")),
             list(Device.objects.values_list("pk", "holder_unit_id").order_by("pk")))
    assert after == before
    with pytest.raises(DomainError) as e:
        carryover.carryover_start(carry=plan, by=users.province)
    assert e.value.code == "carryover_blocked"
    assert Programme.objects.get(pk=programme.pk).scheme == "legacy"


def _ready_plan(programme, tree, users, world, capture):
    """Na Rì sends its last phones to Côn Minh by an ordinary batch; the split is chosen."""
    with capture(execute=True):
        b = services.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh,
                                    by=users.district, count=2)
        services.batch_receive(batch=b, by=users.commune)
    choices = {str(world.kim_village.pk): world.new.van_lang.pk, f"c{tree.kim_hy.pk}": world.new.con_minh.pk}
    plan = carryover.carryover_plan(programme=programme, to_province=tree.tn, by=users.province, choices=choices)
    assert plan.report["can_run"], plan.report["blockers"]
    return plan


@pytest.mark.django_db
def test_run_then_undo_loses_nothing(programme, tree, users, world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    plan = _ready_plan(programme, tree, users, world, capture)
    households_before = list(Household.objects.values_list("pk", "commune_id", "village_id").order_by("pk"))
    devices_before = list(Device.objects.values_list("pk", "status", "holder_unit_id").order_by("pk"))
    ledger_before = DeviceMovement.objects.count()
    targets_before = sorted(programme.targets.values_list("commune_id", "baseline_adults"))

    carry = _run(plan, users, capture)
    assert carry.status == "done" and carryover.progress(carry.pk)["step"] == "done"
    programme.refresh_from_db()
    assert (programme.scheme, programme.province) == ("2025", tree.tn)
    hh = {h.pk: h for h in Household.objects.select_related("village")}
    assert hh[world.hh.cm1.pk].commune == world.new.con_minh
    assert hh[world.hh.cm1.pk].village.parent == world.new.con_minh and hh[world.hh.cm1.pk].village.name == "Bản Còn"
    assert hh[world.hh.kim1.pk].commune == world.new.van_lang       # chosen village by village
    assert hh[world.hh.kim2.pk].commune == world.new.con_minh
    assert hh[world.hh.tg.pk].commune == world.new.cho_ra
    # The ledger and the history keep the old units.
    assert Handout.objects.get(pk=world.handout.pk).commune == tree.con_minh
    assert hh[world.hh.cm1.pk].history.order_by("history_id").first().commune_id == tree.con_minh.pk
    assert messages.text(hh[world.hh.cm1.pk].history.first().history_change_reason).startswith("Chuyển sang")
    moved = DeviceMovement.objects.filter(kind="carry_over")
    assert moved.count() == Device.objects.filter(status="in_stock").count() == 7
    # Stored as a code: an English reader reads English (history and ledger alike).
    from django.utils import translation

    with translation.override("en"):
        assert messages.text(moved.first().reason).startswith("Carried over to the new administrative units (")
        assert messages.text(programme.history.first().history_change_reason).startswith("Carried over")
    assert set(Device.objects.filter(status="in_stock").values_list("holder_unit_id", flat=True)) == {
        tree.tn.pk, world.new.con_minh.pk}
    assert device_drift() == []
    assert sorted(programme.targets.values_list("commune__code", "baseline_adults")) == [
        ("01912", 480), ("06472", 520)]
    assert messages.text(programme.history.first().history_change_reason).startswith("Chuyển sang")
    # Coverage under the new units sees the hand-out where the household now lives.
    from programme_coverage.models import CoverageSummary
    from programme_coverage.services import coverage_rebuild_programme

    coverage_rebuild_programme(programme=programme)
    assert CoverageSummary.objects.get(programme=programme, commune=world.new.con_minh).phones_handed_out == 1
    assert not CoverageSummary.objects.filter(programme=programme, province=tree.bk).exists()

    # Undo: everything back, with ledger rows appended (never removed).
    carryover.carryover_undo(carry=carry, by=users.province)
    programme.refresh_from_db()
    assert (programme.scheme, programme.province) == ("legacy", tree.bk)
    assert list(Household.objects.values_list("pk", "commune_id", "village_id").order_by("pk")) == households_before
    assert list(Device.objects.values_list("pk", "status", "holder_unit_id").order_by("pk")) == devices_before
    assert DeviceMovement.objects.count() == ledger_before + 14
    assert sorted(programme.targets.values_list("commune_id", "baseline_adults")) == targets_before
    assert device_drift() == []
    assert CarryOver.objects.get(pk=carry.pk).status == "undone"


@pytest.mark.django_db
def test_no_undo_after_the_first_new_scheme_batch(programme, tree, users, world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    carry = _run(_ready_plan(programme, tree, users, world, capture), users, capture)
    programme.refresh_from_db()
    with capture(execute=True):  # province → commune directly: the 2025 flow
        services.batch_dispatch(programme=programme, from_unit=tree.tn, to_unit=world.new.cho_ra,
                                by=users.tn_staff, count=1)
    with pytest.raises(DomainError) as e:
        carryover.carryover_undo(carry=carry, by=users.province)
    assert e.value.code == "carryover_too_late"
    assert Programme.objects.get(pk=programme.pk).scheme == "2025"


@pytest.mark.django_db
def test_only_province_staff_and_only_legacy(programme, tree, users, world):
    with pytest.raises(DomainError) as e:
        carryover.carryover_plan(programme=programme, to_province=tree.tn, by=users.district)
    assert e.value.code == "carryover_not_province_staff"
    other = make_unit(level="province", code="08", name="Tuyên Quang", scheme="2025")
    with pytest.raises(DomainError) as e:
        carryover.carryover_plan(programme=programme, to_province=other, by=users.province)
    assert e.value.code == "carryover_bad_province"
    assert not CarryOver.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_handouts_during_the_run_stay_consistent(tree, users, programme):
    """A hand-out racing the run either lands before it (the household then moves, the hand-out
    keeps its commune) or waits for it and is refused cleanly (the household now belongs to a
    commune the old official does not serve); never half-written, never drift."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext  # noqa: F401 - keeps connection import honest

    from tests.concurrency import run_together

    world = build_world(tree, users, programme)
    b = services.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh,
                                by=users.district, count=2)
    services.batch_receive(batch=b, by=users.commune)
    choices = {str(world.kim_village.pk): world.new.van_lang.pk, f"c{tree.kim_hy.pk}": world.new.con_minh.pk}
    plan = carryover.carryover_plan(programme=programme, to_province=tree.tn, by=users.province, choices=choices)
    CarryOver.objects.filter(pk=plan.pk).update(status="running")  # as carryover_start leaves it
    imei = Device.objects.filter(holder_unit=tree.con_minh, status="in_stock").order_by("pk").first().imei
    results = run_together(
        lambda: carryover.carryover_run(carry_id=plan.pk),
        lambda: services.handout_create(programme=Programme.objects.get(pk=programme.pk),
                                        household=Household.objects.get(pk=world.hh.cm2.pk), by=users.commune,
                                        imei=imei, recipient_name="Nông Thị Hoa",
                                        recipient_citizen_id="006190007777", handed_out_on=D(2023, 9, 6)))
    connection.close()
    carry, handout = results
    assert isinstance(carry, CarryOver) and carry.status == "done", results
    assert isinstance(handout, Handout | DomainError), results
    cm2 = Household.objects.get(pk=world.hh.cm2.pk)
    assert cm2.commune == world.new.con_minh
    if isinstance(handout, Handout):
        assert handout.commune == tree.con_minh                      # signed by the old commune
        assert Device.objects.get(imei=imei).status == "handed_out"
    else:
        assert not Handout.objects.filter(household=cm2).exists()
        assert Device.objects.get(imei=imei).holder_unit == world.new.con_minh
    assert device_drift() == []
    assert AdminUnit.objects.filter(parent=world.new.con_minh, name="Nà Phai").count() == 1


@pytest.mark.django_db
def test_pages_dry_run_run_and_undo(client_for, programme, tree, users, world, django_capture_on_commit_callbacks):
    from django.urls import reverse

    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        b = services.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh,
                                    by=users.district, count=2)
        services.batch_receive(batch=b, by=users.commune)
    url = reverse("distribution:carryover_plan", args=[programme.pk])
    assert client_for(users.district).get(url).status_code == 403
    c = client_for(users.province)
    page = c.get(url)
    assert page.status_code == 200 and "Lục Văn Kim" not in page.content.decode()  # counts only, no names
    assert f'name="v_{world.kim_village.pk}"' in page.content.decode()
    response = c.post(url, {"to_province": tree.tn.pk, f"v_{world.kim_village.pk}": world.new.van_lang.pk,
                            f"v_c{tree.kim_hy.pk}": world.new.van_lang.pk})
    carry = CarryOver.objects.get()
    assert response.url == reverse("distribution:carryover_detail", args=[carry.pk])
    assert carry.report["can_run"] and Programme.objects.get(pk=programme.pk).scheme == "legacy"
    detail = c.get(response.url).content.decode()
    assert "Văn Lang" in detail and 'id="carry-run"' in detail
    with capture(execute=True):
        c.post(response.url, {"action": "run"})
    carry.refresh_from_db()
    assert carry.status == "done"
    assert c.get(response.url, HTTP_ACCEPT="application/json").json()["step"] == "done"
    assert Household.objects.get(pk=world.hh.kim2.pk).commune == world.new.van_lang
    c.post(response.url, {"action": "undo"})
    carry.refresh_from_db()
    assert carry.status == "undone" and Household.objects.get(pk=world.hh.kim2.pk).commune == tree.kim_hy


@pytest.mark.django_db
def test_stored_plan_and_failure_read_in_the_readers_language(programme, tree, users, world,
                                                              django_capture_on_commit_callbacks):
    """A plan keeps no wording of its own: the village without a name and a run's refusal
    are words of whoever reads them (the planner may have worked in Vietnamese)."""
    from django.utils import translation

    plan = carryover.carryover_plan(programme=programme, to_province=tree.tn, by=users.province)
    unnamed = [v for s in plan.report["splits"] for v in s["villages"] if v["key"].startswith("c")]
    assert unnamed and unnamed[0]["name"] is None
    # A refusal a job stores (here: the programme is already on the new units once the
    # plan has run) is kept as its code.
    plan.delete()
    first = _ready_plan(programme, tree, users, world, django_capture_on_commit_callbacks)
    assert _run(first, users, django_capture_on_commit_callbacks).status == CarryOver.Status.DONE
    with pytest.raises(DomainError) as e:
        carryover.carryover_plan(programme=programme, to_province=tree.tn, by=users.province)
    stored = messages.stored(e.value)
    assert messages.decode(stored) == ("carryover_not_legacy", {})
    with translation.override("en"):
        assert messages.text(stored) == "The programme is already on the new administrative units."
    with translation.override("vi"):
        assert messages.text(stored) == "Chương trình đã theo đơn vị hành chính mới."
