"""Pages: the import flow, scoping to the official's commune, masking, query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beneficiaries.models import Household, ImportJob
from tests.beneficiaries import corpus


@pytest.fixture(autouse=True)
def _run_tasks_on_commit(monkeypatch):
    """Tasks are queued with transaction.on_commit; the test transaction never commits,
    so run the callbacks at once (Celery is eager in tests)."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def _upload(client, commune, data, name="ds.xlsx"):
    return client.post(reverse("beneficiaries:import_upload"),
                       {"commune": commune.pk, "file": SimpleUploadedFile(name, data)})


@pytest.fixture
def imported(tree, users, client_for):
    client = client_for(users.commune)
    _upload(client, tree.con_minh, corpus.two_bad_rows_fixed())
    job = ImportJob.objects.get()
    client.post(reverse("beneficiaries:import_confirm", args=[job.pk]))
    return ImportJob.objects.get()


def test_upload_review_fix_confirm(tree, users, client_for):
    client = client_for(users.commune)
    response = _upload(client, tree.con_minh, corpus.two_bad_rows())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("beneficiaries:import_review", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Dòng 3, cột Số CCCD" in page and "Dòng 4, cột Phân loại hộ" in page
    assert job.file_hash in page
    annotated = client.get(reverse("beneficiaries:import_annotated", args=[job.pk]))
    assert annotated["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(b"".join(annotated.streaming_content))).active
    assert ws["A1"].value == "Lỗi cần sửa" and "Số CCCD" in ws["A3"].value and ws["A2"].value is None
    refused = client.post(reverse("beneficiaries:import_confirm", args=[job.pk]), follow=True)
    assert "dòng lỗi" in refused.content.decode() and Household.objects.count() == 0
    _upload(client, tree.con_minh, corpus.two_bad_rows_fixed())
    fixed = ImportJob.objects.latest("pk")
    client.post(reverse("beneficiaries:import_confirm", args=[fixed.pk]))
    fixed.refresh_from_db()
    assert fixed.status == ImportJob.Status.MERGED and Household.objects.count() == 4


def test_status_json_for_polling(imported, users, client_for):
    data = client_for(users.commune).get(reverse("beneficiaries:import_status", args=[imported.pk])).json()
    assert data == {"status": "merged", "status_label": "Đã nhập", "done": 4, "total": 4, "percent": 100,
                    "running": False}


def test_running_job_page_refreshes_without_js(tree, users, client_for):
    from beneficiaries import services

    job = services.import_job_create(commune=tree.con_minh, data=corpus.two_bad_rows_fixed(),
                                     filename="a.xlsx", by=users.commune, queue=False)
    page = client_for(users.commune).get(reverse("beneficiaries:import_review", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh"' in page and "trang-thai.json" in page


def test_official_of_another_commune_sees_nothing(imported, tree, users, client_for):
    client = client_for(users.other_commune)
    hh = Household.objects.first()
    for name, args in [("import_review", [imported.pk]), ("import_status", [imported.pk]),
                       ("import_annotated", [imported.pk]), ("import_template", [tree.con_minh.pk]),
                       ("household_detail", [hh.pk]), ("household_edit", [hh.pk])]:
        assert client.get(reverse(f"beneficiaries:{name}", args=args)).status_code == 404, name
    assert client.post(reverse("beneficiaries:import_confirm", args=[imported.pk])).status_code == 404
    assert client.get(reverse("beneficiaries:priority_list") + f"?commune={tree.con_minh.pk}").status_code == 404
    assert client.get(reverse("beneficiaries:priority_export") + f"?commune={tree.con_minh.pk}").status_code == 404
    listing = client.get(reverse("beneficiaries:household_list")).content.decode()
    assert hh.head_name not in listing
    # Cannot import into Côn Minh: the commune is not among the form's choices.
    response = _upload(client, tree.con_minh, corpus.two_bad_rows_fixed())
    assert response.status_code == 200 and ImportJob.objects.count() == 1


def test_auditor_and_district_cannot_import(users, client_for):
    for user in (users.auditor, users.district, users.province):
        assert client_for(user).get(reverse("beneficiaries:import_upload")).status_code == 403


def test_ids_are_masked_for_auditor_and_province_but_not_commune(imported, users, client_for):
    url = reverse("beneficiaries:household_list")
    assert corpus.ID_A in client_for(users.commune).get(url).content.decode()
    for user in (users.auditor, users.province):
        page = client_for(user).get(url).content.decode()
        assert "Hoàng Văn An" in page and corpus.ID_A not in page and "••••••••0101" in page


def test_search_without_diacritics_and_by_id(imported, users, client_for):
    client = client_for(users.commune)
    url = reverse("beneficiaries:household_list")
    page = client.get(url, {"q": "hoang van an"}).content.decode()
    assert "Hoàng Văn An" in page and "Nông Thị Bích" not in page
    page = client.get(url, {"q": corpus.ID_B}).content.decode()
    assert "Nông Thị Bích" in page and "Hoàng Văn An" not in page


def test_filter_by_category_shows_only_those_households(imported, users, client_for):
    client = client_for(users.commune)
    url = reverse("beneficiaries:household_list")
    page = client.get(url, {"category": "near_poor"}).content.decode()
    assert "Nông Thị Bích" in page and "Hoàng Văn An" not in page and "Lý Văn Cường" not in page
    page = client.get(url, {"category": "policy"}).content.decode()
    assert "Lý Văn Cường" in page and "Gia đình chính sách" in page and "Nông Thị Bích" not in page


def test_list_query_count_does_not_grow(imported, users, client_for, django_assert_max_num_queries, run_import):
    client = client_for(users.province)
    url = reverse("beneficiaries:household_list")
    with django_assert_max_num_queries(12):
        client.get(url)
    from beneficiaries.samples import household_rows, xlsx_bytes

    run_import(imported.commune, xlsx_bytes(household_rows(40, id_offset=500)))
    with django_assert_max_num_queries(12):
        client.get(url)


def test_priority_page_and_export(imported, tree, users, client_for, django_assert_max_num_queries):
    client = client_for(users.commune)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("beneficiaries:priority_list")).content.decode()
    # poor (An), near-poor (Bích), policy (Cường), other (Dung)
    order = [page.index(n) for n in ("Hoàng Văn An", "Nông Thị Bích", "Lý Văn Cường", "Đàm Thị Dung")]
    assert order == sorted(order)
    export = client.get(reverse("beneficiaries:priority_export"))
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(export.content)).active
    assert [ws.cell(row=r, column=3).value for r in range(2, 6)] == [
        "Hoàng Văn An", "Nông Thị Bích", "Lý Văn Cường", "Đàm Thị Dung"]


@pytest.mark.parametrize(("language", "message"), [
    ("vi", "Số người trưởng thành không được lớn hơn số nhân khẩu."),
    ("en", "The number of adults cannot be larger than the number of members.")])
def test_a_constraint_is_explained_in_the_users_language(imported, users, client_for, language, message):
    # Security probe: 'Constraint “household_adults_le_members” is violated.' in English on both.
    hh = Household.objects.get(head_citizen_id=corpus.ID_A)
    client = client_for(users.commune)
    client.cookies["django_language"] = language
    url = reverse("beneficiaries:household_edit", args=[hh.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k not in ("categories",)}
    data.update({"village": hh.village_id, "categories": ["policy"], "status": "active",
                 "members": 2, "adults": 5, "adults_without_phone": 1})
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "household_adults_le_members" not in body
    hh.refresh_from_db()
    assert hh.adults != 5


def test_edit_by_commune_official(imported, users, client_for):
    hh = Household.objects.get(head_citizen_id=corpus.ID_A)
    client = client_for(users.commune)
    url = reverse("beneficiaries:household_edit", args=[hh.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k not in ("categories",)}
    data.update({"village": hh.village_id, "categories": ["policy"], "head_name": "Hoàng Văn Ân",
                 "head_citizen_id": corpus.ID_A, "status": "active"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    hh.refresh_from_db()
    assert hh.head_name == "Hoàng Văn Ân" and hh.priority_rank == 3
    assert client_for(users.auditor).get(url).status_code == 403


def test_template_has_commune_villages_and_version(tree, users, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for(users.commune).get(reverse("beneficiaries:import_template", args=[tree.con_minh.pk]))
    wb = load_workbook(BytesIO(response.content))
    assert "Côn Minh" in wb.worksheets[0]["A1"].value
    assert wb["phocap"]["A1"].value.startswith("phocap-ho-gia-dinh-v")
    assert {"Bản Còn", "Nà Phai"} <= {c.value for c in wb["Danh mục"]["A"]}
    assert wb.worksheets[0].data_validations.dataValidation


def test_api_lists_only_scoped_households_with_masked_ids(imported, users, client_for):
    data = client_for(users.auditor).get("/api/v1/households/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert len(rows) == 4 and all(r["head_citizen_id"].startswith("••••") for r in rows)
    data = client_for(users.other_commune).get("/api/v1/households/").json()
    assert (data["results"] if isinstance(data, dict) else data) == []
    assert client_for(users.other_commune).get(f"/api/v1/household-imports/{imported.pk}/").status_code == 404
    assert client_for(users.commune).get(f"/api/v1/household-imports/{imported.pk}/").json()["status"] == "merged"


def test_priority_page_query_count_does_not_grow(imported, users, client_for, django_assert_max_num_queries,
                                                 run_import):
    from beneficiaries.samples import household_rows, xlsx_bytes

    client = client_for(users.commune)
    url = reverse("beneficiaries:priority_list")
    with django_assert_max_num_queries(14):
        client.get(url)
    run_import(imported.commune, xlsx_bytes(household_rows(40, id_offset=500)))
    with django_assert_max_num_queries(14):
        client.get(url)


def test_template_help_follows_the_language_of_the_request(tree):
    from io import BytesIO

    from django.utils import translation
    from openpyxl import load_workbook

    from beneficiaries.workbooks import template_bytes

    def help_of_name_column():
        wb = load_workbook(BytesIO(template_bytes(commune=tree.con_minh, villages=[])))
        return wb.worksheets[0]["B4"].comment.text

    with translation.override("en"):
        assert help_of_name_column().startswith("Required.")
    with translation.override("vi"):
        assert help_of_name_column().startswith("Bắt buộc.")


def test_admin_shows_households_but_never_changes_or_deletes_them(imported, client):
    from tests.factories import UserFactory

    hh = Household.objects.first()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("admin:beneficiaries_household_change", args=[hh.pk])).status_code == 200  # view only
    assert client.post(reverse("admin:beneficiaries_household_delete", args=[hh.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:beneficiaries_household_add")).status_code == 403
    assert Household.objects.filter(pk=hh.pk).exists()
