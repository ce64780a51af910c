"""What the import and the registry store is shown in the reader's language: row errors,
a failed file's message, skipped sheets, the error file and history reasons are stored
as a code and the values as typed, and worded when read."""

import json
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from beneficiaries.errors import Code
from beneficiaries.models import Household, ImportJob
from phocap.common import messages
from tests.beneficiaries import corpus, shapes


@pytest.fixture(autouse=True)
def _run_tasks_on_commit(monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def _client(client_for, users, language):
    client = client_for(users.commune)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _upload(client, commune, data, name="ds.xlsx"):
    client.post(reverse("beneficiaries:import_upload"), {"commune": commune.pk, "file": SimpleUploadedFile(name, data)})
    return ImportJob.objects.latest("pk")


def test_row_errors_are_stored_as_codes_with_the_cells_as_typed(tree, users, client_for):
    job = _upload(_client(client_for, users, "vi"), tree.con_minh, shapes.messages_quote_cells().data)
    assert {(e["row"], e["code"]) for e in job.errors} == {(2, Code.ROW_CATEGORY_UNKNOWN), (3, Code.ROW_PHONE_INVALID)}
    assert {e["params"]["v"] for e in job.errors} == {"Hộ giàu có", "09-1234"}
    assert all("message" not in e for e in job.errors)  # the worker's language is not stored


@pytest.mark.parametrize(("language", "expected", "absent"), [
    ("en", ["Row 2, column", "“Hộ giàu có” not recognised", "phone number “09-1234”"], ["không hiểu", "không hợp lệ"]),
    ("vi", ["Dòng 2, cột", "không hiểu “Hộ giàu có”", "số điện thoại “09-1234” không hợp lệ"], ["not recognised"]),
])
def test_review_page_words_row_errors_in_the_readers_language(tree, users, client_for, language, expected, absent):
    # Uploaded by a Vietnamese page, read in either language.
    job = _upload(_client(client_for, users, "vi"), tree.con_minh, shapes.messages_quote_cells().data)
    page = _client(client_for, users, language).get(reverse("beneficiaries:import_review", args=[job.pk]))
    text = page.content.decode()
    for fragment in expected:
        assert fragment in text, fragment
    for fragment in absent:
        assert fragment not in text, fragment


@pytest.mark.parametrize(("language", "header", "fragment"), [
    ("en", "Errors to correct", "that are not a province code"),
    ("vi", "Lỗi cần sửa", "không phải mã tỉnh nào"),
])
def test_error_file_is_in_the_readers_language(tree, users, client_for, language, header, fragment):
    job = _upload(_client(client_for, users, "vi"), tree.con_minh, corpus.two_bad_rows())
    response = _client(client_for, users, language).get(reverse("beneficiaries:import_annotated", args=[job.pk]))
    ws = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert ws["A1"].value == header
    assert "003180000202" in ws["A3"].value and fragment in ws["A3"].value
    assert response["Content-Disposition"].endswith('-errors.xlsx"' if language == "en" else '-loi.xlsx"')


def test_a_failed_files_message_follows_the_reader(tree, users, client_for):
    job = _upload(_client(client_for, users, "vi"), tree.con_minh, corpus.encrypted())
    assert job.status == ImportJob.Status.FAILED and messages.decode(job.message)[0] == Code.FILE_ENCRYPTED
    english = _client(client_for, users, "en").get(reverse("beneficiaries:import_review", args=[job.pk]))
    assert "password-protected" in english.content.decode() and "mật khẩu" not in english.content.decode()
    vietnamese = _client(client_for, users, "vi").get(reverse("beneficiaries:import_review", args=[job.pk]))
    assert "mật khẩu" in vietnamese.content.decode()


def test_rows_stored_before_codes_still_show_as_written(tree, users, client_for):
    job = _upload(_client(client_for, users, "vi"), tree.con_minh, corpus.two_bad_rows())
    ImportJob.objects.filter(pk=job.pk).update(errors=[{"row": 3, "column": "Số CCCD", "message": "lỗi cũ “x”"}])
    page = _client(client_for, users, "en").get(reverse("beneficiaries:import_review", args=[job.pk]))
    assert "lỗi cũ “x”" in page.content.decode()


@pytest.mark.parametrize(("language", "reason"), [("en", "Imported from file #%d (ds.xlsx)"),
                                                  ("vi", "Nhập từ file #%d (ds.xlsx)")])
def test_history_page_shows_the_import_reason_in_the_readers_language(tree, users, client_for, language, reason):
    client = _client(client_for, users, "vi")
    job = _upload(client, tree.con_minh, corpus.two_bad_rows_fixed())
    client.post(reverse("beneficiaries:import_confirm", args=[job.pk]))
    household = Household.objects.filter(commune=tree.con_minh).first()
    assert messages.decode(household.history.get().history_change_reason) == (
        Code.REASON_IMPORTED, {"id": job.pk, "name": "ds.xlsx"})
    page = _client(client_for, users, language).get(household.get_absolute_url()).content.decode()
    assert reason % job.pk in page


def test_legacy_history_reasons_written_in_vietnamese_are_worded_for_the_reader(tree, users, client_for, run_import):
    run_import(tree.con_minh, corpus.two_bad_rows_fixed(), by=users.commune)
    household = Household.objects.filter(commune=tree.con_minh).first()
    household.history.update(history_change_reason="cấp phát điện thoại")  # as rows were written before
    page = _client(client_for, users, "en").get(household.get_absolute_url()).content.decode()
    assert "phone handed out" in page and "cấp phát điện thoại" not in page


def test_a_long_file_name_is_cut_not_the_code():
    stored = messages.encode(Code.REASON_IMPORTED, 100, id=7, name="x" * 200)
    assert len(stored) <= 100
    with translation.override("en"):
        assert messages.text(stored).startswith("Imported from file #7 (xxx")


@pytest.mark.parametrize(("language", "fragment"), [("en", "“Hộ giàu có” not recognised"),
                                                    ("vi", "không hiểu “Hộ giàu có”")])
def test_cli_json_keeps_codes_and_words_messages_in_the_chosen_language(tree, tmp_path, capsys, language, fragment):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(shapes.messages_quote_cells().data)
    with pytest.raises(SystemExit):
        call_command("import_households", str(path), "--commune", "02071", "--json", "--language", language)
    report = json.loads(capsys.readouterr().out)
    by_code = {e["code"]: e["message"] for e in report["errors"]}
    assert fragment in by_code[Code.ROW_CATEGORY_UNKNOWN]


def test_rows_with_a_category_problem_keep_their_own_household_codes():
    """Two households with codes and an unknown category: two category errors, no false
    "code repeated" (the loop over a cell's problems once reused the household code's name)."""
    from openpyxl import Workbook

    from beneficiaries.imports import normalise_rows, read_table

    wb = Workbook()
    for row in [["Mã hộ", "Họ và tên chủ hộ", "Thôn/bản", "Phân loại hộ"], ["HN1", "Hoàng Văn An", "Bản Còn", "Hộ lạ"],
                ["HN2", "Nông Thị Bích", "Bản Còn", "Hộ lạ"], ["HN3", "Lý Văn Cường", "Bản Còn", "Hộ nghèo"]]:
        wb.active.append(row)
    data = corpus._save(wb)
    _staged, errors = normalise_rows(read_table(data, "ds.xlsx"))
    assert [(e["row"], e["code"]) for e in errors] == [(2, Code.ROW_CATEGORY_UNKNOWN), (3, Code.ROW_CATEGORY_UNKNOWN)]
