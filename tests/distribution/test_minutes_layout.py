"""No handover minutes puts its signature block alone on a page: the last rows of the device
table go with it. Checked on real PDFs (pypdf) whose table fills the first page."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from distribution import services
from distribution.views import ROWS_KEPT_WITH_SIGNATURES
from tests.factories import make_imei, make_procurement

SIGNATURE = "ĐẠI DIỆN BÊN NHẬN"


@pytest.fixture
def phones(programme, tree, users):
    # Through the service with cash that pays for it (PostgreSQL checks the allocation at commit).
    purchase = make_procurement(programme, tree.bk, quantity=220, unit_price_vnd=1_900_000, supplier="Viettel Bắc Kạn")
    return services.devices_register(programme=programme, unit=tree.bk, by=users.province, procurement=purchase,
                                     imeis=[make_imei(i, series=7) for i in range(220)], model="Samsung A04")


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def minutes(client, batch) -> list[str]:
    r = client.get(reverse("distribution:batch_minutes", args=[batch.pk]))
    assert r["Content-Type"] == "application/pdf"
    return pages_of(r.content)


def layout(pages: list[str], imeis: list[str]) -> tuple[int, int, list[int]]:
    """(page of the signatures, page of the last IMEI, IMEIs per page)."""
    signature_page = next(i for i, text in enumerate(pages) if SIGNATURE in text)
    last_page = next(i for i, text in enumerate(pages) if imeis[-1] in text)
    return signature_page, last_page, [sum(imei in text for imei in imeis) for text in pages]


def test_signatures_stay_with_the_end_of_a_table_that_fills_the_page(phones, programme, tree, users, client_for):
    """Batches of 33 to 38 phones: the device table runs to the foot of page 2. Before the fix,
    35 and more put the signature block alone on page 3."""
    client, start, filled = client_for(users.province), 0, []
    for n in range(33, 39):
        chunk = sorted(d.imei for d in phones[start:start + n])
        start += n
        batch = services.batch_dispatch(programme=programme, from_unit=tree.bk, to_unit=tree.na_ri,
                                        by=users.province, imeis=chunk)
        pages = minutes(client, batch)
        signature_page, last_page, per_page = layout(pages, chunk)
        assert signature_page == last_page, (n, per_page)
        assert per_page[signature_page] >= ROWS_KEPT_WITH_SIGNATURES, (n, per_page)
        if signature_page > 0 and per_page[signature_page - 1] >= 10:
            filled.append(n)  # the page before the signatures is full of the table's rows
    assert filled, "no table filled a page before the signatures: the check proved nothing"


def test_handout_minutes_keep_table_and_signatures_on_one_page(client_for, users, commune_stock, households,
                                                                programme):
    handout = services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                      imei=commune_stock[0].imei, handed_out_on=datetime.date(2023, 9, 10),
                                      recipient_name="Lý Thị Mai", recipient_citizen_id="006185004321")
    r = client_for(users.commune).get(reverse("distribution:handout_minutes", args=[handout.pk]))
    pages = pages_of(r.content)
    (page,) = [text for text in pages if "NGƯỜI NHẬN" in text and "ĐẠI DIỆN BÊN GIAO" in text]
    assert commune_stock[0].imei in page
