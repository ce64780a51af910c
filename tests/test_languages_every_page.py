"""Every page in both languages (the URL cases of tests/test_scoping_every_view.py, the
admin and the browsable API).

- English: no Vietnamese word outside the data. A word with a Vietnamese letter
  (ạ, ư, đ...) must be a word of some row in the database (names of units, people,
  donors...); anything else is an untranslated interface string.
- Vietnamese: none of the English of our catalogue and none of the English that Django's
  admin or DRF would show where their catalogues have no Vietnamese ("Api Root", "Skip to
  main content", "Tokens").
"""

import html
import io
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from tests import test_scoping_every_view as scoping

# The scoping test's world, built once for this module too (its fixtures, re-exported).
_module_world, world, users, clients = scoping._module_world, scoping.world, scoping.users, scoping.clients
CASES, _url, body_text = scoping.CASES, scoping._url, scoping.body_text

VI_LETTERS = "àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ"
VI_WORD = re.compile(rf"[\w]*[{VI_LETTERS}][\w]*", re.I)
# The language switch names each language in itself.
OWN_NAMES = {"tiếng", "việt"}
ENGLISH_LEAKS = ["Api Root", "Skip to main content", "Tokens", "Auth Token",
                 # DRF's templates hard-code these (templates/rest_framework/ overrides them)
                 "HTML form", "Raw data", "Make a GET request", "Make a POST request", "Media type",
                 "Specify a format", "Are you sure you want to delete", "not currently supported in HTML input",
                 # a view's docstring (English) as the page's description
                 "Programmes of the provinces the user works in"]


def _page_text(response) -> str:
    ctype = response.get("Content-Type", "")
    if "pdf" in ctype:
        from pypdf import PdfReader

        content = b"".join(response.streaming_content) if response.streaming else response.content
        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)
    text = body_text(response)
    if "html" in ctype:
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
        text = re.sub(r"<[^>]+>", " ", text)
        text = html.unescape(text)
    return text


def _data_words() -> set[str]:
    """Every word stored in the database: what a page may show in Vietnamese in English mode
    (and, under the key "", all of it without spaces: PDF text extraction glues the words
    of a wrapped line together)."""
    words, blob = set(), []
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if value:
                    words.update(w.lower() for w in VI_WORD.findall(str(value)))
                    blob.append("".join(str(value).lower().split()))
    return words | {"".join(blob)}


@pytest.fixture
def data_words(world):
    return _data_words()


def _english_phrases() -> list[str]:
    """English texts of our catalogue that cannot be data: two words or more, no placeholder."""
    from tests.common.test_i18n import _entries

    phrases = set()
    for msgid, strs, _flags in _entries():
        for s in strs:
            if len(s.split()) >= 2 and "%" not in s and "{" not in s and s != msgid:
                phrases.add(s)
    return sorted(phrases)


def _get(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url)


def _reader(case) -> str:
    return case.owner or (case.shows[0][0] if case.shows else case.viewers[0])


# Not interface pages: files users uploaded or that were built earlier (data), and the
# household file's template, whose column headers are the import format the importer reads
# (Vietnamese; its help comments are translated).
NOT_INTERFACE = {
    "distribution:batch_scan": "the signed scan a user uploaded",
    "distribution:handout_scan": "the signed scan a user uploaded",
    "coverage:report_download": "a stored report, built in the language of the page that asked for it "
                                "(tests/coverage: test_the_report_is_written_in_the_requesters_language)",
    "audit:inspector_download": "a stored workbook, built in the language of the page that asked for it",
    "beneficiaries:import_template": "Vietnamese column headers are the import file format",
    "beneficiaries:import_annotated": "the user's own file, with the error column added",
}
PAGES = [c for c in CASES if c.get and c.mode in ("object", "list") and c.name not in NOT_INTERFACE]


def _check_english(text, data_words, where):
    blob = max(data_words, key=len)
    leaks = sorted({w for w in VI_WORD.findall(text)
                    if w.lower() not in data_words | OWN_NAMES and w.lower() not in blob})
    assert not leaks, f"{where}: Vietnamese on an English page: {leaks[:15]}"


def _check_vietnamese(text, phrases, where):
    found = [p for p in (*ENGLISH_LEAKS, *phrases) if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]
    assert not found, f"{where}: English on a Vietnamese page: {found[:10]}"


@pytest.mark.parametrize("case", PAGES, ids=lambda c: c.id)
def test_every_page_speaks_the_chosen_language(case, world, clients, data_words):
    url = _url(case, world)
    client = clients(_reader(case))
    english = _get(client, url, "en")
    if english.status_code != 200:
        pytest.skip(f"{case.id}: {english.status_code} for its reader (a redirect page)")
    _check_english(_page_text(english), data_words, f"{case.id} (en)")
    vietnamese = _get(client, url, "vi")
    _check_vietnamese(_page_text(vietnamese), _english_phrases(), f"{case.id} (vi)")
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)


def _admin_urls():
    urls = ["/admin/"]
    for model, _admin in __import__("django.contrib.admin", fromlist=["site"]).site._registry.items():
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def test_admin_and_browsable_api_speak_the_chosen_language(world, data_words):
    from django.test import Client

    from phocap.accounts.models import User

    admin = User.objects.create_superuser("quantri_ngon_ngu", password="x")  # noqa: S106
    c = Client()
    c.force_login(admin)
    phrases = _english_phrases()
    urls = [*_admin_urls(), reverse("api-root") + "?format=api", reverse("programme-list") + "?format=api",
            reverse("handout-list") + "?format=api"]
    for url in urls:
        english = _get(c, url, "en")
        assert english.status_code == 200, url
        _check_english(_page_text(english), data_words, f"{url} (en)")
        vietnamese = _get(c, url, "vi")
        _check_vietnamese(_page_text(vietnamese), phrases, f"{url} (vi)")
    assert "Chuyển đến nội dung chính" in _page_text(_get(c, "/admin/", "vi"))
    assert "Gốc API" in _page_text(_get(c, reverse("api-root") + "?format=api", "vi"))
    # The forms of a list that takes POST: DRF's tabs and raw form in the page's language.
    handouts = reverse("handout-list") + "?format=api"
    vietnamese, english = _get(c, handouts, "vi").content.decode(), _get(c, handouts, "en").content.decode()
    for vi, en in (("Biểu mẫu HTML", "HTML form"), ("Dữ liệu thô", "Raw data"), ("Kiểu dữ liệu", "Media type"),
                   ("Gửi yêu cầu POST tới Danh sách và ghi cấp phát", "Make a POST request on the Handout List")):
        assert vi in vietnamese and en not in vietnamese, vi
        assert en in english and vi not in english, en
    # English pages keep the view's docstring as its description.
    assert "Programmes of the provinces" in _page_text(_get(c, reverse("programme-list") + "?format=api", "en"))


def test_every_browsable_api_page_has_a_vietnamese_name():
    """DRF names a page after its view class ("Handout List Create"): locale/vi names each."""
    from django.urls import get_resolver
    from django.utils import translation
    from rest_framework.views import APIView, get_view_name

    def views(resolver):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                yield from views(p)
            elif (cls := getattr(p.callback, "cls", None)) and issubclass(cls, APIView):
                view = cls()
                view.suffix = p.callback.initkwargs.get("suffix")
                view.name = p.callback.initkwargs.get("name")
                yield get_view_name(view)

    names = set(views(get_resolver()))
    with translation.override("vi"):
        missing = sorted(n for n in names if translation.gettext(n) == n)
    assert len(names) > 20 and not missing, missing
