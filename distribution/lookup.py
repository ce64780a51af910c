"""The donor's own look-up: the code on the acknowledgement letter opens, without a login,
one gift's page — amount, date, which purchases its cash paid for, where the phones are by
commune — and the same as a PDF. Nothing else: no donor details, no recipient.

Codes are random (donations.codes, ~59 bits), so the page cannot be reached by counting;
each client address may try LOOKUPS_PER_WINDOW look-ups per window (found or not), then
gets 429 until the window ends.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from phocap.common.pdf import pdf_response, render_pdf
from phocap.common.throttle import over_limit

from .gift_trace import gifts_trace

LOOKUPS_PER_WINDOW = 30
WINDOW_SECONDS = 600


def lookup_url(code: str) -> str:
    return reverse("distribution:gift_lookup", args=[code])


def _throttled(request) -> bool:
    return over_limit(request, scope="gift-lookup", limit=LOOKUPS_PER_WINDOW, window_s=WINDOW_SECONDS)


def _too_many(request) -> HttpResponse:
    response = render(request, "distribution/lookup_throttled.html", status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


def _gift(code: str):
    from donations.codes import normalise_code
    from donations.models import Donation

    code = normalise_code(code)
    gift = code and (Donation.objects.effective().select_related("programme")
                     .filter(public_code=code).first())
    if not gift:
        raise Http404
    return gift


def _context(gift) -> dict:
    from donations.models import Donation

    return {"gift": gift, "programme": gift.programme, "today": timezone.localdate(),
            "trace": gifts_trace(Donation.objects.filter(pk=gift.pk))}


@require_GET
def gift_lookup_form(request):
    """Type the code from the letter (or follow the QR code straight to the gift)."""
    from donations.codes import normalise_code

    raw = request.GET.get("ma", "")
    if raw:
        if _throttled(request):
            return _too_many(request)
        code = normalise_code(raw)
        if code:
            return redirect(lookup_url(code))
    return render(request, "distribution/lookup_form.html", {"raw": raw, "invalid": bool(raw)})


@require_GET
def gift_lookup(request, code: str):
    if _throttled(request):
        return _too_many(request)
    gift = _gift(code)
    return render(request, "distribution/lookup.html", {
        **_context(gift), "pdf_url": reverse("distribution:gift_lookup_pdf", args=[gift.public_code])})


@require_GET
def gift_lookup_pdf(request, code: str):
    if _throttled(request):
        return _too_many(request)
    gift = _gift(code)
    data = render_pdf("distribution/pdf/gift_report.html", _context(gift))
    return pdf_response(data, f"ung-ho-{gift.public_code}.pdf", inline=False)  # "download the report"
