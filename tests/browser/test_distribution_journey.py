"""Issue 5, point 10: the province dispatches a batch, the district officer confirms it with
one device missing and passes the rest on, the commune confirms, then hands a phone to the
first household of its priority list and prints the handover minutes."""

import io

import pytest
from django.urls import reverse

from distribution.models import Batch, Device, Handout
from distribution.selectors import device_drift
from tests.distribution.conftest import donation, stock  # noqa: F401 - fixtures
from tests.factories import make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page):
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


@pytest.mark.usefixtures("users", "programme", "stock")
def test_batch_down_the_tree_then_a_handout_with_minutes(browser_page, live_server, login, tree):
    first = make_household(tree.con_minh, "Hoàng Văn Pản", rank=1, adults=2, without=2,
                           people=[("Hoàng Văn Pản", "006080001234")])
    make_household(tree.con_minh, "Nông Thị Hoa", rank=2, people=[("Nông Thị Hoa", "006190007777")])
    page = browser_page
    url = live_server.url

    # The province sends 3 phones (oldest first) to Na Rì.
    login(page, live_server, "tinh")
    page.goto(url + reverse("distribution:batch_create"))
    page.select_option("#id_to_unit", label="Huyện Na Rì (Bắc Kạn)")
    page.fill("#id_count", "3")
    submit(page)
    assert "Đã giao đợt 1 (3 máy)" in page.content()
    batch = Batch.objects.get(to_unit=tree.na_ri)
    lost = batch.lines.order_by("device__imei").first().device.imei

    # Na Rì's officer confirms with one phone missing, then passes the other two to Côn Minh.
    page.context.clear_cookies()
    login(page, live_server, "huyen_nari")
    page.goto(url + reverse("distribution:batch_list"))
    page.click("text=Đợt 1")
    page.click("text=Xác nhận đã nhận")
    page.fill("#id_missing", f"{lost} thất lạc khi vận chuyển")
    submit(page)
    assert "Đã xác nhận nhận đợt 1" in page.content()
    assert "nhận thiếu" in page.content()
    page.goto(url + reverse("distribution:batch_create"))
    page.select_option("#id_to_unit", label="Xã Côn Minh (Na Rì)")
    page.fill("#id_count", "2")
    submit(page)
    assert "Đã giao đợt 1 (2 máy)" in page.content()

    # Côn Minh's official confirms, then hands a phone to the first household of the list.
    page.context.clear_cookies()
    login(page, live_server, "xa_conminh")
    page.goto(url + reverse("distribution:batch_list"))
    page.click("text=Đợt 1")
    page.click("text=Xác nhận đã nhận")
    submit(page)
    phone = Device.objects.filter(holder_unit=tree.con_minh, status="in_stock").order_by("imei").first()
    page.goto(url + reverse("distribution:handout_pick"))
    rows = page.locator("table tbody tr")
    assert "Hoàng Văn Pản" in rows.first.inner_text()
    rows.first.locator("text=Cấp máy").click()
    page.wait_for_load_state("domcontentloaded")
    page.select_option("#id_person", label="Hoàng Văn Pản — 006080001234")
    page.fill("#id_imei", phone.imei)
    page.check("#id_consent")
    submit(page)
    assert f"Đã cấp máy IMEI {phone.imei} cho Hoàng Văn Pản" in page.content()
    handout = Handout.objects.get()
    assert handout.household == first

    # The minutes: a PDF with the recipient, the IMEI and the national header.
    href = page.get_attribute("text=In biên bản cấp phát (PDF)", "href")
    response = page.request.get(url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Hoàng Văn Pản", "006080001234", phone.imei):
        assert expected in text

    assert Device.objects.get(imei=lost).status == "missing"
    assert device_drift() == []
