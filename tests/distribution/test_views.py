import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from distribution import services
from distribution.errors import Code
from distribution.models import Batch, Device, Handout
from tests.factories import make_imei

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2023, 9, 10)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # lines wrap wherever the layout puts them


@pytest.fixture
def handout(commune_stock, households, programme, users):
    return services.handout_create(programme=programme, household=households.poor, by=users.commune,
                                   imei=commune_stock[0].imei, handed_out_on=TODAY,
                                   person=households.poor.people.get(is_head=True))


# --- intake ------------------------------------------------------------------------------

def test_intake_by_pasting_a_list(client_for, users, programme, donation):
    c = client_for(users.province)
    text = f"{make_imei(1)}\n\n{make_imei(2)}, {make_imei(3)}\n"
    r = c.post(reverse("distribution:device_intake"), {
        "programme": programme.pk, "donation": donation.pk, "model": "Samsung A04", "condition": "new",
        "imeis": text})
    assert r.status_code == 302
    assert Device.objects.count() == 3


def test_intake_without_a_model_takes_the_donations(client_for, users, programme, donation):
    client_for(users.province).post(reverse("distribution:device_intake"), {
        "programme": programme.pk, "donation": donation.pk, "condition": "new", "imeis": make_imei(1)})
    assert Device.objects.get().model == "Samsung A04"


def test_intake_with_a_bad_imei_names_the_line_and_saves_nothing(client_for, users, programme, donation):
    bad = make_imei(2)[:-1] + str((int(make_imei(2)[-1]) + 1) % 10)
    r = client_for(users.province).post(reverse("distribution:device_intake"), {
        "programme": programme.pk, "donation": donation.pk, "condition": "new",
        "imeis": f"{make_imei(1)}\n{bad}"})
    assert r.status_code == 200
    assert "Dòng 2" in r.content.decode()
    assert Device.objects.count() == 0


def test_auditor_cannot_open_intake(client_for, users):
    assert client_for(users.auditor).get(reverse("distribution:device_intake")).status_code == 403


# --- batches -----------------------------------------------------------------------------

def test_province_dispatches_by_count(client_for, users, programme, stock, tree):
    r = client_for(users.province).post(reverse("distribution:batch_create"), {
        "programme": programme.pk, "to_unit": tree.na_ri.pk, "count": 3})
    batch = Batch.objects.get()
    assert r.status_code == 302 and r.url == batch.get_absolute_url()
    assert batch.number == 1 and batch.lines.count() == 3


def test_dispatch_form_offers_only_children_of_the_users_units(client_for, users, tree):
    html = client_for(users.district).get(reverse("distribution:batch_create")).content.decode()
    assert "Côn Minh" in html and "Kim Hỷ" in html and "Thượng Giáo" not in html


def test_district_confirms_with_one_missing_device(client_for, users, batch_to_na_ri):
    lost = batch_to_na_ri.lines.first().device
    c = client_for(users.district)
    url = reverse("distribution:batch_receive", args=[batch_to_na_ri.pk])
    assert c.get(url).status_code == 200
    r = c.post(url, {"missing": f"{lost.imei} thất lạc khi vận chuyển", "damaged": ""})
    assert r.status_code == 302
    batch_to_na_ri.refresh_from_db()
    assert batch_to_na_ri.status == "received" and batch_to_na_ri.partial
    lost.refresh_from_db()
    assert lost.status == "missing"


def test_receive_form_names_an_imei_not_in_the_batch(client_for, users, batch_to_na_ri):
    r = client_for(users.district).post(reverse("distribution:batch_receive", args=[batch_to_na_ri.pk]),
                                        {"missing": f"{make_imei(555)} mất"})
    assert r.status_code == 200 and make_imei(555) in r.content.decode()
    assert Batch.objects.get(pk=batch_to_na_ri.pk).status == "dispatched"


@pytest.mark.parametrize("who,status", [("province", 403), ("commune", 404), ("other_district", 404),
                                        ("auditor", 403)])
def test_only_the_receiver_can_confirm(client_for, users, batch_to_na_ri, who, status):
    r = client_for(getattr(users, who)).post(reverse("distribution:batch_receive", args=[batch_to_na_ri.pk]), {})
    assert r.status_code == status
    assert Batch.objects.get(pk=batch_to_na_ri.pk).status == "dispatched"


def test_batch_pages_are_scoped(client_for, users, batch_to_na_ri):
    pk = batch_to_na_ri.pk
    for name in ("batch_detail", "batch_minutes", "batch_scan"):
        assert client_for(users.other_district).get(reverse(f"distribution:{name}", args=[pk])).status_code == 404
        assert client_for(users.tn_staff).get(reverse(f"distribution:{name}", args=[pk])).status_code == 404
    assert client_for(users.district).get(reverse("distribution:batch_detail", args=[pk])).status_code == 200
    assert client_for(users.auditor).get(reverse("distribution:batch_detail", args=[pk])).status_code == 200
    html = client_for(users.other_district).get(reverse("distribution:batch_list")).content.decode()
    assert "Na Rì" not in html


def test_cancel_only_by_sender(client_for, users, batch_to_na_ri):
    url = reverse("distribution:batch_cancel", args=[batch_to_na_ri.pk])
    assert client_for(users.district).post(url, {"reason": "x"}).status_code == 403
    client_for(users.province).post(url, {"reason": "giao nhầm"})
    assert Batch.objects.get(pk=batch_to_na_ri.pk).status == "cancelled"


def test_cancel_without_a_reason_says_so_and_changes_nothing(client_for, users, batch_to_na_ri):
    url = reverse("distribution:batch_cancel", args=[batch_to_na_ri.pk])
    r = client_for(users.province).post(url, {"reason": ""}, follow=True)
    assert "Cần ghi lý do hủy đợt." in r.content.decode()
    assert Batch.objects.get(pk=batch_to_na_ri.pk).status == "dispatched"


def test_batch_detail_shows_count_and_history(client_for, users, batch_to_na_ri):
    lost = batch_to_na_ri.lines.first().device
    services.batch_receive(batch=batch_to_na_ri, by=users.district, missing={lost.pk: "thất lạc"})
    r = client_for(users.district).get(reverse("distribution:batch_detail", args=[batch_to_na_ri.pk]))
    assert r.context["total"] == 6
    assert [(h["kind"], h["n"]) for h in r.context["history"]] == [("dispatch", 6), ("missing", 1), ("receipt", 5)]
    assert "Báo thiếu — 1" in r.content.decode()


def test_batch_minutes_pdf_content(client_for, users, batch_to_na_ri, programme):
    from phocap.programmes.models import ProgrammePlan

    ProgrammePlan.objects.create(programme=programme, number="506/KH-UBND", issued_on=datetime.date(2023, 7, 28),
                                 title="triển khai phổ cập điện thoại thông minh")
    lost = batch_to_na_ri.lines.first().device
    services.batch_receive(batch=batch_to_na_ri, by=users.district, missing={lost.pk: "thất lạc"})
    r = client_for(users.district).get(reverse("distribution:batch_minutes", args=[batch_to_na_ri.pk]))
    assert r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BIÊN BẢN BÀN GIAO",
                     batch_to_na_ri.document_number, "506/KH-UBND", "Bên giao", "Bên nhận", "Na Rì",
                     "02 bản", lost.imei, "thất lạc", "ĐẠI DIỆN BÊN NHẬN"):
        assert expected in text, expected
    for line in batch_to_na_ri.lines.select_related("device"):
        assert line.device.imei in text


def test_signed_scan_upload_and_scoped_download(client_for, users, batch_to_na_ri, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("distribution:batch_scan", args=[batch_to_na_ri.pk])
    bad = SimpleUploadedFile("x.exe", b"MZ")
    client_for(users.district).post(url, {"file": bad})
    assert not Batch.objects.get(pk=batch_to_na_ri.pk).signed_scan
    scan = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 signed")
    assert client_for(users.district).post(url, {"file": scan}).status_code == 302
    r = client_for(users.province).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 signed"
    assert client_for(users.other_district).get(url).status_code == 404


# --- devices and tracing -----------------------------------------------------------------

def test_device_page_shows_the_whole_path(client_for, users, handout, donation):
    r = client_for(users.commune).get(reverse("distribution:device_detail", args=[handout.device.imei]))
    html = r.content.decode()
    for expected in ("VNPT Bắc Kạn", "Nhập kho", "Giao đi", "Nhận", "Cấp phát", "Hoàng Văn Pản"):
        assert expected in html, expected
    r = client_for(users.other_commune).get(reverse("distribution:device_detail", args=[handout.device.imei]))
    assert r.status_code == 404


def test_donor_trace_by_commune(client_for, users, handout, donation):
    html = client_for(users.province).get(reverse("distribution:donor_trace", args=[donation.donor_id])).content.decode()
    assert "Côn Minh" in html and "Đã cấp phát" in html and "Bắc Kạn" in html
    assert client_for(users.tn_staff).get(reverse("distribution:donor_trace", args=[donation.donor_id])).status_code == 404


def test_stock_page_and_lists_do_not_grow_in_queries(client_for, users, commune_stock, django_assert_max_num_queries):
    c = client_for(users.province)
    for name in ("index", "device_list", "batch_list", "handout_list"):
        c.get(reverse(f"distribution:{name}"))  # warm caches (sessions, memberships)
        with django_assert_max_num_queries(12):
            assert c.get(reverse(f"distribution:{name}")).status_code == 200
    html = c.get(reverse("distribution:index")).content.decode()
    assert "Côn Minh" in html


def test_missing_device_resolved_from_its_page(client_for, users, batch_to_na_ri):
    lost = batch_to_na_ri.lines.first().device
    services.batch_receive(batch=batch_to_na_ri, by=users.district, missing={lost.pk: "thất lạc"})
    assert client_for(users.other_district).post(
        reverse("distribution:device_resolve", args=[lost.imei]), {"resolution": "found"}).status_code == 404
    client_for(users.district).post(reverse("distribution:device_resolve", args=[lost.imei]),
                                    {"resolution": "found", "reason": "tìm thấy trong kho"})
    lost.refresh_from_db()
    assert lost.status == "in_stock"


def test_write_off_from_the_device_page(client_for, users, stock):
    url = reverse("distribution:device_write_off", args=[stock[0].imei])
    r = client_for(users.province).post(url, {"reason": ""}, follow=True)
    assert "Cần ghi lý do xóa sổ." in r.content.decode()
    r = client_for(users.province).post(url, {"reason": "vỡ màn hình"}, follow=True)
    assert f"Đã xóa sổ máy IMEI {stock[0].imei}." in r.content.decode()
    assert Device.objects.get(pk=stock[0].pk).status == "written_off"


# --- hand-outs ---------------------------------------------------------------------------

def test_commune_official_hands_out_from_the_priority_list(client_for, users, commune_stock, households):
    c = client_for(users.commune)
    html = c.get(reverse("distribution:handout_pick")).content.decode()
    assert "Hoàng Văn Pản" in html and "Ma Văn Khác" not in html
    assert "Hộ nghèo" in html and "Hộ cận nghèo" in html  # each household's priority group
    url = reverse("distribution:handout_create", args=[households.poor.pk])
    person = households.poor.people.get(is_head=True)
    r = c.post(url, {"person": person.pk, "recipient_name": "", "recipient_citizen_id": "",
                     "handed_out_on": "10/09/2023", "imei": commune_stock[0].imei, "consent": "on"})
    h = Handout.objects.get()
    assert r.status_code == 302 and r.url == h.get_absolute_url()
    assert h.recipient_citizen_id == "006080001234"


def test_handout_form_shows_a_clear_error_for_a_phone_not_in_stock(client_for, users, stock, commune_stock,
                                                                   households):
    r = client_for(users.commune).post(reverse("distribution:handout_create", args=[households.poor.pk]), {
        "recipient_name": "A", "recipient_citizen_id": "006080001234", "handed_out_on": "10/09/2023",
        "imei": stock[9].imei, "consent": "on"})
    assert r.status_code == 200
    assert [e.code for e in r.context["form"].non_field_errors().as_data()] == [Code.DEVICE_NOT_IN_STOCK]
    assert not Handout.objects.exists()


def test_a_handout_form_sent_twice_hands_out_once(client_for, users, commune_stock, households):
    """A double tap on a slow connection: the once-only token makes the second POST a no-op."""
    c = client_for(users.commune)
    url = reverse("distribution:handout_create", args=[households.poor.pk])
    token = c.get(url).context["form"]["submit_token"].value()
    assert token
    form = {"recipient_name": "A", "recipient_citizen_id": "006080001234", "handed_out_on": "10/09/2023",
            "imei": commune_stock[0].imei, "submit_token": token, "consent": "on"}
    assert c.post(url, form).status_code == 302
    second = c.post(url, {**form, "imei": commune_stock[1].imei})
    assert second.status_code == 302 and second.url == reverse("distribution:handout_list")
    assert Handout.objects.count() == 1


def test_a_committed_handout_is_not_a_500_when_the_broker_is_down(client_for, users, commune_stock, households,
                                                                 monkeypatch, django_capture_on_commit_callbacks):
    # Security probe: with Redis down the hand-out was committed but answered 500, and the
    # retry said the household already had a phone.
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    def refuse(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)
    c = client_for(users.commune)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("distribution:handout_create", args=[households.poor.pk]), {
            "recipient_name": "Hoàng Văn Pản", "recipient_citizen_id": "006080001234",
            "handed_out_on": "10/09/2023", "imei": commune_stock[0].imei, "submit_token": "broker-down-1", "consent": "on"})
    assert response.status_code == 302
    assert Handout.objects.filter(status="active").count() == 1


def test_a_refused_handout_frees_its_token_for_the_corrected_form(client_for, users, stock, commune_stock,
                                                                  households):
    c = client_for(users.commune)
    url = reverse("distribution:handout_create", args=[households.poor.pk])
    form = {"recipient_name": "A", "recipient_citizen_id": "006080001234", "handed_out_on": "10/09/2023",
            "imei": stock[9].imei, "submit_token": "t-1", "consent": "on"}
    assert c.post(url, form).status_code == 200  # refused: the phone is not in the commune
    assert c.post(url, {**form, "imei": commune_stock[0].imei}).status_code == 302
    assert Handout.objects.count() == 1


@pytest.mark.parametrize("who,status", [("other_commune", 404), ("district", 403), ("province", 403),
                                        ("auditor", 403)])
def test_only_the_households_commune_hands_out(client_for, users, commune_stock, households, who, status):
    r = client_for(getattr(users, who)).post(
        reverse("distribution:handout_create", args=[households.poor.pk]),
        {"recipient_name": "A", "recipient_citizen_id": "006080001234", "handed_out_on": "10/09/2023",
         "imei": commune_stock[0].imei})
    assert r.status_code == status
    assert not Handout.objects.exists()


def test_handout_pages_are_scoped(client_for, users, handout):
    for name in ("handout_detail", "handout_minutes", "handout_scan"):
        assert client_for(users.other_commune).get(
            reverse(f"distribution:{name}", args=[handout.pk])).status_code == 404
    assert client_for(users.other_commune).post(
        reverse("distribution:handout_reverse", args=[handout.pk]), {"reason": "x"}).status_code == 404
    assert client_for(users.district).post(
        reverse("distribution:handout_reverse", args=[handout.pk]), {"reason": "x"}).status_code == 403
    assert Handout.objects.get(pk=handout.pk).status == "active"


def test_handout_minutes_pdf_content(client_for, users, handout, households):
    households.poor.categories = {"poor": 2023}
    households.poor.save(update_fields=["categories"])
    r = client_for(users.commune).get(reverse("distribution:handout_minutes", args=[handout.pk]))
    text = pdf_text(r.content)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", handout.document_number,
                     "Hoàng Văn Pản", "006080001234", "Hộ nghèo", handout.device.imei, "Côn Minh", "02 bản",
                     "điểm chỉ", "10/09/2023", "Côn Minh, ngày 10 tháng 9 năm 2023"):
        assert expected in text, expected


@pytest.mark.parametrize(("who", "full"), [("commune", True), ("district", True), ("province", False),
                                          ("auditor", False)])
def test_handout_page_and_minutes_mask_the_citizen_id_like_the_registry(client_for, users, handout, who, full):
    # One rule (beneficiaries.selectors.IdMasker): only commune officials and district officers
    # see full citizen IDs; auditors and province staff saw them on this page and its PDF.
    from beneficiaries.selectors import IdMasker

    user = getattr(users, who)
    number = handout.recipient_citizen_id
    assert IdMasker(user).can_see(handout.commune) is full
    c = client_for(user)
    page = c.get(reverse("distribution:handout_detail", args=[handout.pk])).content.decode()
    minutes = pdf_text(c.get(reverse("distribution:handout_minutes", args=[handout.pk])).content)
    for shown in (page, minutes):
        assert (number in shown) is full
        assert number[-4:] in shown


def test_reverse_from_the_page(client_for, users, handout):
    client_for(users.commune).post(reverse("distribution:handout_reverse", args=[handout.pk]),
                                   {"reason": "trả lại máy"})
    assert Handout.objects.get(pk=handout.pk).status == "reversed"
    assert Device.objects.get(pk=handout.device_id).status == "in_stock"


# --- API ---------------------------------------------------------------------------------

def test_api_devices_and_batches_are_scoped(client_for, users, batch_to_na_ri, stock):
    imei = batch_to_na_ri.lines.first().device.imei
    data = client_for(users.district).get("/api/v1/devices/").json()
    assert data["count"] == 6
    detail = client_for(users.district).get(f"/api/v1/devices/{imei}/").json()
    assert [m["kind"] for m in detail["movements"]] == ["intake", "dispatch"]
    assert client_for(users.other_district).get(f"/api/v1/devices/{imei}/").status_code == 404
    assert client_for(users.other_district).get("/api/v1/batches/").json()["count"] == 0
    assert client_for(users.district).get("/api/v1/batches/").json()["count"] == 1


def test_anonymous_gets_nothing(client, batch_to_na_ri):
    assert client.get("/api/v1/devices/").status_code in (401, 403)
    r = client.get(reverse("distribution:batch_detail", args=[batch_to_na_ri.pk]))
    assert r.status_code == 302 and "dang-nhap" in r.url


def test_device_page_of_a_phone_in_transit_names_its_batch_without_extra_queries(
        client_for, users, batch_to_na_ri, django_assert_max_num_queries):
    imei = batch_to_na_ri.lines.first().device.imei
    c = client_for(users.district)
    url = reverse("distribution:device_detail", args=[imei])
    c.get(url)  # warm caches (sessions, memberships)
    with django_assert_max_num_queries(6):  # session, user, memberships, device, hand-out, ledger
        html = c.get(url).content.decode()
    assert str(batch_to_na_ri) in html


def test_stock_page_filters_by_programme(client_for, users, tree, programme, commune_stock):
    from tests.factories import ProgrammeFactory

    other = ProgrammeFactory(province=tree.bk, name="Chương trình khác")
    c = client_for(users.province)
    assert "Côn Minh" in c.get(reverse("distribution:index"), {"programme": programme.pk}).content.decode()
    assert "Côn Minh" not in c.get(reverse("distribution:index"), {"programme": other.pk}).content.decode()


def test_batch_list_opens_on_the_tab_that_has_batches(client_for, users, batch_to_na_ri):
    """The province only sends: its list opens on the batches it sent, Na Rì's on those it got."""
    province = client_for(users.province).get(reverse("distribution:batch_list"))
    assert province.context["direction"] == "out" and list(province.context["page_obj"]) == [batch_to_na_ri]
    district = client_for(users.district).get(reverse("distribution:batch_list"))
    assert district.context["direction"] == "in" and list(district.context["page_obj"]) == [batch_to_na_ri]
    chosen = client_for(users.province).get(reverse("distribution:batch_list") + "?huong=den")
    assert chosen.context["direction"] == "in" and not list(chosen.context["page_obj"])
