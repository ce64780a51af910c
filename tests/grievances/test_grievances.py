"""Grievances: recorded by a commune official or sent by a citizen (no login, throttled),
handled by a deadline with the outcome; visible up the tree, overdue flagged; a public
submission's personal data is never shown publicly."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from grievances import services
from grievances.models import Grievance
from phocap.common.errors import DomainError
from phocap.notifications.models import Notification
from phocap.notifications.services import notifications_scan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def _public(client, programme, commune, **extra):
    data = {"commune": commune.pk, "kind": "left_out", "description": "Hộ tôi nghèo nhưng không có tên",
            "reporter_name": "Triệu Thị Zprivate", "reporter_phone": "0987000111", **extra}
    return client.post(reverse("grievances:public_submit", args=[programme.pk]), data)


def test_citizen_submits_without_login_and_sees_no_personal_data(client, programme, tree, users):
    response = _public(client, programme, tree.con_minh)
    assert response.status_code == 302
    g = Grievance.objects.get()
    assert (g.source, g.commune, g.status, g.recorded_by) == ("public", tree.con_minh, "received", None)
    assert g.deadline == g.received_on + datetime.timedelta(days=15)
    done = client.get(response["Location"]).content.decode()
    assert g.reference in done
    # The public pages never carry what the citizen wrote about themselves.
    for url in (response["Location"], reverse("coverage:public", args=[programme.pk]),
                reverse("grievances:public_submit", args=[programme.pk])):
        page = client.get(url).content.decode()
        assert "Zprivate" not in page and "0987000111" not in page and "không có tên" not in page
    # The commune's official was notified of it.
    assert Notification.objects.filter(user=users.commune, key=f"grievance_assigned:{g.pk}").exists()


def test_public_submission_is_throttled(client, programme, tree, settings):
    settings.PHOCAP_GRIEVANCE_PUBLIC_PER_HOUR = 2
    assert [_public(client, programme, tree.con_minh).status_code for _ in range(3)] == [302, 302, 429]
    assert Grievance.objects.count() == 2


def test_public_bad_input_writes_nothing(client, programme, tree):
    assert _public(client, programme, tree.tn_commune).status_code == 200   # not a commune of the programme
    assert _public(client, programme, tree.con_minh, description="").status_code == 200
    assert _public(client, programme, tree.con_minh, website="http://spam").status_code == 200  # honeypot
    assert not Grievance.objects.exists()


def test_official_records_and_scoping_up_the_tree(client_for, programme, tree, users):
    g = services.grievance_record(programme=programme, commune=tree.con_minh, kind="defective_phone",
                                  description="Máy không lên nguồn", by=users.commune, reporter_name="Zname")
    with pytest.raises(DomainError) as e:
        services.grievance_record(programme=programme, commune=tree.con_minh, kind="other", description="x",
                                  by=users.district)
    assert e.value.code == "grievance_not_commune_official"
    for who in ("commune", "district", "province", "auditor"):
        assert client_for(getattr(users, who)).get(g.get_absolute_url()).status_code == 200
        assert g.reference in client_for(getattr(users, who)).get(reverse("grievances:list")).content.decode()
    for who in ("other_commune", "other_district", "tn_staff"):
        assert client_for(getattr(users, who)).get(g.get_absolute_url()).status_code == 404
        assert g.reference not in client_for(getattr(users, who)).get(reverse("grievances:list")).content.decode()


def test_handled_with_outcome_once(programme, tree, users):
    g = services.grievance_record(programme=programme, commune=tree.con_minh, kind="left_out",
                                  description="Bỏ sót", by=users.commune)
    for who, outcome, code in ((users.other_commune, "x", "grievance_not_in_area"),
                               (users.auditor, "x", "grievance_not_in_area"),
                               (users.commune, "  ", "grievance_outcome_required")):
        with pytest.raises(DomainError) as e:
            services.grievance_handle(grievance=g, by=who, outcome=outcome)
        assert e.value.code == code
    services.grievance_handle(grievance=g, by=users.commune, outcome="Đã bổ sung vào danh sách")
    g.refresh_from_db()
    assert (g.status, g.handled_by, g.outcome) == ("handled", users.commune, "Đã bổ sung vào danh sách")
    with pytest.raises(DomainError) as e:
        services.grievance_handle(grievance=g, by=users.district, outcome="lại")
    assert e.value.code == "grievance_already_handled"


def test_overdue_is_flagged_and_notified_once(client_for, programme, tree, users):
    g = services.grievance_record(programme=programme, commune=tree.con_minh, kind="left_out",
                                  description="Bỏ sót", by=users.commune)
    Grievance.objects.filter(pk=g.pk).update(received_on=datetime.date(2023, 9, 1), deadline=datetime.date(2023, 9, 16))
    assert list(Grievance.objects.overdue()) == [Grievance.objects.get(pk=g.pk)]
    page = client_for(users.district).get(reverse("grievances:list") + "?qua-han=1").content.decode()
    assert g.reference in page and "Quá hạn" in page
    notifications_scan()
    notifications_scan()
    key = f"grievance_overdue:{g.pk}"
    assert sorted(Notification.objects.filter(key=key).values_list("user__username", flat=True)) == [
        "huyen_nari", "xa_conminh"]
    assert "1 phản ánh quá hạn" in client_for(users.district).get(reverse("home")).content.decode()


def test_official_form_posts_through_the_service(client_for, programme, tree, users):
    client = client_for(users.commune)
    page = client.get(reverse("grievances:create"))
    token = page.context["form"].initial["submit_token"]
    data = {"commune": tree.con_minh.pk, "kind": "wrong_recipient", "description": "Cấp nhầm người",
            "submit_token": token}
    assert client.post(reverse("grievances:create"), data).status_code == 302
    assert client.post(reverse("grievances:create"), data).status_code == 302  # resent: nothing more
    assert Grievance.objects.filter(source="official", recorded_by=users.commune).count() == 1
