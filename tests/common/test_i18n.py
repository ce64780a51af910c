"""The English catalogue is complete: every Vietnamese message has an English text."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries():
    """(msgid, [msgstr...], flags) for each entry of the .po file."""
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        flags, fields, current = "", {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith(("msgid", "msgstr")):
                key, _sep, rest = line.partition(" ")
                current = key
                fields[current] = ast.literal_eval(rest)
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            yield fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], flags


def test_every_message_has_an_english_translation():
    missing = [msgid for msgid, strs, flags in _entries() if "fuzzy" in flags or not all(strs)]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"


@pytest.mark.parametrize("vietnamese,english", [("Đăng nhập", "Log in"), ("Mật khẩu", "Password")])
def test_catalogue_is_compiled_and_used(vietnamese, english):
    with translation.override("en"):
        assert translation.gettext(vietnamese) == english


def test_translation_functions_go_by_names_makemessages_extracts():
    """`gettext_lazy as _l` hid the hand-out and intake forms' labels from the catalogue:
    makemessages only knows `_`, the gettext family's own names and `N_`."""
    root = PO.parents[3]
    known = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
             "pgettext_lazy", "npgettext", "npgettext_lazy"}
    wrong = []
    for app in ("phocap", "beneficiaries", "donations", "distribution", "programme_coverage"):
        for path in (root / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                    wrong += [f"{path.relative_to(root)}: {a.name} as {a.asname}" for a in node.names
                              if a.asname and a.asname not in known]
    assert wrong == []
