"""Visits through the API (issue 14: recording works offline through the session's queue):
the village's recipients to visit, the idempotent write, one at a time or a queue."""

import datetime
import uuid

import pytest
from django.urls import reverse

from followup.models import Visit
from phocap.accounts.models import Role
from tests.api.helpers import post, replayed_without_change
from tests.factories import member
from tests.followup.test_visits import handouts  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(tree):
    return member(tree.ban_con, Role.DIGITAL_TEAM, "to_cns_bancon")


def visit(handout, **changes):
    return {"handout": handout.pk, "visited_on": "2023-10-05", "vneid_level": 2, "online_service_used": True,
            "cashless_account_open": True, "cashless_used": False, "phone_status": "in_use", "note": "", **changes}


def state():
    return sorted(Visit.objects.values_list("handout_id", "visited_on", "vneid_level", "is_latest"))


def test_village_team_records_a_visit_once(api, team, handouts):  # noqa: F811
    in_village, _no_village = handouts
    client = api(team)
    r = post(client, reverse("visit-create"), visit(in_village))
    assert r.status_code == 201, r.json()
    v = Visit.objects.get()
    assert (v.handout, v.visited_by, v.vneid_level, v.online_service_used) == (in_village, team, 2, True)
    assert r.json()["id"] == v.pk and r.json()["visited_by"] == team.username
    replayed_without_change(client, reverse("visit-create"), visit(in_village), r, state)


def test_visit_outside_the_area_is_404(api, users, tree, team, handouts):  # noqa: F811
    in_village, no_village = handouts
    other = member(tree.na_phai, Role.DIGITAL_TEAM, "to_cns_naphai")
    for user, handout in ((other, in_village), (team, no_village), (users.other_commune, in_village),
                          (users.district, in_village), (users.auditor, in_village)):
        r = post(api(user), reverse("visit-create"), visit(handout))
        assert r.status_code == 404 and r.json()["code"] == "not_found", user
    assert not Visit.objects.exists()


@pytest.mark.parametrize("changes,code,field", [
    ({"visited_on": "2023-08-01"}, "visit_before_handout", None),
    ({"visited_on": (datetime.date.today() + datetime.timedelta(days=2)).isoformat()}, "date_in_future", None),
    ({"cashless_account_open": False, "cashless_used": True}, "visit_cashless_without_account", None),
    ({"vneid_level": 3}, "invalid", "vneid_level"),
    ({"phone_status": "stolen"}, "invalid", "phone_status"),
    ({"visited_on": "hôm qua"}, "invalid", "visited_on"),
])
def test_refusals_answer_with_their_code(api, team, handouts, changes, code, field):  # noqa: F811
    r = post(api(team), reverse("visit-create"), visit(handouts[0], **changes))
    assert r.status_code == 400 and r.json()["code"] == code and r.json()["detail"], r.json()
    if field:
        assert field in r.json()["fields"]
    assert not Visit.objects.exists()


def test_sync_mixed_batch_and_replay(api, users, team, handouts):  # noqa: F811
    in_village, no_village = handouts
    client = api(users.commune)
    items = [{"idempotency_key": str(uuid.uuid4()), **visit(in_village)},
             {"idempotency_key": str(uuid.uuid4()), **visit(no_village, visited_on="2023-08-01")},
             {"idempotency_key": str(uuid.uuid4()), **visit(no_village, phone_status="stolen")},
             {"idempotency_key": str(uuid.uuid4()), **visit(in_village), "handout": 999999},
             {"idempotency_key": str(uuid.uuid4()), **visit(no_village, visited_on="2023-10-06")}]
    r = client.post(reverse("visit-sync"), {"items": items}, format="json")
    got = r.json()["items"]
    assert [(a["status"], a["code"]) for a in got] == [
        ("created", None), ("invalid", "visit_before_handout"), ("invalid", "invalid"), ("invalid", "not_found"),
        ("created", None)]
    assert got[0]["visit"]["handout"] == in_village.pk
    before = state()
    again = client.post(reverse("visit-sync"), {"items": items}, format="json").json()["items"]
    assert [a["status"] for a in again] == ["replayed"] * 5 and state() == before
    assert [a["code"] for a in again] == [a["code"] for a in got]


def test_village_recipients_for_the_team(api, users, tree, team, handouts):  # noqa: F811
    in_village, _no_village = handouts
    r = api(team).get(reverse("village-recipients", args=[tree.ban_con.pk]))
    assert r.status_code == 200
    (row,) = r.json()["recipients"]
    assert row["handout"] == in_village.pk and row["latest_visit"] is None and row["imei"]
    post(api(team), reverse("visit-create"), visit(in_village))
    (row,) = api(users.commune).get(reverse("village-recipients", args=[tree.ban_con.pk])).json()["recipients"]
    assert row["latest_visit"]["vneid_level"] == 2
    other = member(tree.na_phai, Role.DIGITAL_TEAM, "to_cns_naphai")
    for user in (other, users.other_commune, users.district):
        assert api(user).get(reverse("village-recipients", args=[tree.ban_con.pk])).status_code == 404, user


def test_visit_to_a_returned_phone_is_refused_with_its_code(api, users, team, handouts):  # noqa: F811
    from distribution import services as dist

    dist.handout_reverse(handout=handouts[0], by=users.commune, reason="Trả lại máy")
    r = post(api(team), reverse("visit-create"), visit(handouts[0]))
    assert r.status_code == 400 and r.json()["code"] == "handout_not_active"
    assert not Visit.objects.exists()
