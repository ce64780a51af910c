"""One small world with the same objects on two sides of Bắc Kạn, for the every-view
scoping test (tests/test_scoping_every_view.py).

Side "a" is Na Rì district with Côn Minh commune (the attackers' own area), side "b" is
Ba Bể district with Thượng Giáo commune (the area they must not reach). Donors, pledges,
gifts, purchases, phones, batches, hand-outs, scans and the import job are written through
the apps' services, as the pages would write them; households and a finished report job are
written directly. Each carries its side's marker token in a visible field so list pages and
exports can be searched for it.
"""

import datetime
import functools
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_imei

TOKENS = {"a": "Zalphaq", "b": "Zbravoq"}

# Valid 12-digit citizen IDs (province 006 = Bắc Kạn, century/sex digit 0 = male 1900s).
CITIZEN_IDS = {"a": ("006080011111", "006185022222"), "b": ("006080033333", "006185044444")}


def imei(side: str, n: int) -> str:
    return make_imei(n, series=1 if side == "a" else 2)


def imei_sheet(imeis: list[str]) -> bytes:
    """An intake sheet: a title, a header "Số IMEI", one IMEI a row."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Danh sách máy"])
    ws.append(["STT", "Số IMEI"])
    for i, value in enumerate(imeis, start=1):
        ws.append([i, value])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@functools.cache
def _household_file(side: str, village: str) -> bytes:
    from beneficiaries.samples import household_rows, xlsx_bytes

    return xlsx_bytes(household_rows(2, seed=7 if side == "a" else 8, villages=[village], messy=False,
                                     id_offset=100 if side == "a" else 200))


def _report_file(token: str, district: str) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["BÁO CÁO TỶ LỆ PHỔ CẬP", district, token])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _scan(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% signed minutes\n", content_type="application/pdf")


def build_side(side: str, *, programme, district, commune, village, district_user, commune_user, province_user):
    from beneficiaries import services as hh_services
    from beneficiaries.models import Household, Person
    from distribution import services as dist
    from donations import services as fund
    from donations.models import Donor
    from programme_coverage.models import ReportJob

    token = TOKENS[side]
    donor = fund.donor_create(kind=Donor.Kind.AGENCY, name=f"Hội {token} {district.name}", unit=district,
                              phone="0912000111" if side == "a" else "0912000222", address=f"Tổ 7 {token}",
                              public_consent=side == "a")  # only Na Rì's donor agreed to be named
    pledge = fund.pledge_create(programme=programme, donor=donor, pledged_on=datetime.date(2023, 8, 11),
                                cash_vnd=20_000_000, due_date=datetime.date(2023, 9, 30), occasion=f"Dịp {token}",
                                unit=district, by=province_user)
    donation = fund.donation_create(
        programme=programme, donor=donor, unit=district, received_on=datetime.date(2023, 8, 20),
        cash_vnd=5_000_000, cash_method="cash", receipt_number=f"PT-{token}", phones_count=6,
        phone_model=f"Máy {token}", phone_condition="new", phone_unit_value_vnd=2_000_000, pledge=pledge,
        by=district_user)
    fund.donation_acknowledge(donation=donation, by=district_user)
    # A cash gift not yet thanked and without phones: editable, reversible, acknowledgeable.
    gift = fund.donation_create(programme=programme, donor=donor, unit=district, received_on=datetime.date(2023, 8, 21),
                                cash_vnd=1_000_000, cash_method="bank_transfer", receipt_number=f"CK-{token}",
                                by=district_user)
    procurement = fund.procurement_create(programme=programme, supplier=f"Cửa hàng {token}",
                                          purchased_on=datetime.date(2023, 9, 5), quantity=1, unit=district,
                                          by=province_user)

    # Households of the commune (written as an import would leave them).
    households = []
    for i, cid in enumerate(CITIZEN_IDS[side]):
        name = f"Hoàng Văn {token} {i}"
        hh = Household.objects.create(commune=commune, village=village, code=f"HH-{side}-{i}", head_name=name,
                                      head_name_ascii=name.lower(), head_citizen_id=cid, members=3, adults=2,
                                      adults_without_phone=2, status="active", priority_rank=1,
                                      categories={"poor": 2023})
        Person.objects.create(household=hh, full_name=name, citizen_id=cid, id_kind="cccd", is_head=True)
        households.append(hh)

    # Phones: 6 registered at the district; 4 sent to the commune (one goes missing),
    # one handed out, one more in a batch still on the road, one left at the district.
    devices = dist.devices_register(programme=programme, unit=district, by=district_user, donation=donation,
                                    imeis=[imei(side, n) for n in range(1, 7)], model=f"Máy {token}")
    received = dist.batch_dispatch(programme=programme, from_unit=district, to_unit=commune, by=district_user,
                                   imeis=[d.imei for d in devices[:4]], note=f"Đợt {token}")
    dist.batch_receive(batch=received, by=commune_user, missing={devices[3].pk: "thất lạc khi vận chuyển"})
    handout = dist.handout_create(programme=programme, household=households[0], by=commune_user,
                                  imei=devices[0].imei, recipient_name=households[0].head_name,
                                  recipient_citizen_id=CITIZEN_IDS[side][0], handed_out_on=datetime.date(2023, 9, 1))
    on_road = dist.batch_dispatch(programme=programme, from_unit=district, to_unit=commune, by=district_user,
                                  imeis=[devices[4].imei], note=f"Đợt {token} 2")
    dist.batch_attach_scan(batch=received, by=commune_user, upload=_scan(f"bbbg-{side}.pdf"))
    dist.handout_attach_scan(handout=handout, by=commune_user, upload=_scan(f"bbcp-{side}.pdf"))

    # A household file uploaded and checked, waiting for the official's confirmation.
    job = hh_services.import_job_create(commune=commune, data=_household_file(side, village.name), filename=f"ds-{token}.xlsx", by=commune_user,
                                        queue=False)
    job = hh_services.import_job_validate(job_id=job.pk)

    # An IMEI sheet for the purchase, read by the worker, waiting for confirmation.
    from distribution import intake_jobs

    intake_job = intake_jobs.intake_job_create(
        programme=programme, data=imei_sheet([imei(side, 8)]), filename=f"imei-{token}.xlsx", by=district_user,
        procurement=procurement, queue=False)
    intake_job = intake_jobs.intake_job_validate(job_id=intake_job.pk)

    report = ReportJob(programme=programme, unit=district, requested_by=district_user,
                       status=ReportJob.Status.DONE, rows_total=1, rows_done=1)
    report.file.save(f"bao-cao-{side}.xlsx", ContentFile(_report_file(token, district.name)), save=False)
    report.save()

    from grievances import services as grievance_services

    grievance = grievance_services.grievance_record(programme=programme, commune=commune, kind="left_out",
                                                    description=f"Bỏ sót {token}", by=commune_user,
                                                    reporter_name=f"Người {token}")

    from distribution.models import Device

    def device(n):
        return Device.objects.get(pk=devices[n].pk)

    return SimpleNamespace(
        token=token, district=district, commune=commune, village=village,
        donor=donor, pledge=pledge, donation=donation, gift=gift, procurement=procurement,
        households=households, household=households[1], handout=handout,
        batch=received, open_batch=on_road,
        stock_device=device(1), missing_device=device(3), district_device=device(5),
        import_job=job, intake_job=intake_job, report=report, grievance=grievance,
    )


def build_world(*, tree, users, programme):
    from donations import services as fund
    from donations.models import Donor

    # An organisation registered by the province: shown to the districts (they record its
    # local gifts against it), each district seeing only the gifts it received.
    shared = fund.donor_create(kind=Donor.Kind.AGENCY, name="Liên đoàn Lao động tỉnh", unit=tree.bk)
    for side, district, officer in (("a", tree.na_ri, users.district), ("b", tree.ba_be, users.other_district)):
        fund.donation_create(programme=programme, donor=shared, unit=district, received_on=datetime.date(2023, 8, 25),
                             cash_vnd=2_000_000, cash_method="cash", receipt_number=f"LĐ-{TOKENS[side]}", by=officer)
    return SimpleNamespace(
        tree=tree, users=users, programme=programme, shared_donor=shared,
        a=build_side("a", programme=programme, district=tree.na_ri, commune=tree.con_minh, village=tree.ban_con,
                     district_user=users.district, commune_user=users.commune, province_user=users.province),
        b=build_side("b", programme=programme, district=tree.ba_be, commune=tree.thuong_giao,
                     village=tree.tg_village, district_user=users.other_district,
                     commune_user=users.other_commune, province_user=users.province),
    )


def shared_fixtures():
    """The tree, users and programme of tests/conftest.py, built once for a module instead
    of once per test."""
    from tests.factories import build_programme, build_tree, build_users

    tree = build_tree()
    users = build_users(tree)
    programme = build_programme(tree)
    return {"tree": tree, "users": users, "programme": programme}
