"""The one way a view runs a service: a refusal (DomainError) becomes an error on the form
the user is filling in, or a message on the page they go back to. Every app uses these."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .errors import DomainError

SUBMIT_TOKEN_TTL = 24 * 3600


@dataclass(frozen=True)
class Outcome:
    """What a service call gave: truthy when it went through (``value`` is its result)."""

    ok: bool
    value: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.ok


def _call(service: Callable, kwargs: dict) -> Outcome:
    try:
        return Outcome(True, service(**kwargs))
    except DomainError as e:
        return Outcome(False, error=e)


def attempt(request: HttpRequest, service: Callable, /, **kwargs) -> Outcome:
    """A one-button POST (cancel, reverse, thank...): ``service(**kwargs)``; a refusal is
    shown as an error message on the next page."""
    outcome = _call(service, kwargs)
    if not outcome:
        messages.error(request, outcome.error.message)
    return outcome


def _token_key(form) -> str | None:
    token = (form.cleaned_data or {}).get("submit_token")
    return f"submit:{token}" if token else None


def submit(request: HttpRequest, form, save: Callable[..., HttpResponse], *,
           resent_to: str | None = None) -> HttpResponse | None:
    """The POST of a form page: when the form is valid, ``save(**payload)`` returns the
    response to send (a redirect). A refusal goes onto the form as a non-field error and
    gives None, so the view renders the form again with what the user typed.

    A form with a once-only token (``OnceOnlyForm``) saves once per token: a resent POST
    saves nothing and goes to ``resent_to``; a refused save frees the token so the
    corrected form can be sent.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    key = _token_key(form)
    if key and not cache.add(key, 1, timeout=SUBMIT_TOKEN_TTL):
        messages.info(request, _("Biểu mẫu này đã được gửi."))
        return redirect(resent_to or request.path)
    payload = form.payload() if hasattr(form, "payload") else dict(form.cleaned_data)
    outcome = _call(save, payload)
    if outcome:
        return outcome.value
    if key:
        cache.delete(key)
    form.add_error(None, outcome.error.as_validation_error())
    return None


def post_and_return(request: HttpRequest, obj, form, service: Callable, *, done: str, invalid: str) -> HttpResponse:
    """A small form posted from ``obj``'s page (a reason, a file): ``service(**cleaned_data)``,
    say how it went, and go back to the page."""
    if not form.is_valid():
        messages.error(request, invalid)
    elif attempt(request, service, **form.cleaned_data):
        messages.success(request, done)
    return redirect(obj)
