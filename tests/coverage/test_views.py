import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from distribution.models import Handout
from phocap.common.errors import DomainError
from programme_coverage import services
from programme_coverage.models import FIGURES, CoverageSummary, ReportJob
from tests.factories import make_household

pytestmark = pytest.mark.django_db


def json_block(html: str, element_id: str):
    """The data a json_script tag hands to the chart code."""
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def dash(programme, unit):
    return reverse("coverage:dashboard", args=[programme.pk, unit.scheme, unit.code])


@pytest.fixture
def built(programme, registry):
    services.coverage_rebuild_programme(programme=programme)
    return registry


# --- dashboards --------------------------------------------------------------------------

def test_province_dashboard_shows_figures_fund_chart_data_and_as_of(client_for, users, programme, built, tree):
    response = client_for(users.province).get(dash(programme, tree.bk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Số liệu tính lúc" in html
    row = CoverageSummary.objects.filter(programme=programme).latest("computed_at")
    from phocap.common.formatting import format_date

    assert format_date(row.computed_at) in html
    assert response.context["figures"]["phones_handed_out"] == 4
    assert response.context["fund"]["phones_in_kind"] == 50
    assert response.context["places"] == {"stock_province": 1, "stock_district": 1, "stock_commune": 4,
                                          "in_transit": 2, "missing": 0, "in_stock": 6}
    assert "vendor/chartjs/chart.umd.min.js" in html and "cdn" not in html.lower()
    communes = json_block(html, "data-communes")
    assert {c["name"]: c["handed_out"] for c in communes} == {"Côn Minh": 3, "Kim Hỷ": 0, "Thượng Giáo": 1}
    months = json_block(html, "data-months")
    assert [(m["month"], m["handouts"], m["cumulative"]) for m in months] == [
        ("08/2023", 1, 1), ("09/2023", 2, 3), ("10/2023", 1, 4)]
    # Drill-down links to the districts.
    assert dash(programme, tree.na_ri) in html and dash(programme, tree.ba_be) in html


def test_drill_down_district_commune_village(client_for, users, programme, built, tree):
    client = client_for(users.province)
    district = client.get(dash(programme, tree.na_ri))
    assert dash(programme, tree.con_minh) in district.content.decode()
    assert district.context["fund"] is None
    commune = client.get(dash(programme, tree.con_minh))
    assert dash(programme, tree.ban_con) in commune.content.decode()
    village = client.get(dash(programme, tree.ban_con))
    assert village.status_code == 200
    assert village.context["figures"]["phones_handed_out"] == 3


def test_dashboard_query_count_does_not_grow_with_data(client_for, users, programme, built, tree,
                                                       make_handout, django_assert_max_num_queries):
    client = client_for(users.province)
    client.get(dash(programme, tree.bk))  # warm the session
    with django_assert_max_num_queries(17):  # + the 2025 provinces the legacy one went to
        client.get(dash(programme, tree.bk))
    for _ in range(15):
        make_handout(make_household(tree.kim_hy, rank=1))
    services.coverage_rebuild_programme(programme=programme)
    with django_assert_max_num_queries(17):  # + the 2025 provinces the legacy one went to
        assert client.get(dash(programme, tree.bk)).context["figures"]["phones_handed_out"] == 19
    with django_assert_max_num_queries(15):  # + the follow-up visits of its villages (issue 14: at most 15)
        client.get(dash(programme, tree.con_minh))


def test_two_level_province_lists_its_communes(client_for, users, tree):
    from tests.factories import ProgrammeFactory, add_target

    tn_programme = ProgrammeFactory(province=tree.tn, name="Phổ cập ĐTTM Thái Nguyên 2025")
    add_target(tn_programme, tree.tn_commune, 300)
    services.coverage_rebuild_programme(programme=tn_programme)
    client = client_for(users.tn_staff)
    response = client.get(dash(tn_programme, tree.tn))
    assert response.status_code == 200
    assert [c["name"] for c in response.context["children"]] == ["Côn Minh"]
    assert response.context["figures"]["target_adults"] == 300
    assert dash(tn_programme, tree.tn_commune) in response.content.decode()
    assert client_for(users.province).get(dash(tn_programme, tree.tn)).status_code == 404


def test_officers_see_their_units_only(client_for, users, programme, built, tree):
    cases = [
        (users.district, tree.na_ri, 200), (users.district, tree.con_minh, 200), (users.district, tree.bk, 404),
        (users.district, tree.ba_be, 404), (users.district, tree.thuong_giao, 404),
        (users.commune, tree.con_minh, 200), (users.commune, tree.ban_con, 200), (users.commune, tree.na_ri, 404),
        (users.other_commune, tree.con_minh, 404), (users.tn_staff, tree.bk, 404), (users.auditor, tree.bk, 200),
    ]
    for user, unit, status in cases:
        client = client_for(user)
        assert client.get(dash(programme, unit)).status_code == status, (user.username, unit.name)
        assert client.get(reverse("coverage:print", args=[programme.pk, unit.scheme, unit.code])
                          ).status_code == status, (user.username, unit.name)


def test_anonymous_is_sent_to_login(client, programme, tree):
    response = client.get(dash(programme, tree.bk))
    assert response.status_code == 302 and "/tai-khoan/" in response["Location"]


def test_index_sends_each_user_to_their_widest_unit(client_for, users, programme, tree):
    assert client_for(users.district).get(reverse("coverage:index"))["Location"] == dash(programme, tree.na_ri)
    assert client_for(users.commune).get(reverse("coverage:index"))["Location"] == dash(programme, tree.con_minh)


def test_print_page_lists_children_without_navigation(client_for, users, programme, built, tree):
    html = client_for(users.province).get(reverse("coverage:print", args=[programme.pk, "legacy", "06"])).content.decode()
    assert "Na Rì" in html and "Ba Bể" in html and "mainnav" not in html
    assert "@media print" in html


# --- reports -------------------------------------------------------------------------------

def test_report_is_built_by_a_task_and_downloaded(client_for, users, programme, built, tree,
                                                  django_capture_on_commit_callbacks):
    client = client_for(users.province)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("coverage:report_create", args=[programme.pk, "legacy", "06"]))
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("coverage:report_detail", args=[job.pk])
    assert (job.status, job.rows_done, job.rows_total, job.percent) == ("done", 3, 3, 100)
    page = client.get(response["Location"]).content.decode()
    assert reverse("coverage:report_download", args=[job.pk]) in page
    download = client.get(reverse("coverage:report_download", args=[job.pk]))
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Huyện")
    col = 3 + FIGURES.index("phones_handed_out")
    assert rows[header_at][:3] == ("Huyện", "Xã", "Mã xã") and rows[header_at][col] == "Máy đã trao"
    assert rows[header_at][-6:] == ("Tỷ lệ phổ cập", "Tỷ lệ: Đã kích hoạt VNeID", "Tỷ lệ: Đã dùng dịch vụ công trực tuyến",
                                     "Tỷ lệ: Đã dùng thanh toán không dùng tiền mặt", "Tỷ lệ: Máy đang được sử dụng",
                                     "Số liệu tính lúc")
    body = rows[header_at + 1:]
    labels = [r[0] for r in body]
    # Ba Bể's communes, its subtotal, Na Rì's, its subtotal, the grand total.
    assert labels == ["Ba Bể", "Cộng Ba Bể", "Na Rì", "Na Rì", "Cộng Na Rì", "Tổng cộng"]
    assert [r[col] for r in body] == [1, 1, 0, 3, 3, 4]
    assert body[-1][col] == Handout.objects.filter(programme=programme, status="active").count()


def test_report_progress_page_refreshes_while_queued(client_for, users, programme, tree):
    job = ReportJob.objects.create(programme=programme, unit=tree.bk, requested_by=users.province)
    html = client_for(users.province).get(reverse("coverage:report_detail", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in html
    response = client_for(users.province).get(reverse("coverage:report_download", args=[job.pk]))
    assert response.status_code == 302


def test_report_job_runs_once_even_if_delivered_twice(programme, built, tree, users):
    job = ReportJob.objects.create(programme=programme, unit=tree.bk, requested_by=users.province)
    assert services.report_job_build(job_id=job.pk).status == "done"
    name = ReportJob.objects.get(pk=job.pk).file.name
    assert services.report_job_build(job_id=job.pk) is None
    assert ReportJob.objects.get(pk=job.pk).file.name == name


def test_report_cells_stay_text_and_times_are_dd_mm_yyyy(programme, built, tree, users):
    from phocap.areas.models import AdminUnit
    from phocap.common.formatting import format_date

    AdminUnit.objects.filter(pk=tree.kim_hy.pk).update(name='=HYPERLINK("http://x")')
    job = ReportJob.objects.create(programme=programme, unit=tree.na_ri, requested_by=users.district)
    job = services.report_job_build(job_id=job.pk)
    with job.file.open("rb") as f:
        rows = list(load_workbook(io.BytesIO(f.read())).active.iter_rows(values_only=True))
    kim_hy = next(r for r in rows if r and r[2] == tree.kim_hy.code)
    assert kim_hy[1] == "'=HYPERLINK(\"http://x\")"
    row = CoverageSummary.objects.get(programme=programme, commune=tree.kim_hy)
    assert kim_hy[-1] == format_date(row.computed_at)


def test_reports_are_scoped(client_for, users, programme, built, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(users.district).post(reverse("coverage:report_create", args=[programme.pk, "legacy", "066"]))
    job = ReportJob.objects.get()
    assert job.unit == tree.na_ri
    other = client_for(users.other_district)
    assert other.get(reverse("coverage:report_detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("coverage:report_download", args=[job.pk])).status_code == 404
    assert other.post(reverse("coverage:report_create", args=[programme.pk, "legacy", "066"])).status_code == 404
    assert client_for(users.district).post(
        reverse("coverage:report_create", args=[programme.pk, "legacy", "06"])).status_code == 404
    assert ReportJob.objects.count() == 1


# --- public page ----------------------------------------------------------------------------

def test_public_page_has_totals_and_no_personal_data(client, programme, built, tree):
    response = client.get(reverse("coverage:public", args=[programme.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Côn Minh" in html and "Thượng Giáo" in html
    assert response.context["figures"]["phones_handed_out"] == 4
    for handout in Handout.objects.select_related("household"):
        assert handout.recipient_name not in html
        assert handout.recipient_citizen_id not in html
        assert handout.household.head_name not in html
        assert handout.household.code not in html
    assert "Hoàng Thị Lụa" not in html


def test_public_page_of_unknown_programme_is_404(client, db):
    assert client.get(reverse("coverage:public", args=[999])).status_code == 404


# --- API ------------------------------------------------------------------------------------

def api(scheme, code, programme_id=None):
    url = reverse("coverage-unit", args=[scheme, code])
    return url + (f"?programme={programme_id}" if programme_id is not None else "")


def test_api_returns_unit_and_children_with_summary_keys(client_for, users, programme, built, tree):
    body = client_for(users.district).get(api("legacy", "066", programme.pk)).json()
    assert set(FIGURES) <= set(body) and body["code"] == "066" and body["computed_at"]
    assert body["phones_handed_out"] == 3 and body["target_adults"] == 520
    assert {c["name"]: c["phones_handed_out"] for c in body["children"]} == {"Côn Minh": 3, "Kim Hỷ": 0}
    for child in body["children"]:
        assert set(FIGURES) <= set(child)
    province = client_for(users.province).get(api("legacy", "06", programme.pk)).json()
    assert province["phones_handed_out"] == 4
    assert province["coverage"] == pytest.approx(0.004)


def test_api_is_scoped_and_validates_input(client_for, client, users, programme, built, tree):
    assert client.get(api("legacy", "066", programme.pk)).status_code in (401, 403)
    other = client_for(users.other_district)
    assert other.get(api("legacy", "066", programme.pk)).status_code == 404
    assert other.get(api("legacy", "06", programme.pk)).status_code == 404
    assert client_for(users.tn_staff).get(api("legacy", "06", programme.pk)).status_code == 404
    district = client_for(users.district)
    missing = district.get(api("legacy", "066"))
    assert missing.status_code == 400 and "programme" in missing.json()["fields"]  # the API's error shape
    assert district.get(api("legacy", "066", "abc")).status_code == 400
    assert district.get(api("legacy", "00000", programme.pk)).status_code == 404


def test_the_report_is_written_in_the_requesters_language(client_for, users, programme, tree,
                                                          django_capture_on_commit_callbacks):
    from django.conf import settings

    services.coverage_rebuild_programme(programme=programme)
    c = client_for(users.province)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("coverage:report_create", args=[programme.pk, tree.bk.scheme, tree.bk.code]))
    job = ReportJob.objects.get()
    sheet = load_workbook(job.file.open("rb"), read_only=True).worksheets[0]
    first = [v for row in sheet.iter_rows(max_row=8, values_only=True) for v in row if v]
    assert first[0] == "SMARTPHONE COVERAGE REPORT" and "Tỷ lệ phổ cập" not in first


def test_an_auditor_cannot_create_a_report_job(client_for, users, programme, tree):
    # Auditors read; a report job writes a row and a file (security probe).
    client = client_for(users.auditor)
    response = client.post(reverse("coverage:report_create", args=[programme.pk, "legacy", "06"]))
    assert response.status_code == 302 and not ReportJob.objects.exists()
    with pytest.raises(DomainError) as refused:
        services.report_job_create(programme=programme, unit=tree.bk, by=users.auditor)
    assert refused.value.code == "report_not_allowed"
