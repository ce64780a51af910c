"""Pages of the fund: donors, pledges, donations, procurement, acknowledgements, honour roll."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from phocap.accounts.decorators import login_and_membership_required
from phocap.accounts.models import Role
from phocap.accounts.scoping import can_access_unit, can_write_unit
from phocap.common.actions import attempt, submit
from phocap.common.excel import (
    VND_FORMAT,
    XLSX_CONTENT_TYPE,
    append_sheet,
    workbook_bytes,
    xlsx_response,
)
from phocap.common.pagination import paginate
from phocap.common.pdf import pdf_response, render_pdf
from phocap.exports.services import export_or_job, wants_export
from phocap.programmes.models import Programme
from phocap.programmes.selectors import pick_programme

from . import selectors, services
from .codes import qr_data_uri
from .forms import (
    AcknowledgeForm,
    CancelPledgeForm,
    DonationForm,
    DonorForm,
    PledgeForm,
    ProcurementForm,
    ReverseForm,
)
from .models import Donation, Donor, Pledge, PledgeStatus, Procurement


def _programme(request, programme_id: int) -> Programme:
    if (programme := pick_programme(request.user, pk=programme_id)) is None:
        raise Http404
    return programme


def _is_province_staff(user, unit) -> bool:
    """Pledges and procurement are the province's: its staff write them."""
    return can_write_unit(user, unit, roles=[Role.PROVINCE_STAFF])


def _require_province_staff(user, unit) -> None:
    if not _is_province_staff(user, unit):
        raise PermissionDenied


def _wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


# --- index and fund -----------------------------------------------------------------------


@login_and_membership_required
def index(request):
    programmes = Programme.objects.for_user(request.user).select_related("province")
    if len(programmes) == 1:
        return redirect("donations:fund", programme_id=programmes[0].pk)
    return render(request, "donations/index.html", {"programmes": programmes})


@login_and_membership_required
def fund(request, programme_id: int):
    programme = _programme(request, programme_id)
    totals = selectors.programme_totals(programme)
    return render(request, "donations/fund.html", {
        "programme": programme, "totals": totals,
        "donors_by_kind": [(Donor.Kind(k).label, n) for k, n in totals["donors_by_kind"].items()],
        "can_buy": _is_province_staff(request.user, programme.province),
    })


@login_and_membership_required
def fund_account(request, programme_id: int):
    """Cash received = spent on phones + balance; phones bought = phones counted for gifts.

    The account is the province's: it names every gift and purchase of the programme, so
    only those whose memberships cover the whole province see it."""
    programme = _programme(request, programme_id)
    if not can_access_unit(request.user, programme.province):
        raise PermissionDenied
    account = selectors.fund_account(programme)
    if _wants_xlsx(request):
        return _fund_account_xlsx(programme, account)
    return render(request, "donations/fund_account.html", {"programme": programme, "account": account})


def _fund_account_xlsx(programme: Programme, account: dict) -> HttpResponse:
    wb = Workbook(write_only=True)
    summary = [
        (_("Tiền đã nhận"), account["cash_received_vnd"]),
        (_("Đã chi mua điện thoại"), account["cash_spent_vnd"]),
        (_("Còn lại"), account["cash_balance_vnd"]),
        (_("Đã phân bổ cho các đợt mua"), account["cash_allocated_vnd"]),
        (_("Máy đã mua"), account["phones_bought"]),
        (_("Máy đã tính cho các khoản ủng hộ"), account["phones_counted"]),
        (_("Khớp") if account["balanced"] else _("Lệch"), "; ".join(account["differences"])),
    ]
    append_sheet(wb, [_("Chỉ tiêu"), _("Giá trị")], summary, title=str(_("Tổng hợp")))
    append_sheet(wb, [_("Ngày mua"), _("Nhà cung cấp"), _("Số hóa đơn"), _("Số lượng"), _("Đơn giá"), _("Số tiền"),
                      _("Số tiền đã phân bổ"), _("Máy tính cho các khoản")],
                 ((p.purchased_on, p.supplier, p.invoice_number, p.quantity, p.unit_price_vnd,
                   p.total_vnd, p.allocated, p.counted) for p in account["purchases"]),
                 title=str(_("Đợt mua sắm")), number_formats={4: VND_FORMAT, 5: VND_FORMAT, 6: VND_FORMAT})
    append_sheet(wb, [_("Ngày mua"), _("Số hóa đơn"), _("Nhà tài trợ"), _("Ngày tiếp nhận"), _("Số phiếu thu / chứng từ"),
                      _("Số tiền"), _("Phần máy mua được"), _("Tính vào sổ")],
                 ((a.procurement.purchased_on, a.procurement.invoice_number, a.donation.donor.name,
                   a.donation.received_on, a.donation.receipt_number, a.amount_vnd,
                   round(a.amount_vnd * a.procurement.quantity / a.procurement.total_vnd, 4), a.phones)
                  for a in selectors.fund_allocations(programme).iterator(chunk_size=2000)),
                 title=str(_("Phân bổ")), number_formats={5: VND_FORMAT})
    response = HttpResponse(workbook_bytes(wb), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="so-quy-{programme.pk}.xlsx"'
    return response


# --- donors -------------------------------------------------------------------------------
DONOR_HEADERS = [gettext_lazy("Mã"), gettext_lazy("Loại"), gettext_lazy("Tên"), gettext_lazy("Mã số thuế"), gettext_lazy("Người đại diện"), gettext_lazy("Điện thoại"),
                 gettext_lazy("Địa chỉ"), gettext_lazy("Thuộc đơn vị"), gettext_lazy("Đồng ý công khai"), gettext_lazy("Số khoản ủng hộ")]


@login_and_membership_required
def donor_list(request):
    q, kind = request.GET.get("q", ""), request.GET.get("kind", "")
    qs = selectors.donor_list(user=request.user, q=q, kind=kind)
    if _wants_xlsx(request):
        rows = ([d.pk, d.get_kind_display(), d.name, d.tax_code, d.representative, d.phone, d.address,
                 d.unit.full_name, _("Có") if d.public_consent else _("Không"), d.gifts] for d in qs.iterator())
        return xlsx_response("nha-tai-tro.xlsx", [str(h) for h in DONOR_HEADERS], rows, title=_("Nhà tài trợ"))
    return render(request, "donations/donor_list.html", {
        "page_obj": paginate(request, qs), "q": q, "kind": kind, "kinds": Donor.Kind.choices,
        "can_write": selectors.writable_units(user=request.user).exists(),
    })


@login_and_membership_required
def donor_detail(request, pk: int):
    donor = get_object_or_404(selectors.donors_visible_to(request.user).select_related("unit"), pk=pk)
    donations = selectors.donation_list(user=request.user, donor=donor)[:100]
    pledges = selectors.pledge_list(user=request.user, donor=donor)[:100]
    return render(request, "donations/donor_detail.html", {
        "donor": donor, "donations": donations, "pledges": pledges,
        "can_write": can_write_unit(request.user, donor.unit), "trace_url": _trace_url(donor)})


def _lookup(request, donation: Donation) -> dict:
    """The letter's look-up code, its public URL and that URL as a QR code."""
    if not donation.public_code:
        return {}
    try:
        url = request.build_absolute_uri(reverse("distribution:gift_lookup", args=[donation.public_code]))
    except NoReverseMatch:
        return {}
    return {"lookup_url": url, "lookup_qr": qr_data_uri(url)}


def _trace_url(donor: Donor) -> str:
    """The page of where the donor's gifts went (distribution's, when installed)."""
    try:
        return reverse("distribution:donor_trace", args=[donor.pk])
    except NoReverseMatch:
        return ""


def _donor_form_view(request, donor: Donor | None):
    units = selectors.writable_units(user=request.user)
    if not units.exists() or (donor and not can_write_unit(request.user, donor.unit)):
        raise PermissionDenied
    initial = {f: getattr(donor, f) for f in services.DONOR_FIELDS} if donor else {}
    form = DonorForm(request.POST or None, units=units, initial=initial)
    duplicates = []

    def save(**data):
        if donor:
            services.donor_update(donor=donor, by=request.user, **data)
            messages.success(request, _("Đã lưu nhà tài trợ."))
            return redirect(donor)
        created = services.donor_create(**data)
        messages.success(request, _("Đã thêm nhà tài trợ %(name)s.") % {"name": created.name})
        return redirect(created)

    if request.method == "POST" and form.is_valid():
        duplicates = list(selectors.donor_likely_duplicates(
            name=form.cleaned_data["name"], user=request.user, exclude_pk=donor.pk if donor else None))
        if duplicates and not form.cleaned_data["confirm_duplicate"]:
            form.add_error("confirm_duplicate", _("Đã có nhà tài trợ trùng tên. Hãy kiểm tra danh sách bên dưới; "
                                                  "nếu đúng là nhà tài trợ khác, đánh dấu ô này rồi lưu lại."))
        elif response := submit(request, form, save, resent_to=reverse("donations:donor_list")):
            return response
    return render(request, "donations/donor_form.html", {"form": form, "donor": donor, "duplicates": duplicates})


@login_and_membership_required
def donor_create(request):
    return _donor_form_view(request, None)


@login_and_membership_required
def donor_edit(request, pk: int):
    donor = get_object_or_404(selectors.donors_visible_to(request.user).select_related("unit"), pk=pk)
    return _donor_form_view(request, donor)


# --- pledges ------------------------------------------------------------------------------
PLEDGE_HEADERS = [gettext_lazy("Mã"), gettext_lazy("Nhà tài trợ"), gettext_lazy("Loại"), gettext_lazy("Ngày cam kết"), gettext_lazy("Dịp"), gettext_lazy("Số tiền cam kết"),
                  gettext_lazy("Đã nhận (tiền)"), gettext_lazy("Số máy cam kết"), gettext_lazy("Đã nhận (máy)"), gettext_lazy("Hạn"), gettext_lazy("Trạng thái")]


@login_and_membership_required
def pledge_list(request, programme_id: int):
    programme = _programme(request, programme_id)
    q, status = request.GET.get("q", ""), request.GET.get("status", "")
    qs = selectors.pledge_list(user=request.user, programme=programme, q=q, status=status)
    if _wants_xlsx(request):
        rows = ([p.pk, p.donor.name, p.donor.get_kind_display(), p.pledged_on, p.occasion, p.cash_vnd,
                 p.cash_received_vnd, p.phones, p.phones_received, p.due_date, p.status_label]
                for p in qs.iterator())
        return xlsx_response("cam-ket.xlsx", [str(h) for h in PLEDGE_HEADERS], rows, title=_("Cam kết"),
                             number_formats={5: VND_FORMAT, 6: VND_FORMAT})
    return render(request, "donations/pledge_list.html", {
        "programme": programme, "page_obj": paginate(request, qs), "q": q, "status": status,
        "statuses": PledgeStatus.choices, "can_write": _is_province_staff(request.user, programme.province)})


@login_and_membership_required
def pledge_overdue(request, programme_id: int):
    programme = _programme(request, programme_id)
    qs = selectors.pledges_for_follow_up(user=request.user, programme=programme)
    return render(request, "donations/pledge_overdue.html", {"programme": programme,
                                                             "page_obj": paginate(request, qs)})


@login_and_membership_required
def pledge_create(request, programme_id: int):
    programme = _programme(request, programme_id)
    _require_province_staff(request.user, programme.province)
    form = PledgeForm(request.POST or None, user=request.user)

    def save(**data):
        pledge = services.pledge_create(programme=programme, by=request.user, **data)
        messages.success(request, _("Đã ghi cam kết của %(name)s.") % {"name": pledge.donor.name})
        return redirect(pledge)

    if response := submit(request, form, save, resent_to=reverse("donations:pledge_list", args=[programme.pk])):
        return response
    return render(request, "donations/pledge_form.html", {"form": form, "programme": programme})


@login_and_membership_required
def pledge_detail(request, pk: int):
    pledge = get_object_or_404(Pledge.objects.for_user(request.user).with_status().select_related(
        "donor", "programme", "unit"), pk=pk)
    donations = pledge.donations.select_related("unit").order_by("received_on", "pk")
    return render(request, "donations/pledge_detail.html", {
        "pledge": pledge, "donations": donations, "cancel_form": CancelPledgeForm(),
        "can_write": _is_province_staff(request.user, pledge.unit)})


@login_and_membership_required
def pledge_edit(request, pk: int):
    pledge = get_object_or_404(Pledge.objects.for_user(request.user).select_related("programme", "donor"), pk=pk)
    _require_province_staff(request.user, pledge.unit)
    initial = {f: getattr(pledge, f) for f in ("donor", *services.PLEDGE_FIELDS)}
    form = PledgeForm(request.POST or None, user=request.user, editing=True, initial=initial)

    def save(*, donor, **data):  # the donor of a pledge does not change
        services.pledge_update(pledge=pledge, by=request.user, **data)
        messages.success(request, _("Đã lưu cam kết."))
        return redirect(pledge)

    if response := submit(request, form, save):
        return response
    return render(request, "donations/pledge_form.html", {"form": form, "programme": pledge.programme,
                                                          "pledge": pledge})


@require_POST
@login_and_membership_required
def pledge_cancel(request, pk: int):
    pledge = get_object_or_404(Pledge.objects.for_user(request.user), pk=pk)
    _require_province_staff(request.user, pledge.unit)
    form = CancelPledgeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""  # the service says what is missing
    if attempt(request, services.pledge_cancel, pledge=pledge, reason=reason, by=request.user):
        messages.success(request, _("Đã hủy cam kết."))
    return redirect(pledge)


# --- donations ----------------------------------------------------------------------------
DONATION_HEADERS = [gettext_lazy("Mã"), gettext_lazy("Ngày tiếp nhận"), gettext_lazy("Nhà tài trợ"), gettext_lazy("Loại nhà tài trợ"), gettext_lazy("Đơn vị tiếp nhận"),
                    gettext_lazy("Số tiền"), gettext_lazy("Hình thức"), gettext_lazy("Số phiếu thu"), gettext_lazy("Số máy hiện vật"), gettext_lazy("Loại máy"),
                    gettext_lazy("Giá trị mỗi máy"), gettext_lazy("Cam kết"), gettext_lazy("Đã cảm ơn"), gettext_lazy("Ghi chú / lý do")]


def _donation_rows(qs):
    # Labels looked up once: get_FOO_display() hashes lazy choices on every row.
    kinds = {k: str(v) for k, v in Donor.Kind.choices}
    methods = {k: str(v) for k, v in Donation.CashMethod.choices}
    reversal = _("Đảo khoản #%(pk)s: ")
    for d in qs.iterator(chunk_size=2000):
        note = (reversal % {"pk": d.reverses_id} + d.reason) if d.reverses_id else d.note
        yield [d.pk, d.received_on, d.donor.name, kinds.get(d.donor.kind, ""), d.unit.full_name,
               d.cash_vnd, methods.get(d.cash_method, ""), d.receipt_number, d.phones_count, d.phone_model,
               d.phone_unit_value_vnd or None, d.pledge_id, d.acknowledged_at, note]


@login_and_membership_required
def donation_list(request, programme_id: int):
    programme = _programme(request, programme_id)
    q, kind, gift = request.GET.get("q", ""), request.GET.get("kind", ""), request.GET.get("gift", "")
    unacknowledged = request.GET.get("chua_cam_on") == "1"
    qs = selectors.donation_list(user=request.user, programme=programme, q=q, kind=kind, gift=gift,
                                 unacknowledged=unacknowledged)
    if _wants_xlsx(request):
        return xlsx_response("khoan-ung-ho.xlsx", [str(h) for h in DONATION_HEADERS], _donation_rows(qs),
                             title=_("Khoản ủng hộ"), number_formats={5: VND_FORMAT, 10: VND_FORMAT})
    return render(request, "donations/donation_list.html", {
        "programme": programme, "page_obj": paginate(request, qs), "q": q, "kind": kind, "gift": gift,
        "kinds": Donor.Kind.choices, "unacknowledged": unacknowledged,
        "can_write": selectors.writable_units(user=request.user, programme=programme).exists()})


@login_and_membership_required
def donation_create(request, programme_id: int):
    programme = _programme(request, programme_id)
    if not selectors.writable_units(user=request.user, programme=programme).exists():
        raise PermissionDenied
    form = DonationForm(request.POST or None, user=request.user, programme=programme,
                        pledge_id=request.GET.get("pledge"))

    def save(**data):
        donation = services.donation_create(programme=programme, by=request.user, **data)
        messages.success(request, _("Đã ghi nhận khoản ủng hộ của %(name)s.") % {"name": donation.donor.name})
        return redirect(donation)

    if response := submit(request, form, save, resent_to=reverse("donations:donation_list", args=[programme.pk])):
        return response
    return render(request, "donations/donation_form.html", {"form": form, "programme": programme})


def _donation_for_write(request, pk: int) -> Donation:
    donation = get_object_or_404(Donation.objects.for_user(request.user).select_related("programme", "unit"), pk=pk)
    if not can_write_unit(request.user, donation.unit):
        raise PermissionDenied
    return donation


@login_and_membership_required
def donation_edit(request, pk: int):
    donation = _donation_for_write(request, pk)
    programme = donation.programme
    initial = {f: getattr(donation, f) for f in services.DONATION_FIELDS}
    form = DonationForm(request.POST or None, user=request.user, programme=programme, initial=initial)

    def save(**data):
        services.donation_update(donation=donation, by=request.user, **data)
        messages.success(request, _("Đã lưu khoản ủng hộ."))
        return redirect(donation)

    if response := submit(request, form, save):
        return response
    return render(request, "donations/donation_form.html", {"form": form, "programme": programme,
                                                            "donation": donation})


@login_and_membership_required
def donation_detail(request, pk: int):
    donation = get_object_or_404(Donation.objects.for_user(request.user).select_related(
        "programme", "unit", "donor", "pledge", "reverses", "reversal"), pk=pk)
    reversal = getattr(donation, "reversal", None)  # fetched with the row: None when not reversed
    return render(request, "donations/donation_detail.html", {
        "donation": donation, "reversal": reversal, "reverse_form": ReverseForm(), "ack_form": AcknowledgeForm(),
        "can_write": can_write_unit(request.user, donation.unit)})


@require_POST
@login_and_membership_required
def donation_reverse(request, pk: int):
    donation = _donation_for_write(request, pk)
    form = ReverseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""  # the service says what is missing
    reversal = attempt(request, services.donation_reverse, donation=donation, reason=reason, by=request.user)
    if not reversal:
        return redirect(donation)
    messages.success(request, _("Đã đảo khoản ủng hộ. Nếu cần, hãy ghi lại khoản đúng."))
    return redirect(reversal.value)


@require_POST
@login_and_membership_required
def donation_acknowledge(request, pk: int):
    donation = _donation_for_write(request, pk)
    form = AcknowledgeForm(request.POST)
    kind = form.cleaned_data["kind"] if form.is_valid() else Donation.AckKind.LETTER
    if not attempt(request, services.donation_acknowledge, donation=donation, kind=kind, by=request.user):
        return redirect(donation)
    return redirect(reverse("donations:donation_ack_pdf", args=[donation.pk]) + f"?kind={kind}")


@login_and_membership_required
def donation_ack_pdf(request, pk: int):
    donation = get_object_or_404(Donation.objects.for_user(request.user).select_related(
        "programme", "programme__province", "unit", "donor"), pk=pk)
    if donation.reverses_id or donation.reversed_at or not donation.acknowledged_at:
        raise Http404
    kind = request.GET.get("kind") or donation.ack_kind or Donation.AckKind.LETTER
    if kind not in Donation.AckKind.values:
        raise Http404
    template = "donations/pdf/certificate.html" if kind == Donation.AckKind.CERTIFICATE else \
        "donations/pdf/thank_you.html"
    data = render_pdf(template, {"donation": donation, "programme": donation.programme,
                                 "donor": donation.donor, "plans": list(donation.programme.plans.all()),
                                 **_lookup(request, donation)})
    return pdf_response(data, f"cam-on-{donation.pk}.pdf")


# --- procurement --------------------------------------------------------------------------


@login_and_membership_required
def procurement_list(request, programme_id: int):
    programme = _programme(request, programme_id)
    if wants_export(request):
        return export_or_job(request, "procurements", programme=programme.pk)
    qs = selectors.procurement_list(user=request.user, programme=programme)
    return render(request, "donations/procurement_list.html", {
        "programme": programme, "page_obj": paginate(request, qs),
        "can_write": _is_province_staff(request.user, programme.province)})


@login_and_membership_required
def procurement_create(request, programme_id: int):
    programme = _programme(request, programme_id)
    _require_province_staff(request.user, programme.province)
    form = ProcurementForm(request.POST or None, user=request.user, programme=programme)
    done = reverse("donations:procurement_list", args=[programme.pk])

    def save(**data):
        procurement = services.procurement_create(programme=programme, by=request.user, **data)
        messages.success(request, ngettext("Đã ghi mua %(qty)s điện thoại.", "Đã ghi mua %(qty)s điện thoại.", procurement.quantity) % {"qty": procurement.quantity})
        return redirect(done)

    if response := submit(request, form, save, resent_to=done):
        return response
    return render(request, "donations/procurement_form.html", {
        "form": form, "programme": programme, "totals": selectors.programme_totals(programme)})


@require_POST
@login_and_membership_required
def procurement_reverse(request, pk: int):
    """Cancel a purchase entered by mistake: province staff only; a refusal (phones already
    registered, no reason) comes back as a message on the list."""
    procurement = get_object_or_404(Procurement.objects.for_user(request.user).select_related(
        "programme", "programme__province"), pk=pk)
    _require_province_staff(request.user, procurement.programme.province)
    form = ReverseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""  # the service says what is missing
    if attempt(request, services.procurement_reverse, procurement=procurement, reason=reason, by=request.user):
        messages.success(request, _("Đã đảo đợt mua sắm; tiền quỹ đã được phân bổ lại cho các đợt mua sau."))
    return redirect("donations:procurement_list", programme_id=procurement.programme_id)


# --- public -------------------------------------------------------------------------------


def honour_roll(request, programme_id: int):
    """No login: names of donors who agreed, what they gave, and the totals."""
    programme = get_object_or_404(Programme.objects.select_related("province"), pk=programme_id)
    totals = selectors.programme_totals(programme)
    rows = selectors.honour_roll(programme)
    return render(request, "donations/honour_roll.html", {
        "programme": programme, "totals": totals, "page_obj": paginate(request, rows, per_page=100),
        "kinds": dict(Donor.Kind.choices)})
