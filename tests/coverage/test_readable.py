"""Dashboards stay readable at 100+ communes; villages have no targets of their own."""

import pytest
from django.urls import reverse

from phocap.programmes.services import programme_set_target
from programme_coverage import selectors, services
from programme_coverage.views import _sorted_children
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_a_chart_of_many_communes_shows_the_lowest_and_highest_only():
    communes = [{"name": f"X{i}", "coverage": float(i)} for i in range(108)]
    chart = selectors.commune_chart(communes)
    assert len(chart) == 2 * selectors.CHART_EACH_END
    assert chart[0]["coverage"] == 0 and chart[-1]["coverage"] == 107
    few = communes[:12]
    assert selectors.commune_chart(few) == few


def test_a_province_of_many_communes_lists_its_lowest_and_highest(client_for, users, programme, tree):
    for i in range(12):
        commune = make_unit(level="commune", code=f"09{i:03d}", name=f"Xã {i}", parent=tree.na_ri)
        programme_set_target(programme=programme, commune=commune, baseline_adults=100 + i)
    services.coverage_rebuild_programme(programme=programme)
    r = client_for(users.province).get(reverse("coverage:dashboard", args=[programme.pk, "legacy", tree.bk.code]))
    assert r.status_code == 200
    assert len(r.context["lowest_communes"]) == selectors.EXTREMES == len(r.context["highest_communes"])
    assert r.context["communes_total"] >= 12


def test_the_child_table_sorts_by_the_clicked_column():
    rows = [{"name": "Bằng", "coverage": 0.5}, {"name": "An", "coverage": None}, {"name": "Cốc", "coverage": 0.9}]
    assert [r["name"] for r in _sorted_children(rows, "name")[0]] == ["An", "Bằng", "Cốc"]
    assert [r["name"] for r in _sorted_children(rows, "-coverage")[0]] == ["Cốc", "Bằng", "An"]
    assert _sorted_children(rows, "password")[0] == rows  # unknown column: as listed


def test_village_rows_show_no_target_rather_than_zero(client_for, users, programme, tree):
    services.coverage_rebuild_programme(programme=programme)
    r = client_for(users.province).get(reverse("coverage:dashboard", args=[programme.pk, "legacy",
                                                                           tree.thuong_giao.code]))
    assert r.context["villages"] is True
    row = r.content.decode().split("<tbody>")[1].split("</tr>")[0]
    assert ">—</td>" in row


def test_the_chart_communes_are_ranked_in_the_database_like_a_sort_of_all(programme, tree):
    """The lowest and highest communes come from the database ranking (only those rows are
    read with their names): the same as sorting every commune by coverage, ids among equals."""
    from programme_coverage.models import CoverageSummary, coverage_ratio

    for i in range(40):
        commune = make_unit(level="commune", code=f"08{i:03d}", name=f"Xã R{i}", parent=tree.na_ri)
        programme_set_target(programme=programme, commune=commune, baseline_adults=100 + (i * 7) % 13)
    services.coverage_rebuild_programme(programme=programme)
    rows = list(CoverageSummary.objects.filter(programme=programme, province=tree.bk).select_related("commune"))
    for n, row in enumerate(rows):
        CoverageSummary.objects.filter(pk=row.pk).update(phones_handed_out=(n * 37) % 50)
    expected = sorted(
        (round((coverage_ratio(r.phones_handed_out, r.target_adults) or 0) * 100, 1), r.commune_id, r.commune.name)
         for r in CoverageSummary.objects.filter(programme=programme, province=tree.bk).select_related("commune"))
    total, chart = selectors.commune_coverage(programme=programme, unit=tree.bk)
    assert total == len(expected) > selectors.CHART_FITS
    each = selectors.CHART_EACH_END
    assert [(c["coverage"], c["name"]) for c in chart] == [(cov, name) for cov, _id, name in
                                                             expected[:each] + expected[-each:]]
