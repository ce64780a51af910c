"""Follow-up visits: who may record them (the new role, scoped to a commune or a village),
the rules of a visit, the latest visit per recipient, the pages, and the outcome figures
the coverage rebuild derives from them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from distribution import services as dist
from followup.models import Visit
from followup.services import visit_record
from phocap.accounts.models import Membership, Role
from phocap.common.errors import DomainError
from programme_coverage.models import CoverageSummary
from tests.factories import member

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def handouts(programme, tree, users, commune_stock, households):
    """Two recipients in Côn Minh: one in Bản Còn (village), one without a village."""
    def give(household, device, cid):
        return dist.handout_create(programme=programme, household=household, by=users.commune, imei=device.imei,
                                   recipient_name=household.head_name, recipient_citizen_id=cid,
                                   handed_out_on=datetime.date(2023, 9, 1))
    return (give(households.poor, commune_stock[0], "006080001234"),
            give(households.near_poor, commune_stock[1], "006190007777"))


@pytest.fixture
def teams(tree):
    return {"commune": member(tree.con_minh, Role.DIGITAL_TEAM, "to_cns_conminh"),
            "ban_con": member(tree.ban_con, Role.DIGITAL_TEAM, "to_cns_bancon"),
            "na_phai": member(tree.na_phai, Role.DIGITAL_TEAM, "to_cns_naphai"),
            "thuong_giao": member(tree.thuong_giao, Role.DIGITAL_TEAM, "to_cns_thuonggiao")}


def test_role_sits_at_a_commune_or_a_village(tree, users):
    for unit in (tree.con_minh, tree.ban_con):
        Membership(user=users.district, unit=unit, role=Role.DIGITAL_TEAM).clean()
    with pytest.raises(ValidationError):
        Membership(user=users.district, unit=tree.na_ri, role=Role.DIGITAL_TEAM).clean()


def test_who_records_a_visit(handouts, teams, users):
    in_village, no_village = handouts
    day = datetime.date(2023, 10, 1)
    for who in (teams["commune"], teams["ban_con"], users.commune):
        visit_record(handout=in_village, by=who, visited_on=day)
    # The commune team and officials cover households without a village; a village team does not.
    visit_record(handout=no_village, by=teams["commune"], visited_on=day)
    for who, handout in ((teams["na_phai"], in_village), (teams["ban_con"], no_village),
                         (teams["thuong_giao"], in_village), (users.district, in_village),
                         (users.auditor, in_village), (users.other_commune, in_village)):
        with pytest.raises(DomainError) as e:
            visit_record(handout=handout, by=who, visited_on=day)
        assert e.value.code == "visit_out_of_area"
    assert Visit.objects.count() == 4


@pytest.mark.parametrize("kwargs, code", [
    ({"visited_on": TODAY + datetime.timedelta(days=1)}, "date_in_future"),
    ({"visited_on": datetime.date(2023, 8, 31)}, "visit_before_handout"),
    ({"visited_on": datetime.date(2023, 10, 1), "cashless_used": True}, "visit_cashless_without_account"),
    ({"visited_on": datetime.date(2023, 10, 1), "vneid_level": 3}, "visit_vneid_invalid"),
    ({"visited_on": datetime.date(2023, 10, 1), "phone_status": "eaten"}, "visit_phone_status_invalid"),
])
def test_bad_visits_are_refused_and_write_nothing(handouts, teams, kwargs, code):
    with pytest.raises(DomainError) as e:
        visit_record(handout=handouts[0], by=teams["ban_con"], **kwargs)
    assert e.value.code == code
    assert not Visit.objects.exists()


def test_no_visit_to_a_reversed_handout(handouts, teams, users):
    dist.handout_reverse(handout=handouts[0], by=users.commune, reason="Trả lại máy")
    with pytest.raises(DomainError) as e:
        visit_record(handout=handouts[0], by=teams["ban_con"], visited_on=datetime.date(2023, 10, 1))
    assert e.value.code == "handout_not_active"


def test_the_latest_dated_visit_is_the_one_that_counts(handouts, teams):
    team = teams["ban_con"]
    a = visit_record(handout=handouts[0], by=team, visited_on=datetime.date(2023, 10, 1))
    b = visit_record(handout=handouts[0], by=team, visited_on=datetime.date(2023, 12, 1), vneid_level=2)
    late = visit_record(handout=handouts[0], by=team, visited_on=datetime.date(2023, 11, 1))
    assert [v.pk for v in Visit.objects.filter(is_latest=True)] == [b.pk]
    assert {a.pk, late.pk} == set(Visit.objects.filter(is_latest=False).values_list("pk", flat=True))


def test_visit_updates_the_commune_outcomes(programme, handouts, teams, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visit_record(handout=handouts[0], by=teams["commune"], visited_on=datetime.date(2023, 10, 1), vneid_level=1,
                     online_service_used=True, cashless_account_open=True, cashless_used=True)
        visit_record(handout=handouts[1], by=teams["commune"], visited_on=datetime.date(2023, 10, 2),
                     phone_status="sold")
    row = CoverageSummary.objects.get(programme=programme, commune=tree.con_minh)
    assert (row.phones_handed_out, row.recipients_visited, row.vneid_activated, row.online_service_users,
            row.cashless_users, row.phones_in_use) == (2, 2, 1, 1, 1, 1)
    assert row.rates == {"visit_rate": 1.0, "vneid_activated_rate": 0.5, "online_service_users_rate": 0.5,
                         "cashless_users_rate": 0.5, "phones_in_use_rate": 0.5}


def test_village_team_sees_its_village_only(client_for, handouts, teams):
    page = client_for(teams["ban_con"]).get(reverse("followup:recipient_list"))
    assert page.status_code == 200
    assert handouts[0].recipient_name in page.content.decode()
    assert handouts[1].recipient_name not in page.content.decode()
    assert client_for(teams["ban_con"]).get(
        reverse("followup:visit_create", args=[handouts[1].pk])).status_code == 404
    other = client_for(teams["thuong_giao"]).get(reverse("followup:recipient_list")).content.decode()
    assert handouts[0].recipient_name not in other


def test_district_officer_has_no_visit_pages(client_for, handouts, users):
    assert client_for(users.district).get(reverse("followup:recipient_list")).status_code == 403


def test_not_visited_filter_and_form(client_for, handouts, teams):
    client = client_for(teams["commune"])
    url = reverse("followup:visit_create", args=[handouts[0].pk])
    response = client.post(url, {"visited_on": "01/10/2023", "vneid_level": "2", "online_service_used": "on",
                                 "phone_status": "in_use", "note": ""})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.vneid_level, visit.online_service_used, visit.visited_by) == (2, True, teams["commune"])
    pending = client.get(reverse("followup:recipient_list") + "?chua-tham=1").content.decode().split("<h1>")[1]
    assert handouts[1].recipient_name in pending and handouts[0].recipient_name not in pending
    # A bad visit: the error in the user's language, nothing written.
    response = client.post(url, {"visited_on": "01/10/2023", "vneid_level": "0", "cashless_used": "on",
                                 "phone_status": "in_use"})
    assert response.status_code == 200 and Visit.objects.count() == 1
    assert "phải có tài khoản" in response.content.decode()


# --- the registry's priority page lists recipients not yet visited (issue 14) ----------

def _priority(client, tree, **query):
    return client.get(reverse("beneficiaries:priority_list"), {"commune": tree.con_minh.pk, **query})


def test_priority_page_lists_recipients_not_yet_visited(handouts, teams, tree, programme, users, client_for,
                                                        households):
    from beneficiaries.selectors import not_visited_count, priority_list

    in_village, no_village = handouts
    c = client_for(users.commune)
    page = _priority(c, tree).content.decode()
    assert "(2)" in page and "chua-tham=1" in page  # the tab names how many
    html = _priority(c, tree, **{"chua-tham": "1"}).content.decode()
    assert households.poor.head_name in html and households.near_poor.head_name in html
    assert households.moved.head_name not in html and households.other_commune.head_name not in html
    visit_record(handout=in_village, by=teams["ban_con"], visited_on=datetime.date(2023, 10, 1))
    html = _priority(c, tree, **{"chua-tham": "1"}).content.decode()
    assert households.near_poor.head_name in html and households.poor.head_name not in html
    assert [h.pk for h in priority_list(commune=tree.con_minh, programme=programme, not_visited=True)] == [
        households.near_poor.pk]
    assert not_visited_count(commune=tree.con_minh, programme=programme) == 1
    # A village narrows the list; a reversed hand-out is no recipient any more.
    assert not_visited_count(commune=tree.con_minh, programme=programme, village=tree.ban_con) == 0
    dist.handout_reverse(handout=no_village, by=users.commune, reason="Trả lại máy")
    assert not_visited_count(commune=tree.con_minh, programme=programme) == 0
    html = _priority(c, tree, **{"chua-tham": "1"}).content.decode()
    assert "Không có người nhận máy nào chưa được thăm." in html


def test_not_visited_tab_in_english_and_scoped(handouts, tree, users, client_for, settings):
    c = client_for(users.commune)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = c.get(reverse("beneficiaries:priority_list"), {"commune": tree.con_minh.pk, "chua-tham": "1"}).content.decode()
    assert "not visited yet" in html.lower()
    # Another commune's official cannot open Côn Minh's list, tab or not.
    r = client_for(users.other_commune).get(reverse("beneficiaries:priority_list"),
                                            {"commune": tree.con_minh.pk, "chua-tham": "1"})
    assert r.status_code == 404
