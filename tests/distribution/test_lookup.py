"""The donor's own look-up: the letter's code and QR open a public page (and PDF) of one
gift — amount, date, purchases, communes — with nothing else, throttled; unknown,
malformed or guessed codes are a plain 404."""

import io

import pytest
import segno
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from distribution.lookup import LOOKUPS_PER_WINDOW
from donations import services as money
from donations.codes import ALPHABET, QR_BORDER, QR_SCALE, new_code, normalise_code

from .test_gift_trace import cash_path  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _pdf_text(response) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_the_letter_carries_the_code_and_a_qr_code(client_for, users, cash_path):  # noqa: F811
    an, _binh = cash_path
    c = client_for(users.province)
    r = c.post(reverse("donations:donation_acknowledge", args=[an.pk]), {"kind": "letter"})
    pdf = c.get(r.url)
    text = _pdf_text(pdf)
    assert an.public_code_display in text
    assert reverse("distribution:gift_lookup", args=[an.public_code]) in text.replace("\n", "")
    # The QR image holds exactly the look-up URL: read its modules back and compare.
    image = PdfReader(io.BytesIO(pdf.content)).pages[0].images[0].image.convert("L")
    url = "http://testserver" + reverse("distribution:gift_lookup", args=[an.public_code])
    expected = segno.make(url, error="m").matrix
    size = len(expected)
    assert image.width == (size + 2 * QR_BORDER) * QR_SCALE
    read = [[image.getpixel(((QR_BORDER + x) * QR_SCALE + 1, (QR_BORDER + y) * QR_SCALE + 1)) < 128
             for x in range(size)] for y in range(size)]
    assert read == [[bool(v) for v in row] for row in expected]


def test_anyone_with_the_code_sees_the_gift_path_and_nothing_else(client, cash_path, households):  # noqa: F811
    an, binh = cash_path
    r = client.get(reverse("distribution:gift_lookup", args=[an.public_code]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "3.000.000" in html and "10/08/2023" in html and "Côn Minh" in html and "Hộ nghèo" in html
    assert an.donor.name not in html and binh.donor.name not in html
    person = households.poor.people.get(is_head=True)
    assert person.full_name not in html and person.citizen_id not in html and households.poor.head_name not in html
    assert binh.public_code not in html


def test_the_code_may_be_typed_loosely(client, cash_path):  # noqa: F811
    an, _ = cash_path
    typed = an.public_code_display.lower().replace("-", " - ")
    r = client.get(reverse("distribution:gift_lookup_form") + "?ma=" + typed)
    assert r.status_code == 302 and r.url == reverse("distribution:gift_lookup", args=[an.public_code])
    assert client.get(reverse("distribution:gift_lookup_form") + "?ma=abc").status_code == 200


def test_unknown_malformed_guessed_and_reversed_codes_are_404(client, cash_path):  # noqa: F811
    an, binh = cash_path
    for code in ("ZZZZ", "0" * 12, an.public_code[:-1], new_code(), "' OR 1=1 --", str(an.pk)):
        assert client.get(reverse("distribution:gift_lookup", args=[code])).status_code == 404, code
        assert client.get(reverse("distribution:gift_lookup_pdf", args=[code])).status_code == 404, code
    assert len(an.public_code) == 12 and set(an.public_code) <= set(ALPHABET)
    assert normalise_code(an.public_code_display) == an.public_code


def test_a_reversed_gift_is_no_longer_found(client, programme, tree):
    from donations.models import Donor

    donor = money.donor_create(kind=Donor.Kind.AGENCY, name="Sở Tư pháp", unit=tree.bk)
    gift = money.donation_create(programme=programme, donor=donor, unit=tree.bk, cash_vnd=1_000_000,
                                 cash_method="cash", received_on=programme.start_date)
    assert client.get(reverse("distribution:gift_lookup", args=[gift.public_code])).status_code == 200
    reversal = money.donation_reverse(donation=gift, reason="Nhập nhầm")
    assert reversal.public_code is None
    assert client.get(reverse("distribution:gift_lookup", args=[gift.public_code])).status_code == 404


def test_the_pdf_report_says_the_same(client, cash_path):  # noqa: F811
    an, _ = cash_path
    r = client.get(reverse("distribution:gift_lookup_pdf", args=[an.public_code]))
    assert r["Content-Type"] == "application/pdf"
    text = _pdf_text(r)
    assert "BÁO CÁO SỬ DỤNG KHOẢN ỦNG HỘ" in text and "3.000.000" in text and "Côn Minh" in text
    assert an.donor.name not in text


def test_look_ups_are_throttled_per_address(client, cash_path):  # noqa: F811
    an, _ = cash_path
    url = reverse("distribution:gift_lookup", args=[an.public_code])
    for _i in range(LOOKUPS_PER_WINDOW):
        client.get(reverse("distribution:gift_lookup", args=[new_code()]))  # guesses count too
    r = client.get(url)
    assert r.status_code == 429 and r["Retry-After"]
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200  # another address is not blocked
