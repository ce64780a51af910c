"""Exports: every list as .xlsx (real date and number cells) and CSV, following the page's
filters and the user's scope; formulas escaped; large ones built by a task with progress."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from distribution import services as dist
from grievances import services as grievance_services
from phocap.exports.models import ExportJob
from tests.factories import make_procurement

pytestmark = pytest.mark.django_db


def _xlsx(response):
    assert response.status_code == 200, response
    wb = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def _csv(response):
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def handout(programme, tree, users, commune_stock, households):
    return dist.handout_create(programme=programme, household=households.poor, by=users.commune,
                               imei=commune_stock[0].imei, recipient_name="=HYPERLINK(\"x\")",
                               recipient_citizen_id="006080001234", handed_out_on=datetime.date(2023, 9, 1))


def test_handouts_xlsx_has_real_dates_and_escaped_text(client_for, users, handout):
    rows = _xlsx(client_for(users.commune).get(reverse("distribution:handout_list") + "?format=xlsx"))
    assert rows[0][0] == "Số biên bản"
    assert rows[1][3] == "'=HYPERLINK(\"x\")"
    assert rows[1][5] == datetime.datetime(2023, 9, 1)    # a date cell, not text
    assert len(rows) == 2
    assert len(_xlsx(client_for(users.other_commune).get(reverse("distribution:handout_list") + "?format=xlsx"))) == 1


def test_devices_follow_the_page_filter_and_scope(client_for, users, commune_stock, tree):
    url = reverse("distribution:device_list")
    rows = _csv(client_for(users.commune).get(url + f"?format=csv&q={commune_stock[0].imei[-6:]}"))
    assert [r[0] for r in rows[1:]] == [commune_stock[0].imei]
    everything = _csv(client_for(users.commune).get(url + "?format=csv"))
    assert len(everything) == 1 + len(commune_stock)      # Côn Minh's phones only
    assert len(_csv(client_for(users.province).get(url + "?format=csv"))) > len(everything)


def test_batches_have_number_cells(client_for, users, commune_stock):
    rows = _xlsx(client_for(users.commune).get(reverse("distribution:batch_list") + "?format=xlsx"))
    assert rows[1][5] == 4 and isinstance(rows[1][7], datetime.datetime)


def test_registry_masks_ids_as_the_page_does(client_for, users, households, tree):
    from beneficiaries.models import Household

    Household.objects.filter(pk=households.poor.pk).update(head_citizen_id="006080001234")
    url = reverse("beneficiaries:household_list")
    own = _xlsx(client_for(users.commune).get(url + f"?format=xlsx&commune={tree.con_minh.pk}"))
    assert ["Hoàng Văn Pản", "006080001234"] in [r[3:5] for r in own[1:]]   # the commune sees it whole
    auditor = _xlsx(client_for(users.auditor).get(url + "?format=xlsx"))
    ids = [r[4] for r in auditor[1:] if r[4]]
    assert ids and all(i != "006080001234" for i in ids)   # masked for the auditor


def test_purchases_grievances_and_outcomes(client_for, programme, tree, users, handout):
    make_procurement(programme, tree.bk, quantity=5, unit_price_vnd=1_900_000, supplier="Viettel")
    rows = _xlsx(client_for(users.province).get(reverse("donations:procurement_list", args=[programme.pk])
                                                + "?format=xlsx"))
    assert rows[1][0] == datetime.datetime(2023, 9, 5) and rows[1][6] == 9_500_000
    grievance_services.grievance_record(programme=programme, commune=tree.con_minh, kind="other",
                                        description="Khác", by=users.commune)
    rows = _csv(client_for(users.district).get(reverse("grievances:list") + "?format=csv"))
    assert len(rows) == 2 and rows[1][1] == "Xã Côn Minh"
    assert len(_csv(client_for(users.other_district).get(reverse("grievances:list") + "?format=csv"))) == 1
    rows = _xlsx(client_for(users.commune).get(reverse("followup:recipient_list") + "?format=xlsx"))
    assert len(rows) == 2 and rows[1][4] in ("", None)      # not visited yet


def test_large_export_is_a_job_with_progress(client_for, settings, users, commune_stock, tmp_path,
                                             django_capture_on_commit_callbacks):
    settings.PHOCAP_EXPORT_SYNC_MAX_ROWS = 2
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(users.commune)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("distribution:device_list") + "?format=xlsx&status=in_stock")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:job_detail", args=[job.pk])
    assert (job.status, job.rows_total, job.rows_done, job.params) == ("done", 4, 4, {"status": ["in_stock"]})
    assert client.get(response["Location"]).status_code == 200
    download = client.get(reverse("exports:job_download", args=[job.pk]))
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb.active.max_row == 5
    # Another user cannot read it.
    assert client_for(users.district).get(reverse("exports:job_download", args=[job.pk])).status_code == 404


def test_donations_and_pledges_write_real_dates(client_for, programme, tree, users):
    from donations import services as fund
    from donations.models import Donor

    donor = fund.donor_create(kind=Donor.Kind.AGENCY, name="Hội Nông dân", unit=tree.na_ri)
    fund.pledge_create(programme=programme, donor=donor, pledged_on=datetime.date(2023, 8, 11), cash_vnd=1_000_000,
                       due_date=datetime.date(2023, 9, 30), unit=tree.na_ri, by=users.province)
    fund.donation_create(programme=programme, donor=donor, unit=tree.na_ri, received_on=datetime.date(2023, 8, 20),
                         cash_vnd=500_000, cash_method="cash", receipt_number="PT-1", by=users.district)
    client = client_for(users.district)
    donations = _xlsx(client.get(reverse("donations:donation_list", args=[programme.pk]) + "?format=xlsx"))
    assert donations[1][1] == datetime.datetime(2023, 8, 20)
    pledges = _xlsx(client.get(reverse("donations:pledge_list", args=[programme.pk]) + "?format=xlsx"))
    assert (pledges[1][3], pledges[1][9]) == (datetime.datetime(2023, 8, 11), datetime.datetime(2023, 9, 30))
