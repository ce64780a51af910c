"""The installable web app's pieces served by Django (issue 11, point 2): the service worker,
the manifest, and the offline session page with its strings in the user's language. The
journeys themselves are in tests/browser/test_offline_session.py."""

import json

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_service_worker_is_served_from_the_root_to_anyone(client):
    response = client.get(reverse("service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"  # a new version is picked up at the next visit
    body = response.content.decode()
    assert reverse("distribution:handout_session") in body
    for asset in ("/static/js/handout_session.js", "/static/js/scan.js", "/static/vendor/zxing/zxing.min.js"):
        assert asset in body
    assert "http://" not in body and "https://" not in body  # nothing from the internet


def test_manifest_opens_the_session_and_its_icons_exist(client):
    data = json.loads(client.get(reverse("web_manifest")).content)
    assert data["start_url"] == reverse("distribution:handout_session") and data["display"] == "standalone"
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon


def test_session_page_for_the_commune_official_lists_the_villages(tree, users, programme, client_for):
    page = client_for(users.commune).get(reverse("distribution:handout_session"))
    assert page.status_code == 200
    body = page.content.decode()
    assert tree.ban_con.name in body and tree.na_phai.name in body and tree.tg_village.name not in body
    assert f'data-programme="{programme.pk}"' in body


def test_session_page_is_for_commune_officials_and_digital_teams(tree, users, programme, client_for):
    from phocap.accounts.models import Role
    from tests.factories import member

    assert client_for(users.district).get(reverse("distribution:handout_session")).status_code == 403
    assert client_for(users.auditor).get(reverse("distribution:handout_session")).status_code == 403
    # A village team records visits only, in its own village.
    page = client_for(member(tree.ban_con, Role.DIGITAL_TEAM)).get(reverse("distribution:handout_session"))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-hand-out=""' in body and 'data-programme=""' in body
    assert tree.ban_con.name in body and tree.na_phai.name not in body and tree.con_minh.full_name in body
    # A commune team: every village of its commune, still no hand-outs.
    body = client_for(member(tree.con_minh, Role.DIGITAL_TEAM)).get(
        reverse("distribution:handout_session")).content.decode()
    assert tree.ban_con.name in body and tree.na_phai.name in body and 'data-hand-out=""' in body
    body = client_for(users.commune).get(reverse("distribution:handout_session")).content.decode()
    assert 'data-hand-out="1"' in body


def _strings(client) -> dict:
    body = client.get(reverse("distribution:handout_session")).content.decode()
    strings = {}
    for element_id in ("scan-strings", "session-strings"):
        start = body.index(f'<script id="{element_id}" type="application/json">')
        text = body[body.index(">", start) + 1:body.index("</script>", start)]
        strings.update(json.loads(text))
    return strings


def test_session_strings_follow_the_language(tree, users, programme, client_for, settings):
    client = client_for(users.commune)
    vi = _strings(client)
    assert vi["offline"] == "Không có mạng: các lượt cấp phát được ghi trên máy" and vi["scan"] == "Quét mã vạch"
    assert vi["days"] == settings.PHOCAP_OFFLINE_DAYS
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    en = _strings(client)
    assert en["offline"] == "Offline: hand-outs are recorded on this phone" and en["scan"] == "Scan barcode"
    assert en["conflict_device_handed_out"] == "This phone was handed out to someone else while you were offline."
