"""Vietnamese pages of the admin, Django's forms and the API: every string of Django and
DRF a user can meet has Vietnamese, from their own catalogues or from locale/vi (ours,
kept by hand). A new Django or DRF version that adds strings fails here until they are
translated or listed as out of a user's reach."""

import ast
import gettext
import re
from pathlib import Path

import django
import pytest
import rest_framework
from django.utils import translation
from django.utils.translation import trans_real

DJANGO = Path(django.__file__).parent
DRF = Path(rest_framework.__file__).parent
# The English catalogues list every msgid (with the files they come from).
DJANGO_CATALOGUES = [DJANGO / "conf/locale/en/LC_MESSAGES/django.po",
                     *(DJANGO / f"contrib/{app}/locale/en/LC_MESSAGES/django.po"
                       for app in ("admin", "auth", "contenttypes", "sessions"))]
# Out of a user's reach: only Vietnamese and English are offered (language names), the
# pages of DEBUG (default URLconf, static files), field descriptions and app names
# (admindocs is not installed, messages has no models).
UNREACHABLE_FILES = {"global_settings.py", "default_urlconf.html", "static.py"}
UNREACHABLE = {"Messages", "String (unlimited)", "Duration", "Positive big integer", "Universally unique identifier",
               "A JSON object"}


def _po_entries(path: Path):
    """(msgctxt, msgid, plural?, source files) of a .po file; a small reader of the format."""
    entry: dict = {}
    field = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#:"):
            entry.setdefault("files", set()).update(Path(ref.rsplit(":", 1)[0]).name for ref in line[2:].split())
        elif m := re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line):
            field = m.group(1)
            entry[field] = ast.literal_eval(m.group(2))
        elif line.startswith('"') and field:
            entry[field] += ast.literal_eval(line)
        elif not line.strip() and entry:
            if entry.get("msgid"):
                yield entry.get("msgctxt"), entry["msgid"], "msgid_plural" in entry, entry.get("files", set())
            entry, field = {}, None


def _key(context, msgid, plural):
    key = f"{context}\x04{msgid}" if context else msgid
    return (key, 0) if plural else key


def _vietnamese():
    with translation.override("vi"):
        return trans_real.translation("vi")._catalog


def test_every_django_string_a_user_can_meet_has_vietnamese():
    catalogue = _vietnamese()
    missing = []
    for path in DJANGO_CATALOGUES:
        for context, msgid, plural, files in _po_entries(path):
            if files & UNREACHABLE_FILES or msgid in UNREACHABLE:
                continue
            if _key(context, msgid, plural) not in catalogue:
                missing.append((str(path.relative_to(DJANGO)), msgid))
    assert not missing, missing


def test_every_drf_string_has_vietnamese():
    with open(DRF / "locale/en/LC_MESSAGES/django.mo", "rb") as f:
        english = gettext.GNUTranslations(f)._catalog
    catalogue = _vietnamese()
    missing = [k for k in english if k and not (isinstance(k, tuple) and k[1] > 0) and k not in catalogue]
    assert len(english) > 100 and not missing, missing


@pytest.mark.parametrize(("english", "vietnamese"), [
    ("That page number is less than 1", "Số trang nhỏ hơn 1"),
    ("Enter a valid UUID.", "Nhập UUID hợp lệ."),
    ("CSRF verification failed. Request aborted.", "Kiểm tra CSRF không đạt. Yêu cầu đã bị huỷ."),
    ("Authentication credentials were not provided.", "Chưa gửi thông tin xác thực."),
    ("A valid integer is required.", "Cần một số nguyên hợp lệ."),
])
def test_django_and_drf_speak_vietnamese(english, vietnamese):
    with translation.override("vi"):
        assert translation.gettext(english) == vietnamese


def test_a_form_error_and_an_api_error_in_vietnamese(client, db):
    from django import forms

    class F(forms.Form):
        uuid = forms.UUIDField()

    with translation.override("vi"):
        assert F({"uuid": "x"}).errors["uuid"] == ["Nhập UUID hợp lệ."]
    client.cookies["django_language"] = "vi"
    response = client.get("/api/v1/programmes/", HTTP_ACCEPT="application/json")
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Chưa gửi thông tin xác thực."
