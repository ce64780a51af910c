"""Review and merge: nothing written before confirmation, all or nothing, idempotent."""

import io

import pytest

from beneficiaries import services
from beneficiaries.errors import Code
from beneficiaries.models import Household, ImportJob, Person
from beneficiaries.signals import households_changed
from phocap.areas.models import AdminUnit
from phocap.common import messages
from tests.beneficiaries import corpus
from tests.errors import raises_code


def test_review_counts_without_writing_anything(tree, run_import, users):
    job = run_import(tree.con_minh, corpus.messy_real(), confirm=False, by=users.commune)
    assert job.status == ImportJob.Status.VALIDATED
    assert (job.created_count, job.updated_count, job.unchanged_count, job.invalid_count) == (3, 0, 0, 0)
    assert job.new_villages == []  # Bản Còn and Nà Phai exist, matched without accents/case
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_merge_writes_households_people_categories_and_history(tree, run_import, users):
    job = run_import(tree.con_minh, corpus.messy_real(), by=users.commune)
    assert job.status == ImportJob.Status.MERGED, job.message
    an = Household.objects.get(head_citizen_id=corpus.ID_A)
    assert an.commune == tree.con_minh and an.village == tree.ban_con
    assert an.import_job == job  # remembers the import it came from
    assert an.priority_rank == 1 and an.adults_without_phone == 2
    cuong = Household.objects.get(head_citizen_id=corpus.ID_C)
    assert set(cuong.categories) == {"poor", "policy"}
    assert cuong.priority_rank == 1
    head = an.people.get()
    assert head.is_head and head.citizen_id == corpus.ID_A and head.id_kind == "cccd"
    record = an.history.get()
    assert record.history_type == "+" and record.history_user == users.commune
    assert f"#{job.pk}" in messages.text(record.history_change_reason)
    # The head people the import created have their creation row too (written set-based).
    for person in Person.objects.filter(household__import_job=job):
        created = person.history.get()
        assert (created.history_type, created.history_user, created.full_name) == ("+", users.commune,
                                                                                    person.full_name)
        assert f"#{job.pk}" in messages.text(created.history_change_reason)
    assert Person.history.count() == Person.objects.count() == 3


def test_file_with_errors_cannot_be_merged_by_default(tree, run_import):
    job = run_import(tree.con_minh, corpus.two_bad_rows(), confirm=False)
    assert job.invalid_count == 2 and job.created_count == 2
    with raises_code(Code.IMPORT_HAS_INVALID_ROWS):
        services.import_job_confirm(job=job, queue=False)
    assert Household.objects.count() == 0


def test_official_can_merge_only_the_valid_rows(tree, run_import):
    job = run_import(tree.con_minh, corpus.two_bad_rows(), skip_invalid=True)
    assert job.status == ImportJob.Status.MERGED
    assert Household.objects.count() == 2
    # "Khuổi Luông" was new: the import created the village.
    assert AdminUnit.objects.filter(parent=tree.con_minh, name="Khuổi Luông", level="village").exists()


def test_same_file_twice_changes_nothing_the_second_time(tree, run_import):
    # One file's bytes, uploaded twice (openpyxl stamps the save time, so two generated
    # workbooks can differ by a second).
    data = corpus.two_bad_rows_fixed()
    first = run_import(tree.con_minh, data)
    before = list(Household.objects.values_list("pk", "updated_at"))
    second = run_import(tree.con_minh, data, confirm=False)
    assert second.file_hash == first.file_hash
    assert services.previous_merge_of_same_file(second) == first
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 4)
    assert list(Household.objects.values_list("pk", "updated_at")) == before
    assert Household.history.count() == 4


def test_changed_row_updates_household_head_and_categories(tree, run_import):
    run_import(tree.con_minh, corpus.two_bad_rows_fixed())
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(corpus.two_bad_rows_fixed()))
    wb.active["A2"] = "Hoàng Văn Ân"
    wb.active["E2"] = "Hộ cận nghèo"
    buf = io.BytesIO()
    wb.save(buf)
    job = run_import(tree.con_minh, buf.getvalue())
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 3)
    an = Household.objects.get(head_citizen_id=corpus.ID_A)
    assert an.head_name == "Hoàng Văn Ân" and an.priority_rank == 2
    assert an.people.get().full_name == "Hoàng Văn Ân"
    assert list(an.categories) == ["near_poor"]
    assert [h.history_type for h in an.history.order_by("history_id")] == ["+", "~"]
    # The existing head was updated, not created again: still its one creation row.
    assert [h.history_type for h in an.people.get().history.all()] == ["+"]


def test_citizen_id_in_another_commune_is_an_error_naming_it(tree, run_import):
    run_import(tree.thuong_giao, corpus.two_bad_rows_fixed())
    job = run_import(tree.con_minh, corpus.two_bad_rows_fixed(), confirm=False)
    assert job.invalid_count == 4
    assert "Xã Thượng Giáo" in messages.error_text(job.errors[0])
    assert job.errors[0]["column"] == "Số CCCD"


def test_unreadable_file_fails_with_its_message_and_writes_nothing(tree, run_import):
    job = run_import(tree.con_minh, corpus.encrypted())
    assert job.status == ImportJob.Status.FAILED and messages.decode(job.message)[0] == Code.FILE_ENCRYPTED
    assert Household.objects.count() == 0


def test_tasks_delivered_twice_do_nothing_the_second_time(tree, run_import):
    job = run_import(tree.con_minh, corpus.two_bad_rows_fixed())
    assert services.import_job_validate(job_id=job.pk).status == ImportJob.Status.MERGED
    assert services.import_job_merge(job_id=job.pk).status == ImportJob.Status.MERGED
    assert Household.objects.count() == 4 and Household.history.count() == 4


def test_merge_rechecks_what_changed_since_the_review(tree, run_import):
    job = run_import(tree.con_minh, corpus.two_bad_rows_fixed(), confirm=False)
    run_import(tree.thuong_giao, corpus.two_bad_rows_fixed())  # the same people, elsewhere, meanwhile
    services.import_job_confirm(job=job, queue=False)
    job = services.import_job_merge(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert Household.objects.filter(commune=tree.con_minh).count() == 0


def test_merge_sends_households_changed_on_commit(tree, run_import, commune_ids_sent):
    with commune_ids_sent(households_changed) as seen:
        run_import(tree.con_minh, corpus.two_bad_rows_fixed())
    assert seen == [{tree.con_minh.pk}]


def test_database_refuses_a_second_active_person_with_the_same_id(tree, run_import):
    from django.db import IntegrityError, transaction

    run_import(tree.con_minh, corpus.two_bad_rows_fixed())
    hh = Household.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(household=hh, full_name="X", citizen_id=corpus.ID_A, id_kind="cccd")


def test_household_update_checks_and_keeps_history(tree, run_import, users):
    run_import(tree.con_minh, corpus.two_bad_rows_fixed())
    an = Household.objects.get(head_citizen_id=corpus.ID_A)
    services.household_update(household=an, by=users.commune, adults_without_phone=0,
                              categories=[("policy", 2020)])
    an.refresh_from_db()
    assert an.adults_without_phone == 0 and an.priority_rank == 3 and an.categories == {"policy": 2020}
    latest = an.history.latest()
    assert latest.history_user == users.commune
    # A change of categories is in the household's history like any other field.
    assert "categories" in [c.field for c in latest.diff_against(latest.prev_record).changes]
    with raises_code(Code.CITIZEN_ID_TAKEN):
        services.household_update(household=an, head_citizen_id=corpus.ID_B)
    with raises_code(Code.HOUSEHOLD_COUNTS_INCONSISTENT):
        services.household_update(household=an, adults=9, members=3)
    an.refresh_from_db()
    assert an.categories == {"policy": 2020} and an.adults == 2  # the refused edits changed nothing


def test_the_downloaded_template_filled_in_imports(tree, run_import):
    from openpyxl import load_workbook

    from beneficiaries.workbooks import template_bytes

    wb = load_workbook(io.BytesIO(template_bytes(commune=tree.con_minh, villages=["Bản Còn", "Nà Phai"])))
    ws = wb.worksheets[0]
    ws.append([None, "Hoàng Văn An", corpus.ID_A, 1975, "Nam", "Tày", "Bản Còn", "Hộ nghèo", 2024, 4, 2, 2])
    ws.append([None, "Nông Thị Bích", corpus.ID_B, 1980, "Nữ", "Nùng", "Nà Phai", "Bảo trợ xã hội", None, 3, 2, 1])
    buf = io.BytesIO()
    wb.save(buf)
    job = run_import(tree.con_minh, buf.getvalue())
    assert job.status == ImportJob.Status.MERGED and job.created_count == 2, job.errors
    an = Household.objects.get(head_citizen_id=corpus.ID_A)
    assert an.categories == {"poor": 2024} and an.head_ethnicity == "Tày"


def test_head_people_get_the_kind_of_their_id_and_a_smartphone_only_when_the_file_says_so(tree, run_import):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Mã hộ", "Họ và tên chủ hộ", "Số CCCD", "Thôn/bản", "Phân loại hộ", "Số người trưởng thành",
               "Số người chưa có ĐTTM"])
    ws.append(["H1", "Hoàng Văn An", corpus.ID_A, "Bản Còn", "Hộ nghèo", 1, 0])  # the one adult has a phone
    ws.append(["H2", "Nông Thị Bích", "012345678", "Bản Còn", "Hộ cận nghèo", 2, 1])  # old CMND
    ws.append(["H3", "Lý Văn Cường", None, "Nà Phai", "Khác", 1, 1])  # no ID: known by its code
    buf = io.BytesIO()
    wb.save(buf)
    job = run_import(tree.con_minh, buf.getvalue())
    assert job.status == ImportJob.Status.MERGED and job.created_count == 3, job.errors
    heads = {p.household.code: p for p in Person.objects.filter(is_head=True).select_related("household")}
    assert (heads["H1"].id_kind, heads["H1"].has_smartphone) == ("cccd", True)
    assert (heads["H2"].id_kind, heads["H2"].citizen_id, heads["H2"].has_smartphone) == ("cmnd", "012345678", False)
    assert (heads["H3"].id_kind, heads["H3"].citizen_id, heads["H3"].has_smartphone) == ("", None, False)
    assert [h.history_type for h in Household.history.order_by("id")] == ["+", "+", "+"]


def test_household_update_refuses_an_unknown_category(tree, run_import):
    run_import(tree.con_minh, corpus.two_bad_rows_fixed())
    an = Household.objects.get(head_citizen_id=corpus.ID_A)
    with raises_code(Code.CATEGORY_INVALID):
        services.household_update(household=an, categories=[("rich", 2023)])
    an.refresh_from_db()
    assert an.categories == {"poor": None}


def test_an_update_to_a_household_with_a_high_id_is_an_update_not_a_new_household(tree, run_import):
    # A household whose id is ahead of the id sequence (inserted with an explicit id):
    # the merge must still tell it from the households it creates.
    hh = Household.objects.create(pk=10**8, commune=tree.con_minh, village=tree.ban_con, head_name="Hoàng Văn An",
                                  head_citizen_id=corpus.ID_A, members=3, adults=2, categories={"near_poor": None},
                                  priority_rank=2)
    Person.objects.create(household=hh, full_name="Hoàng Văn An", citizen_id=corpus.ID_A, id_kind="cccd",
                          is_head=True)
    job = run_import(tree.con_minh, corpus.two_bad_rows_fixed(), confirm=False)
    assert job.errors == [] and (job.created_count, job.updated_count) == (3, 1), job.errors
    services.import_job_confirm(job=job, queue=False)
    job = services.import_job_merge(job_id=job.pk)
    assert job.status == ImportJob.Status.MERGED, job.message
    hh.refresh_from_db()
    assert hh.categories == {"poor": None} and hh.people.filter(is_head=True).count() == 1
    assert [h.history_type for h in hh.history.order_by("history_id")] == ["+", "~"]
    created = Household.objects.exclude(pk=hh.pk)
    assert [h.history_type for h in Household.history.filter(id__in=created.values("pk"))] == ["+"] * 3
    assert all(h.people.filter(is_head=True).count() == 1 for h in created)


def test_household_update_can_clear_the_head_id_of_a_household_with_a_code(tree, run_import):
    run_import(tree.con_minh, corpus.two_bad_rows_fixed())
    an = Household.objects.get(head_citizen_id=corpus.ID_A)
    services.household_update(household=an, code="HN-01", head_citizen_id=None)
    an.refresh_from_db()
    assert an.code == "HN-01" and an.head_citizen_id is None
    head = an.people.get(is_head=True, is_active=True)
    assert (head.citizen_id, head.id_kind) == (None, "")
    # Without the key the ID stays as it was.
    services.household_update(household=an, head_citizen_id=corpus.ID_A)
    services.household_update(household=an, notes="x")
    an.refresh_from_db()
    assert an.head_citizen_id == corpus.ID_A


def test_an_updated_household_without_a_head_person_gets_one_like_a_new_household(tree, run_import):
    hh = Household.objects.create(commune=tree.con_minh, village=tree.ban_con, head_name="Hoàng Văn An",
                                  head_citizen_id=corpus.ID_A, members=3, adults=2, categories={"near_poor": None},
                                  priority_rank=2)
    job = run_import(tree.con_minh, corpus.two_bad_rows_fixed())
    assert job.status == ImportJob.Status.MERGED and job.updated_count == 1, job.message
    head = hh.people.get(is_head=True, is_active=True)
    assert (head.full_name, head.citizen_id, head.id_kind) == ("Hoàng Văn An", corpus.ID_A, "cccd")
    assert Person.objects.filter(is_head=True, is_active=True).count() == Household.objects.count()
