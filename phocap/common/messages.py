"""Texts the system stores for people to read later (a household import's row errors, why
a file failed, what each sheet gave, history reasons the system writes): stored as a code
and parameters, rendered in the reader's language when shown.

- each app registers its texts once, `register({code: gettext_lazy(template)})`, from its
  AppConfig.ready (the code is a member of the app's `errors.Code`);
- `render(code, params)` is the text in the active language; a parameter that is itself a
  message ({"code", "params"}) is rendered too;
- `encode(code, **params)` fits a message in a text column ("§code {json}"), `text(stored)`
  renders it. Anything else (rows written before codes existed, text a user typed) is
  shown as stored, except the few legacy system texts `register_legacy` recognises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from django.utils import formats
from django.utils.functional import Promise

MARK = "§"  # starts an encoded message; no reason typed by a person starts with it

_TEXTS: dict[str, Promise | str] = {}
_LEGACY: list[tuple[re.Pattern, str]] = []


def register(texts: Mapping[str, Promise | str]) -> None:
    """Add codes and their (lazy) templates; the same code twice must be the same text."""
    for code, template in texts.items():
        _TEXTS[str(code)] = template


def register_legacy(pattern: str, code: str) -> None:
    """A text the system stored before codes existed, matched in full; its named groups
    are the message's parameters."""
    _LEGACY.append((re.compile(pattern), str(code)))


def message(code: str, /, **params) -> dict:
    """A message as a row error or a nested parameter holds it."""
    return {"code": str(code), "params": params}


def render(code: str, params: Mapping | None = None) -> str:
    template = _TEXTS.get(code)
    if template is None:  # a code this version does not know: say what is stored
        return code if not params else f"{code} {json.dumps(params, ensure_ascii=False)}"
    if not params:
        return str(template)
    text = str(template)
    return text % {k: _figure(v) if k in FIGURES and f"%({k})s" in text else _param(v) for k, v in params.items()}


# Parameters that are counts: grouped as the reader's language writes them ("65.536",
# "65,536") where the template takes them as text (%(n)s). Others (years, row numbers,
# codes) are shown as stored.
FIGURES = frozenset({"rows", "max_rows", "n", "max", "qty", "total", "done"})


def _figure(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return formats.number_format(value, force_grouping=True)
    return _param(value)


def _is_message(value) -> bool:
    return (isinstance(value, dict) and "code" in value) or (isinstance(value, str) and value.startswith(MARK))


def _param(value):
    if isinstance(value, dict) and "code" in value:
        return render(value["code"], value.get("params"))
    if isinstance(value, str) and value.startswith(MARK):
        return text(value)
    if isinstance(value, list | tuple):
        # Sentences (messages) follow each other; names are listed with commas.
        sep = " " if value and all(_is_message(v) for v in value) else ", "
        return sep.join(str(_param(v)) for v in value)
    return value


def error_text(error: Mapping) -> str:
    """A stored row error ({"code", "params"}, or a legacy {"message"}) in the active language."""
    if "code" in error:
        return render(error["code"], error.get("params"))
    return error.get("message", "")


def encode(code: str, max_length: int | None = None, /, **params) -> str:
    """The message for a text column. With `max_length`, long text parameters are cut
    (a history reason is 100 characters) rather than the code lost."""
    stored = MARK + str(code) + (" " + json.dumps(params, ensure_ascii=False, separators=(",", ":")) if params else "")
    while max_length and len(stored) > max_length:
        longest = max((k for k, v in params.items() if isinstance(v, str)), key=lambda k: len(params[k]), default=None)
        if longest is None or not params[longest]:
            return stored[:max_length]
        params = {**params, longest: params[longest][: max(len(params[longest]) - (len(stored) - max_length), 0)]}
        stored = MARK + str(code) + " " + json.dumps(params, ensure_ascii=False, separators=(",", ":"))
    return stored


def decode(stored: str) -> tuple[str, dict] | None:
    """(code, params) of an encoded or a recognised legacy text; None for anything else."""
    if not stored:
        return None
    if stored.startswith(MARK):
        code, _sep, params = stored[1:].partition(" ")
        try:
            return code, (json.loads(params) if params else {})
        except ValueError:
            return None
    for pattern, code in _LEGACY:
        m = pattern.fullmatch(stored)
        if m:
            return code, {k: int(v) if v.isdigit() else v for k, v in m.groupdict().items()}
    return None


def text(stored: str | None) -> str:
    """A stored text in the active language: an encoded message rendered, else as stored."""
    if not stored:
        return ""
    found = decode(stored)
    return render(*found) if found else stored


def stored(error) -> str:
    """What a job stores for a refusal (a DomainError): its code and params when its code
    has a registered text (a fixed sentence needs no params), else its message as worded now."""
    if getattr(error, "code", None) in _TEXTS:
        return encode(error.code, **(getattr(error, "params", None) or {}))
    return str(error)
