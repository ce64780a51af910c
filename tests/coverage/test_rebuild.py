import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from beneficiaries.signals import households_changed
from distribution.models import Device, Handout
from distribution.signals import devices_changed
from phocap.areas.models import AdminUnit
from programme_coverage import services, tasks
from programme_coverage.models import CoverageMonth, CoverageSummary
from programme_coverage.selectors import children_figures, unit_figures
from tests.coverage.conftest import direct_figures, row_figures
from tests.factories import ProgrammeFactory, add_target, make_household

pytestmark = pytest.mark.django_db


def rebuild(programme):
    services.coverage_rebuild_programme(programme=programme)


def assert_rows_exact(programme):
    rows = list(CoverageSummary.objects.filter(programme=programme).select_related("commune"))
    communes = AdminUnit.objects.filter(level="commune", path__startswith=programme.province.path)
    assert {r.commune_id for r in rows} == set(communes.values_list("pk", flat=True))
    for row in rows:
        assert row_figures(row) == direct_figures(programme, row.commune), row.commune.name


def test_every_row_matches_a_direct_count_over_registry_and_ledger(programme, registry, tree):
    rebuild(programme)
    assert_rows_exact(programme)
    cm = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    # Spelled out once, so the direct count itself is checked against the fixture.
    assert (cm.households, cm.households_poor, cm.households_near_poor, cm.households_policy,
            cm.households_other) == (5, 2, 1, 1, 1)
    # Three new phones in stock plus the one returned by the reversed hand-out.
    assert (cm.phones_handed_out, cm.households_reached, cm.phones_in_stock) == (3, 2, 4)
    assert (cm.adults, cm.adults_without_phone, cm.target_adults) == (11, 6, 520)
    assert cm.district_id == tree.na_ri.pk and cm.province_id == tree.bk.pk
    tg = CoverageSummary.objects.get(programme=programme, commune=tree.thuong_giao)
    assert (tg.phones_in_transit, tg.phones_handed_out, tg.target_adults) == (2, 1, 480)
    kim_hy = CoverageSummary.objects.get(programme=programme, commune=tree.kim_hy)
    assert row_figures(kim_hy) == dict.fromkeys(row_figures(kim_hy), 0)


def test_rebuilding_twice_leaves_identical_rows(programme, registry):
    rebuild(programme)
    first = {r.commune_id: row_figures(r) for r in CoverageSummary.objects.filter(programme=programme)}
    months = sorted(CoverageMonth.objects.filter(programme=programme).values_list("commune_id", "month", "handouts"))
    rebuild(programme)
    assert {r.commune_id: row_figures(r) for r in CoverageSummary.objects.filter(programme=programme)} == first
    assert sorted(CoverageMonth.objects.filter(programme=programme)
                  .values_list("commune_id", "month", "handouts")) == months


def test_a_rebuild_stopped_halfway_then_rerun_is_exact(programme, registry, tree, make_handout):
    rebuild(programme)
    # New hand-outs in every commune, then a rebuild that stops after its first chunk.
    for household in (registry.con_minh[3], registry.thuong_giao[1]):
        make_handout(household)
    last = services.coverage_rebuild_programme(programme=programme, chunk_size=1, max_chunks=1)
    assert last is not None
    done = CoverageSummary.objects.get(programme=programme, commune_id=last)
    assert row_figures(done) == direct_figures(programme, done.commune)
    stale = [r for r in CoverageSummary.objects.filter(programme=programme).select_related("commune")
             if row_figures(r) != direct_figures(programme, r.commune)]
    assert stale, "the second commune should still be stale after one chunk"
    # Resume from where it stopped: every row is exact.
    assert services.coverage_rebuild_programme(programme=programme, after_commune_id=last) is None
    assert_rows_exact(programme)


def test_programme_rows_ignore_other_programmes_and_provinces(programme, registry, tree, make_handout):
    other = ProgrammeFactory(province=tree.bk, name="Chương trình khác")
    make_handout(registry.con_minh[3], prog=other)
    tn_programme = ProgrammeFactory(province=tree.tn)
    add_target(tn_programme, tree.tn_commune, 100)
    rebuild(programme)
    rebuild(other)
    rebuild(tn_programme)
    assert_rows_exact(programme)
    assert_rows_exact(other)
    assert CoverageSummary.objects.get(programme=other, commune=tree.con_minh).phones_handed_out == 1
    tn_row = CoverageSummary.objects.get(programme=tn_programme)
    assert (tn_row.commune_id, tn_row.district_id, tn_row.province_id) == (tree.tn_commune.pk, None, tree.tn.pk)
    # Ids from another province are ignored, not written into this programme.
    services.coverage_rebuild_communes(programme=programme, commune_ids=[tree.tn_commune.pk])
    assert not CoverageSummary.objects.filter(programme=programme, commune=tree.tn_commune).exists()


def test_higher_levels_sum_commune_rows_and_villages_count_directly(programme, registry, tree):
    rebuild(programme)
    province = unit_figures(programme=programme, unit=tree.bk)
    assert province["phones_handed_out"] == Handout.objects.filter(programme=programme, status="active").count()
    assert province["households_reached"] == (
        Handout.objects.filter(programme=programme, status="active").values("household").distinct().count())
    assert province["target_adults"] == 1000
    assert province["coverage"] == pytest.approx(4 / 1000)
    districts = {c["name"]: c for c in children_figures(programme=programme, unit=tree.bk)}
    assert districts["Na Rì"]["phones_handed_out"] == 3 and districts["Ba Bể"]["phones_in_transit"] == 2
    villages = {c["name"]: c for c in children_figures(programme=programme, unit=tree.con_minh)}
    # Household 0 of Bản Còn got two phones: one household reached, three phones.
    assert villages["Bản Còn"]["households_reached"] == 2
    assert villages["Bản Còn"]["phones_handed_out"] == 3
    assert villages["Nà Phai"]["households"] == 2 and villages["Nà Phai"]["phones_handed_out"] == 0
    assert villages["(Chưa ghi thôn/bản)"]["households"] == 1
    village = unit_figures(programme=programme, unit=tree.ban_con)
    assert (village["households"], village["households_poor"], village["phones_handed_out"]) == (2, 1, 3)


# --- every kind of change, through the domain events -------------------------------------

def _row(programme, commune):
    return CoverageSummary.objects.get(programme=programme, commune=commune)


def test_household_changes_rebuild_the_commune(programme, registry, tree):
    rebuild(programme)
    household = make_household(tree.con_minh, rank=2, adults=4, without=3)
    households_changed.send(sender=None, commune_ids={tree.con_minh.pk})
    assert row_figures(_row(programme, tree.con_minh)) == direct_figures(programme, tree.con_minh)
    assert _row(programme, tree.con_minh).households == 6
    household.status = "moved"
    household.save()
    households_changed.send(sender=None, commune_ids={tree.con_minh.pk})
    assert _row(programme, tree.con_minh).households == 5


def test_handout_and_its_reversal_rebuild_the_commune(programme, registry, tree, make_handout):
    rebuild(programme)
    handout = make_handout(registry.con_minh[3], on=datetime.date(2023, 11, 2))
    devices_changed.send(sender=None, commune_ids={tree.con_minh.pk})
    row = _row(programme, tree.con_minh)
    assert (row.phones_handed_out, row.households_reached) == (4, 3)
    assert CoverageMonth.objects.get(programme=programme, commune=tree.con_minh,
                                     month=datetime.date(2023, 11, 1)).handouts == 1
    Handout.objects.filter(pk=handout.pk).update(status="reversed", reversed_at=datetime.datetime.now(datetime.UTC))
    devices_changed.send(sender=None, commune_ids={tree.con_minh.pk})
    assert row_figures(_row(programme, tree.con_minh)) == direct_figures(programme, tree.con_minh)
    assert not CoverageMonth.objects.filter(programme=programme, commune=tree.con_minh,
                                            month=datetime.date(2023, 11, 1)).exists()


def test_batch_received_moves_transit_to_stock(programme, registry, tree):
    rebuild(programme)
    assert _row(programme, tree.thuong_giao).phones_in_transit == 2
    registry.batch.status = "received"
    registry.batch.received_at = datetime.datetime(2023, 9, 3, tzinfo=datetime.UTC)
    registry.batch.save()
    Device.objects.filter(batch=registry.batch).update(status="in_stock", holder_unit=tree.thuong_giao, batch=None)
    devices_changed.send(sender=None, commune_ids={tree.thuong_giao.pk})
    row = _row(programme, tree.thuong_giao)
    assert (row.phones_in_transit, row.phones_in_stock) == (0, 2)


def test_many_changes_queue_one_rebuild_per_commune(programme, tree):
    with mock.patch.object(tasks.coverage_rebuild_commune_task, "apply_async") as queued:
        for _ in range(5):
            devices_changed.send(sender=None, commune_ids={tree.con_minh.pk, tree.thuong_giao.pk})
            households_changed.send(sender=None, commune_ids={tree.con_minh.pk})
        assert sorted(c.kwargs["args"][0] for c in queued.call_args_list) == sorted(
            [tree.con_minh.pk, tree.thuong_giao.pk])
        assert all(c.kwargs["countdown"] == services.REBUILD_DELAY_S for c in queued.call_args_list)
        # Once the task starts it clears its flag: the next change queues a new rebuild.
        tasks.coverage_rebuild_commune_task.run(tree.con_minh.pk)
        devices_changed.send(sender=None, commune_ids={tree.con_minh.pk})
        assert queued.call_count == 3


def test_eager_mode_rebuilds_at_once_after_commit(programme, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transaction.on_commit(lambda: households_changed.send(sender=None, commune_ids={tree.con_minh.pk}))
        make_household(tree.con_minh, rank=1)
        assert not CoverageSummary.objects.exists()
    assert _row(programme, tree.con_minh).households == 1


def test_first_change_of_a_new_programme_builds_every_commune_row(programme, registry, tree):
    """Province totals must not be made of the few communes that changed first."""
    devices_changed.send(sender=None, commune_ids={tree.con_minh.pk})
    assert_rows_exact(programme)
    assert unit_figures(programme=programme, unit=tree.bk)["target_adults"] == 1000


def test_nightly_task_rebuilds_every_active_programme(programme, registry, tree):
    inactive = ProgrammeFactory(province=tree.bk, status="closed")
    assert tasks.coverage_rebuild_all_task.delay().get() == 1
    assert_rows_exact(programme)
    assert not CoverageSummary.objects.filter(programme=inactive).exists()


def test_rebuild_coverage_command(programme, registry, tree, capsys, make_handout):
    call_command("rebuild_coverage", "--scheme", "legacy")
    assert_rows_exact(programme)
    make_handout(registry.con_minh[3])
    make_handout(registry.thuong_giao[1])
    call_command("rebuild_coverage", "--commune", "02071", "--scheme", "legacy")
    assert row_figures(_row(programme, tree.con_minh)) == direct_figures(programme, tree.con_minh)
    # Only the named commune was recomputed.
    assert row_figures(_row(programme, tree.thuong_giao)) != direct_figures(programme, tree.thuong_giao)
    call_command("rebuild_coverage", "--programme", str(programme.pk))
    assert_rows_exact(programme)
    assert "Xong" in capsys.readouterr().out


def test_rebuild_coverage_command_rejects_unknown_commune(programme):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không tìm thấy xã có mã 99999"):
        call_command("rebuild_coverage", "--commune", "99999")
    assert not CoverageSummary.objects.exists()


def test_database_refuses_inconsistent_summary_rows(programme, tree):
    rebuild(programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        CoverageSummary.objects.filter(programme=programme, commune=tree.con_minh).update(households_poor=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        CoverageSummary.objects.filter(programme=programme, commune=tree.con_minh).update(households_reached=1)


def test_demo_loader_rebuilds_and_is_idempotent(programme, registry):
    import io

    from programme_coverage import demo

    out = io.StringIO()
    demo.load(programme=programme, stdout=out)
    first = {r.commune_id: row_figures(r) for r in CoverageSummary.objects.filter(programme=programme)}
    demo.load(programme=programme, stdout=out)
    assert {r.commune_id: row_figures(r) for r in CoverageSummary.objects.filter(programme=programme)} == first
    assert_rows_exact(programme)
    assert "4 máy đã trao" in out.getvalue()


def test_the_rebuild_sql_takes_other_apps_status_values_from_their_models():
    """A renamed status in beneficiaries or distribution must not silently zero the figures."""
    import re

    from programme_coverage import services as cov

    for sql in (cov._SUMMARY_SQL, cov._MONTH_INSERT_SQL, cov._HANDOUTS_SUB, cov._VISIT_HANDOUT_JOIN, cov._HX_PG,
                cov._HANDOUTS_SUB_PG, cov._VISIT_HANDOUT_JOIN_PG, cov._COMBINED_PG_SQL):
        assert re.findall(r"'[a-z_]+'", sql) == []
    assert cov._status_params()["device_in_transit"] == "in_transit"


def test_a_commune_rebuild_of_a_programme_not_yet_complete_queues_one_full_rebuild(programme, registry, tree):
    from django.core.cache import cache

    cache.clear()
    with mock.patch.object(tasks.coverage_rebuild_programme_task, "apply_async") as queued:
        services.coverage_rebuild_commune(commune_id=tree.con_minh.pk)
        services.coverage_rebuild_commune(commune_id=tree.con_minh.pk)
    assert queued.call_count == 1  # debounced
    # Once every commune has its row, that is remembered: a commune rebuild no longer
    # counts the whole province each time.
    rebuild(programme)
    cache.clear()
    services.coverage_rebuild_commune(commune_id=tree.con_minh.pk)
    assert cache.get(f"coverage:complete:{programme.pk}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        services.coverage_rebuild_commune(commune_id=tree.con_minh.pk)
    assert not any("__count" in q["sql"] for q in ctx.captured_queries)
    assert_rows_exact(programme)
