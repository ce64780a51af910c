"""A programme's settings, status, extension and history; an ended, closed or draft
programme refuses new batches and hand-outs."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from distribution import services as dist
from phocap.common.errors import DomainError
from phocap.programmes.models import Programme, ProgrammeCommune
from phocap.programmes.services import (
    programme_create,
    programme_extend,
    programme_set_status,
    programme_set_target,
    programme_update,
)
from tests.factories import make_imei

pytestmark = pytest.mark.django_db
D = datetime.date


def _code(excinfo) -> str:
    return excinfo.value.code


def test_province_must_exist_in_the_chosen_scheme(tree, users):
    with pytest.raises(DomainError) as e:
        programme_create(name="X", province=tree.bk, scheme="2025", start_date=D(2026, 1, 1), by=users.province)
    assert _code(e) == "province_not_in_scheme"
    p = programme_create(name="X", province=tree.tn, scheme="2025", start_date=D(2026, 1, 1), by=users.tn_staff)
    assert p.scheme == "2025"


@pytest.mark.postgres
def test_database_refuses_a_province_of_another_scheme(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(name="Sai", province=tree.bk, scheme="2025", start_date=D(2026, 1, 1))
    p = Programme.objects.create(name="Đúng", province=tree.tn, scheme="2025", start_date=D(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=p.pk).update(scheme="legacy")


def test_admin_refuses_a_province_of_another_scheme(client, tree):
    from tests.factories import UserFactory

    admin_user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    response = client.post(reverse("admin:programmes_programme_add"), {
        "name": "Sai hệ thống", "province": tree.bk.pk, "scheme": "2025", "start_date": "2026-01-01",
        "default_phone_price_vnd": 2_000_000, "eligible_categories": '["poor"]', "min_age": 18,
        "status": "draft",
        "plans-TOTAL_FORMS": 0, "plans-INITIAL_FORMS": 0, "targets-TOTAL_FORMS": 0, "targets-INITIAL_FORMS": 0})
    assert response.status_code == 200
    assert not Programme.objects.filter(name="Sai hệ thống").exists()


@pytest.mark.parametrize("changes, code", [
    ({"default_phone_price_vnd": 0}, "price_not_positive"),
    ({"end_date": D(2023, 1, 1)}, "end_before_start"),
    ({"eligible_categories": []}, "no_eligible_category"),
    ({"eligible_categories": ["rich"]}, "no_eligible_category"),
    ({"min_age": 16}, "min_age_too_low"),
    ({"name": "  "}, "name_required"),
])
def test_settings_rules(programme, users, changes, code):
    with pytest.raises(DomainError) as e:
        programme_update(programme=programme, by=users.province, reason="thử", **changes)
    assert _code(e) == code
    programme.refresh_from_db()
    assert programme.default_phone_price_vnd == 2_000_000 and programme.min_age == 18


def test_province_is_locked_once_targets_exist(programme, tree, users):
    with pytest.raises(DomainError) as e:
        programme_update(programme=programme, by=users.province, province=tree.tn, scheme="2025")
    assert _code(e) == "province_locked"


def test_extension_needs_a_reason_and_is_history(programme, users):
    with pytest.raises(DomainError) as e:
        programme_update(programme=programme, by=users.province, reason="", end_date=D(2024, 12, 31))
    assert _code(e) == "reason_required"
    programme_update(programme=programme, by=users.province, reason="Kế hoạch 506", end_date=D(2024, 12, 31))
    with pytest.raises(DomainError) as e:
        programme_extend(programme=programme, end_date=D(2025, 6, 30), reason=" ", by=users.province)
    assert _code(e) == "reason_required"
    with pytest.raises(DomainError) as e:
        programme_extend(programme=programme, end_date=D(2024, 6, 30), reason="rút ngắn", by=users.province)
    assert _code(e) == "not_an_extension"
    programme_extend(programme=programme, end_date=D(2025, 6, 30), reason="Còn 120 máy chưa cấp", by=users.province)
    last = programme.history.first()
    assert last.end_date == D(2025, 6, 30)
    assert last.history_change_reason == "Còn 120 máy chưa cấp" and last.history_user == users.province
    assert last.prev_record.end_date == D(2024, 12, 31)


def test_end_date_of_a_draft_moves_freely(tree, users):
    p = programme_create(name="Nháp", province=tree.bk, start_date=D(2024, 1, 1), status="draft", by=users.province)
    programme_update(programme=p, by=users.province, end_date=D(2024, 6, 1))
    assert Programme.objects.get(pk=p.pk).end_date == D(2024, 6, 1)


def test_status_transitions(tree, users):
    p = programme_create(name="Mới", province=tree.bk, start_date=D(2024, 1, 1), status="draft", by=users.province)
    with pytest.raises(DomainError) as e:
        programme_set_status(programme=p, status="active", by=users.province)
    assert _code(e) == "no_targets"
    programme_set_target(programme=p, commune=tree.con_minh, baseline_adults=10, by=users.province)
    programme_set_status(programme=p, status="active", by=users.province)
    programme_set_status(programme=p, status="closed", by=users.province)
    with pytest.raises(DomainError) as e:
        programme_set_status(programme=p, status="draft", by=users.province)
    assert _code(e) == "bad_status"
    with pytest.raises(DomainError) as e:
        programme_set_status(programme=p, status="active", by=users.province)
    assert _code(e) == "reason_required"
    programme_set_status(programme=p, status="active", by=users.province, reason="Tỉnh quyết định tiếp tục")
    p.refresh_from_db()
    assert p.status == "active" and p.is_active
    assert [h.status for h in p.history.order_by("history_id")] == ["draft", "active", "closed", "active"]


def test_target_changes_are_history(programme, tree, users):
    programme_set_target(programme=programme, commune=tree.con_minh, baseline_adults=600, by=users.province)
    programme_set_target(programme=programme, commune=tree.con_minh, baseline_adults=600, by=users.province)
    target = ProgrammeCommune.objects.get(programme=programme, commune=tree.con_minh)
    assert [h.baseline_adults for h in target.history.order_by("history_id")] == [520, 600]
    assert target.history.first().history_user == users.province


# --- an ended / closed / draft programme refuses new batches and hand-outs -----------------

@pytest.fixture
def phones(programme, tree, users):
    from donations.models import Donation, Donor

    donor = Donor.objects.create(kind="enterprise", name="VNPT", name_ascii="vnpt", unit=tree.bk)
    donation = Donation.objects.create(programme=programme, donor=donor, unit=tree.bk,
                                       received_on=D(2023, 8, 20), phones_count=5, phone_model="A04",
                                       phone_condition="new", phone_unit_value_vnd=2_000_000)
    return dist.devices_register(programme=programme, unit=tree.bk, by=users.province, donation=donation,
                                 imeis=[make_imei(i, series=7) for i in range(1, 6)], model="A04")


def test_ended_programme_refuses_batches_and_handouts(programme, tree, users, phones):
    batch = dist.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province,
                                count=2)
    dist.batch_receive(batch=batch, by=users.district)
    to_commune = dist.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh,
                                     by=users.district, count=2)
    dist.batch_receive(batch=to_commune, by=users.commune)
    programme_update(programme=programme, by=users.province, reason="kết thúc theo kế hoạch",
                     end_date=D(2024, 12, 31))
    with pytest.raises(DomainError) as e:
        dist.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province, count=1)
    assert _code(e) == "programme_ended"
    from tests.factories import make_household

    hh = make_household(tree.con_minh, rank=1)
    imei = to_commune.lines.first().device.imei
    with pytest.raises(DomainError) as e:
        dist.handout_create(programme=programme, household=hh, by=users.commune, imei=imei,
                            recipient_name="Nguyễn Văn A", recipient_citizen_id="006080001234", handed_out_on=D(2026, 1, 5))
    assert _code(e) == "programme_ended"
    # A hand-out dated within the programme (paper minutes entered late) is still recorded.
    dist.handout_create(programme=programme, household=hh, by=users.commune, imei=imei,
                        recipient_name="Nguyễn Văn A", recipient_citizen_id="006080001234", handed_out_on=D(2024, 12, 20))
    # Extended with a reason: it runs again.
    programme_extend(programme=programme, end_date=None, reason="Gia hạn đến khi hết máy", by=users.province)
    dist.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province, count=1)


@pytest.mark.parametrize("status, code", [("closed", "programme_closed"), ("draft", "programme_draft")])
def test_closed_or_draft_programme_refuses_batches(programme, tree, users, phones, status, code):
    Programme.objects.filter(pk=programme.pk).update(status=status)
    programme.refresh_from_db()
    with pytest.raises(DomainError) as e:
        dist.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri, by=users.province, count=1)
    assert _code(e) == code
