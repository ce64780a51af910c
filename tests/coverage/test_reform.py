"""A legacy programme reported under the 2025 units through the official mapping: figures
equal to the legacy ones summed by the mapping; the split rule stated and applied."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programme_coverage import reform, services
from programme_coverage.models import FIGURES, CoverageSummary, ReportJob
from tests.factories import build_mapping, make_household, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(tree, programme):
    return build_mapping(tree)


@pytest.fixture
def figures_built(programme, registry, mapped, tree, make_handout):
    # Kim Hỷ (split) gets a target, a household and a hand-out of its own.
    from tests.factories import add_target

    add_target(programme, tree.kim_hy, 200)
    make_handout(make_household(tree.kim_hy, rank=1), on=datetime.date(2023, 10, 3))
    services.coverage_rebuild_programme(programme=programme)


def _legacy(programme, *communes) -> dict:
    rows = CoverageSummary.objects.filter(programme=programme, commune__in=communes)
    return {f: sum(getattr(r, f) for r in rows) for f in FIGURES}


def test_split_rule_sends_a_split_commune_whole_to_its_lowest_code(programme, mapped, tree):
    conv = reform.conversion(programme)
    assert conv.primary[tree.kim_hy.pk] == mapped.van_lang.pk  # 02080 < 06472
    assert conv.successors[tree.kim_hy.pk] == [mapped.van_lang.pk, mapped.con_minh.pk]
    assert [u.code for u in reform.new_provinces(programme)] == ["19"]


def test_figures_equal_legacy_summed_by_mapping(client_for, users, programme, figures_built, mapped, tree):
    c = client_for(users.province)  # Bắc Kạn's staff see their programme under Thái Nguyên
    response = c.get(reverse("coverage:dashboard", args=[programme.pk, "2025", "19"]))
    assert response.status_code == 200
    children = {ch["code"]: ch for ch in response.context["children"]}
    assert set(children) == {"01912", "02080", "06472"}
    for code, olds in (("06472", [tree.con_minh]), ("01912", [tree.thuong_giao]), ("02080", [tree.kim_hy])):
        expected = _legacy(programme, *olds)
        assert {f: children[code][f] for f in FIGURES} == expected, code
    province_total = _legacy(programme, tree.con_minh, tree.thuong_giao, tree.kim_hy)
    assert {f: response.context["figures"][f] for f in FIGURES} == province_total
    body = response.content.decode()
    assert "Quy tắc với xã cũ bị chia" in body and "Xã Kim Hỷ" in body  # the rule and the split commune
    # The new commune's own page lists the old communes counted in it, linked to their dashboards.
    response = c.get(reverse("coverage:dashboard", args=[programme.pk, "2025", "06472"]))
    assert [ch["code"] for ch in response.context["children"]] == [tree.con_minh.code]
    assert reverse("coverage:dashboard", args=[programme.pk, "legacy", tree.con_minh.code]) in response.content.decode()
    # The legacy province dashboard links to the view under the new units.
    legacy = c.get(reverse("coverage:dashboard", args=[programme.pk, "legacy", tree.bk.code])).content.decode()
    assert reverse("coverage:dashboard", args=[programme.pk, "2025", "19"]) in legacy


def test_api_under_the_2025_units(client_for, users, programme, figures_built, mapped, tree):
    data = client_for(users.tn_staff).get(f"/api/v1/coverage/2025/19/?programme={programme.pk}").json()
    assert data["scheme"] == "2025" and data["code"] == "19"
    assert data["phones_handed_out"] == _legacy(programme, tree.con_minh, tree.thuong_giao,
                                                tree.kim_hy)["phones_handed_out"]
    assert data["mapping"]["splits"] == [{"legacy_code": tree.kim_hy.code, "counted_in": "02080", "also": ["06472"]}]
    assert data["mapping"]["split_rule"]
    commune = client_for(users.tn_staff).get(f"/api/v1/coverage/2025/06472/?programme={programme.pk}").json()
    assert [(ch["scheme"], ch["code"]) for ch in commune["children"]] == [("legacy", tree.con_minh.code)]


def test_scoping_under_the_2025_units(client_for, users, programme, figures_built, mapped, tree):
    url = reverse("coverage:dashboard", args=[programme.pk, "2025", "19"])
    assert client_for(users.tn_staff).get(url).status_code == 200     # works in the new province
    assert client_for(users.district).get(url).status_code == 404     # Na Rì does not cover it all
    # Côn Minh's official covers all the old communes of the new Côn Minh... but Kim Hỷ's
    # figures go to Văn Lang, so the new Côn Minh is only old Côn Minh: visible.
    assert client_for(users.commune).get(
        reverse("coverage:dashboard", args=[programme.pk, "2025", "06472"])).status_code == 200
    assert client_for(users.other_commune).get(
        reverse("coverage:dashboard", args=[programme.pk, "2025", "06472"])).status_code == 404
    # A 2025 unit the programme never reached.
    make_unit(level="commune", code="05000", name="Xa Lạ", parent=tree.tn)
    assert client_for(users.tn_staff).get(
        reverse("coverage:dashboard", args=[programme.pk, "2025", "05000"])).status_code == 404
    assert client_for(users.tn_staff).get(
        f"/api/v1/coverage/2025/05000/?programme={programme.pk}").status_code == 404


def test_no_mapping_no_view(client_for, users, programme):
    assert client_for(users.tn_staff).get(
        reverse("coverage:dashboard", args=[programme.pk, "2025", "19"])).status_code == 404
    assert client_for(users.province).get(
        reverse("coverage:dashboard", args=[programme.pk, "2025", "19"])).status_code == 404


def test_excel_report_under_the_2025_units(client_for, users, programme, figures_built, mapped, tree,
                                           django_capture_on_commit_callbacks):
    c = client_for(users.province)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("coverage:report_create", args=[programme.pk, "2025", "19"]))
    job = ReportJob.objects.get()
    assert response.url == reverse("coverage:report_detail", args=[job.pk])
    assert job.status == "done"
    wb = load_workbook(io.BytesIO(c.get(reverse("coverage:report_download", args=[job.pk])).getvalue()))
    rows = [r for r in wb.active.iter_rows(values_only=True)]
    text = " ".join(str(v) for r in rows for v in r if v)
    assert "Quy tắc với xã cũ bị chia" in text and "Xã Kim Hỷ" in text
    header = next(i for i, r in enumerate(rows) if r[1] == "Xã")
    lines = {r[2]: r for r in rows[header + 1:] if r[2]}
    col = 3 + FIGURES.index("phones_handed_out")
    assert lines["06472"][col] == _legacy(programme, tree.con_minh)["phones_handed_out"]
    assert lines["02080"][col] == _legacy(programme, tree.kim_hy)["phones_handed_out"]
    total = next(r for r in rows if r[0] == "Tổng cộng")
    assert total[col] == _legacy(programme, tree.con_minh, tree.thuong_giao, tree.kim_hy)["phones_handed_out"]
