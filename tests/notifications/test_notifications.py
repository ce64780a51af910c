"""Notifications: each event reaches the right people once (even when the scan runs twice),
by e-mail once; each role's home page starts with its to-dos."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from distribution.models import Batch
from phocap.notifications.models import Notification
from phocap.notifications.services import notifications_scan, notify
from tests.factories import Role, member

pytestmark = pytest.mark.django_db


def _keys(user):
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


def test_batch_dispatched_notifies_the_receiving_unit_once(tree, users, batch_to_na_ri, django_capture_on_commit_callbacks):
    users.district.email = "huyen@example.vn"
    users.district.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications_scan()
    with django_capture_on_commit_callbacks(execute=True):
        second = notifications_scan()
    assert (first, second) == (1, 0)
    assert _keys(users.district) == [f"batch_dispatched:{batch_to_na_ri.pk}"]
    assert _keys(users.province) == [] and _keys(users.other_district) == []
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["huyen@example.vn"]
    assert "Đợt 1" in mail.outbox[0].body


def test_notify_twice_creates_one(users):
    for _ in range(2):
        notify(users=[users.district, users.district], kind="pledge_overdue", key="pledge_overdue:1:",
               params={"donor": "X", "due": ""})
    assert Notification.objects.count() == 1


def test_unconfirmed_batch_notifies_both_units(tree, users, batch_to_na_ri, settings):
    settings.PHOCAP_BATCH_CONFIRM_DAYS = 7
    Batch.objects.filter(pk=batch_to_na_ri.pk).update(dispatched_at=timezone.now() - datetime.timedelta(days=8))
    notifications_scan()
    notifications_scan()
    key = f"batch_unconfirmed:{batch_to_na_ri.pk}"
    assert key in _keys(users.district) and key in _keys(users.province)
    assert Notification.objects.filter(key=key).count() == 2


def test_pledge_overdue_notifies_its_unit(programme, tree, users):
    from donations import services as fund
    from donations.models import Donor

    donor = fund.donor_create(kind=Donor.Kind.AGENCY, name="Hội Nông dân", unit=tree.na_ri)
    pledge = fund.pledge_create(programme=programme, donor=donor, pledged_on=datetime.date(2023, 8, 11),
                                cash_vnd=1_000_000, due_date=datetime.date(2023, 9, 30), unit=tree.na_ri,
                                by=users.province)
    notifications_scan(today=datetime.date(2023, 10, 5))
    notifications_scan(today=datetime.date(2023, 10, 6))
    assert _keys(users.district) == [f"pledge_overdue:{pledge.pk}:30/09/2023"]
    n = Notification.objects.get(user=users.district)
    assert "Hội Nông dân" in n.text and n.url == pledge.get_absolute_url()


def test_report_finished_notifies_who_asked(programme, tree, users, settings, tmp_path,
                                           django_capture_on_commit_callbacks):
    from programme_coverage import services as cov

    settings.MEDIA_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        job = cov.report_job_create(programme=programme, unit=tree.na_ri, by=users.district)
    notifications_scan()
    notifications_scan()
    assert _keys(users.district) == [f"report_done:{job.pk}"]


def test_notification_text_follows_the_reader_language(client_for, users):
    notify(users=[users.district], kind="report_done", key="report_done:9", params={"unit": "Huyện Na Rì"})
    client = client_for(users.district)
    assert "Báo cáo phổ cập Huyện Na Rì" in client.get(reverse("notifications:list")).content.decode()
    client.cookies["django_language"] = "en"
    assert "Huyện Na Rì" in client.get(reverse("notifications:list")).content.decode()


def test_list_shows_only_own_notifications_and_marks_read(client_for, users):
    notify(users=[users.district], kind="report_done", key="report_done:1", params={"unit": "Zmine"})
    notify(users=[users.other_district], kind="report_done", key="report_done:2", params={"unit": "Zother"})
    client = client_for(users.district)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Zmine" in page and "Zother" not in page
    client.post(reverse("notifications:read"))
    assert not Notification.objects.filter(user=users.district, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=users.other_district, read_at__isnull=True).exists()


def test_home_pages_start_with_todos(client_for, programme, tree, users, batch_to_na_ri, commune_stock, households):
    # batch_to_na_ri was received by commune_stock; one more batch waits for Côn Minh.
    from distribution import services as dist

    team = member(tree.ban_con, Role.DIGITAL_TEAM)
    dist.batch_dispatch(programme=programme, from_unit=tree.na_ri, to_unit=tree.con_minh, by=users.district, count=1)
    dist.handout_create(programme=programme, household=households.poor, by=users.commune,
                        imei=commune_stock[0].imei, recipient_name="Hoàng Văn Pản",
                        recipient_citizen_id="006080001234", handed_out_on=datetime.date(2023, 9, 1))
    commune_home = client_for(users.commune).get(reverse("home")).content.decode()
    assert "1 đợt chờ xác nhận" in commune_home
    assert commune_home.index("Việc cần làm") < commune_home.index("Đơn vị của bạn")
    assert "1 người nhận máy chưa được thăm lại" in client_for(team).get(reverse("home")).content.decode()
    assert "Không có việc nào đang chờ" in client_for(users.other_district).get(reverse("home")).content.decode()


def test_grievance_kind_is_stored_as_code_and_shown_in_the_reader_language(client_for, programme, tree, users):
    from grievances import services as grievance_services

    grievance_services.grievance_record(programme=programme, commune=tree.con_minh, kind="defective_phone",
                                        description="Máy không lên", by=users.commune)
    n = Notification.objects.get(user=users.commune, kind="grievance_assigned")
    # No translated text is stored: the kind is its code.
    assert n.params["kind"] == {"choice": "grievances.Grievance.kind", "value": "defective_phone"}
    client = client_for(users.commune)
    assert "Máy bị lỗi, hỏng" in client.get(reverse("notifications:list")).content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("notifications:list")).content.decode()
    assert "New grievance in" in page and "Defective phone" in page
    assert "Máy bị lỗi" not in page


def test_grievance_notifications_written_before_keep_their_kind_as_code(users):
    """The data migration turns the Vietnamese label stored by older notifications into the code."""
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("phocap.notifications.migrations.0002_grievance_kind_as_code")
    notify(users=[users.district], kind="grievance_assigned", key="grievance_assigned:1",
           params={"commune": "Xã Côn Minh", "kind": "Hộ bị bỏ sót", "due": "01/01/2026"})
    migration.forwards(django_apps, None)
    n = Notification.objects.get(key="grievance_assigned:1")
    assert n.params["kind"] == {"choice": "grievances.Grievance.kind", "value": "left_out"}
    with translation.override("en"):
        assert "Household wrongly left out" in n.text
