"""Issue 11, points 3 and 7: Chromium gets a fake camera that films a Code 128 barcode of
a valid IMEI (drawn here, written as a .y4m video by a small writer: no ffmpeg); the
hand-out form and the intake list read the IMEI from it, checked and acknowledged."""

import io

import pytest
from django.urls import reverse

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.distribution.conftest import households  # noqa: F401 - fixture
from tests.factories import make_imei

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 640, 480


def barcode_frame(text: str):
    """A 640×480 greyscale picture of `text` as a Code 128 barcode on a white page."""
    from barcode import Code128
    from barcode.writer import ImageWriter
    from PIL import Image

    buf = io.BytesIO()
    Code128(text, writer=ImageWriter()).write(buf, options={
        "module_width": 0.3, "module_height": 12.0, "quiet_zone": 4.0, "write_text": False, "dpi": 150})
    code = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    code.thumbnail((WIDTH - 20, HEIGHT - 20))
    page = Image.new("L", (WIDTH, HEIGHT), 255)
    page.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    return page


def write_y4m(path, frame, frames: int = 10) -> None:
    """YUV4MPEG2, 4:2:0: the greyscale picture is the Y plane, chroma neutral (128)."""
    luma = frame.tobytes()
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + luma + chroma + chroma)


@pytest.fixture
def camera_page(_browser, tmp_path, live_server):
    """A page in a second Chromium (same Playwright) whose camera films the barcode of IMEI
    `page.filmed`: the fake-camera flags are launch flags."""
    imei = make_imei(424242, series=7)
    video = tmp_path / "imei.y4m"
    write_y4m(video, barcode_frame(imei))
    browser = _browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 640}, is_mobile=True,
                                  has_touch=True)
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.filmed = imei
    yield page
    browser.close()


@pytest.mark.usefixtures("users", "programme")
def test_fake_camera_reads_the_imei_into_handout_and_intake(camera_page, live_server, login, households):  # noqa: F811
    page = camera_page
    login(page, live_server, "xa_conminh")

    # Hand-out: one IMEI; the camera closes once it is read, the field holds it, it is acknowledged.
    page.goto(live_server.url + reverse("distribution:handout_create", args=[households.near_poor.pk]))
    page.click("button.scan-button")
    page.wait_for_function("id => document.getElementById('id_imei').value === id", arg=page.filmed)
    assert page.locator(".scanner").count() == 0
    assert page.filmed in page.locator(".scan-ack.ok").inner_text()

    # Typing stays possible, and a wrong number typed is flagged at once.
    page.fill("#id_imei", page.filmed[:-1] + str((int(page.filmed[-1]) + 1) % 10))
    assert page.locator(".scan-ack.err").count() == 1

    # Intake: a list; the scan adds a line, the camera stays open for the next box until "Xong".
    assert page.evaluate("() => 'BarcodeDetector' in window") is False  # so the vendored ZXing decoded it
    page.goto(live_server.url + reverse("distribution:device_intake"))
    page.click("button.scan-button")
    page.wait_for_function("id => document.getElementById('id_imeis').value.includes(id)", arg=page.filmed)
    assert page.locator(".scanner").count() == 1
    page.click(".scanner button")
    assert page.input_value("#id_imeis").split() == [page.filmed]


FAKE_DETECTOR = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["code_128", "qr_code"]); }
  constructor(options) { window.detectorFormats = options.formats; }
  detect(source) {
    window.detectCalls = (window.detectCalls || 0) + 1;
    // A misread first (14 digits and a wrong check digit), then the real label.
    return Promise.resolve([{ rawValue: window.detectCalls < 3 ? "%s" : "%s" }]);
  }
};
"""


@pytest.mark.usefixtures("users", "programme")
def test_native_barcode_detector_is_used_where_the_browser_has_one(camera_page, live_server, login, households):  # noqa: F811
    page = camera_page
    misread = page.filmed[:-1] + str((int(page.filmed[-1]) + 1) % 10)
    page.context.add_init_script(FAKE_DETECTOR % (misread, page.filmed))
    login(page, live_server, "xa_conminh")
    page.goto(live_server.url + reverse("distribution:handout_create", args=[households.near_poor.pk]))
    page.click("button.scan-button")
    page.wait_for_function("id => document.getElementById('id_imei').value === id", arg=page.filmed)
    assert page.evaluate("() => [window.detectorFormats, window.detectCalls >= 3, typeof window.ZXing]") == [
        ["code_128"], True, "undefined"]  # the misread was refused, not written; no ZXing loaded
    assert page.filmed in page.locator(".scan-ack.ok").inner_text()


@pytest.mark.usefixtures("users")
def test_fake_camera_reads_the_imei_on_dispatch_and_receipt(camera_page, live_server, login, tree, users, programme):
    """The province scans a box into a batch to Na Rì; Na Rì's officer scans the same box into
    the receipt's damaged lines and adds the reason: the phone arrives flagged damaged."""
    from distribution import services
    from distribution.models import Batch, BatchLine, Device
    from tests.factories import make_procurement

    page = camera_page
    purchase = make_procurement(programme, tree.bk, quantity=1, unit_price_vnd=2_000_000)
    services.devices_register(programme=programme, unit=tree.bk, imeis=[page.filmed], by=users.province,
                              procurement=purchase)

    login(page, live_server, "tinh")
    page.goto(live_server.url + reverse("distribution:batch_create"))
    page.select_option("#id_programme", str(programme.pk))
    page.select_option("#id_to_unit", str(tree.na_ri.pk))
    page.click("button.scan-button")
    page.wait_for_function("id => document.getElementById('id_imeis').value.includes(id)", arg=page.filmed)
    page.click(".scanner button")  # a list: the camera stayed open for the next box
    assert page.input_value("#id_imeis").split() == [page.filmed]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/dot/*/")
    batch = Batch.objects.get()
    assert (batch.to_unit, list(batch.lines.values_list("device__imei", flat=True))) == (tree.na_ri, [page.filmed])

    page.context.clear_cookies()
    login(page, live_server, "huyen_nari")
    page.goto(live_server.url + reverse("distribution:batch_receive", args=[batch.pk]))
    page.locator("#id_damaged").locator("xpath=..").locator("button.scan-button").click()
    page.wait_for_function("id => document.getElementById('id_damaged').value.includes(id)", arg=page.filmed)
    assert page.filmed in page.locator(".scan-ack.ok").inner_text()
    page.click(".scanner button")
    page.locator("#id_damaged").press("End")
    page.locator("#id_damaged").type("vỡ màn hình")
    assert page.input_value("#id_damaged") == f"{page.filmed} vỡ màn hình"
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"**/dot/{batch.pk}/")
    device = Device.objects.get(imei=page.filmed)
    assert (device.status, device.condition, device.holder_unit) == ("in_stock", "damaged", tree.na_ri)
    assert BatchLine.objects.get(batch=batch).reason == "vỡ màn hình"
