from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from beneficiaries import eligibility
from beneficiaries.selectors import IdMasker
from phocap.accounts.decorators import login_and_membership_required, unit_role_required
from phocap.accounts.models import Role
from phocap.accounts.scoping import can_write_unit, is_officer_of, scope_queryset, user_units
from phocap.common.actions import attempt, post_and_return, submit
from phocap.common.pagination import paginate
from phocap.common.pdf import pdf_response, render_pdf
from phocap.exports.services import export_or_job, wants_export
from phocap.programmes.selectors import pick_programme, visible_programmes

from . import intake_jobs, selectors, services
from .forms import (
    DispatchForm,
    HandoutForm,
    IntakeForm,
    ReasonForm,
    ReceiveForm,
    ResolveForm,
    ScanForm,
)
from .gift_trace import gifts_trace
from .models import Batch, BatchLine, Device, Handout, IntakeJob

WRITERS = (Role.PROVINCE_STAFF, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICIAL)
SENDERS = (Role.PROVINCE_STAFF, Role.DISTRICT_OFFICER)


# --- overview and devices ----------------------------------------------------------------

@login_and_membership_required
def index(request):
    programmes = visible_programmes(request.user)
    programme = pick_programme(request.user, pk=request.GET.get("programme"), fallback=False)  # None: all
    rows = selectors.stock_by_unit(user=request.user, programme=programme)
    return render(request, "distribution/index.html",
                  {"rows": rows, "programmes": programmes, "programme": programme})


@login_and_membership_required
def device_list(request):
    if wants_export(request):
        return export_or_job(request, "devices")
    q = "".join(request.GET.get("q", "").split())
    status = request.GET.get("status", "")
    page_obj = paginate(request, selectors.devices_filtered(user=request.user, q=q, status=status))
    return render(request, "distribution/device_list.html",
                  {"page_obj": page_obj, "q": q, "status": status, "statuses": Device.Status.choices})


@unit_role_required(*WRITERS)
def device_intake(request):
    form = IntakeForm(request.POST or None, request.FILES or None, user=request.user)

    def save(**d):
        if d.get("file"):
            # The web process never parses an upload: it is stored and a worker reads it.
            job = intake_jobs.intake_job_create(
                programme=d["programme"], data=d["file"].read(), filename=d["file"].name, by=request.user,
                donation=d["donation"], procurement=d["procurement"], model=d["model"], condition=d["condition"])
            return redirect(job)
        source = d["donation"] or d["procurement"]
        devices = services.devices_register(
            programme=d["programme"], unit=source.unit, imeis=d["imei_list"], by=request.user,
            donation=d["donation"], procurement=d["procurement"], model=d["model"], condition=d["condition"])
        messages.success(request, ngettext("Đã nhập kho %(n)s máy tại %(unit)s.", "Đã nhập kho %(n)s máy tại %(unit)s.", len(devices)) % {"n": len(devices), "unit": source.unit})
        return redirect("distribution:device_list")

    if response := submit(request, form, save, resent_to=reverse("distribution:device_list")):
        return response
    return render(request, "distribution/device_intake.html",
                  {"form": form, "jobs": _intake_jobs(request.user).select_related("unit")[:10]})


def _intake_jobs(user):
    return IntakeJob.objects.writable_by(user, roles=WRITERS)


@unit_role_required(*WRITERS)
def intake_job(request, pk):
    """What the worker found in an uploaded IMEI sheet; the official confirms here."""
    job = get_object_or_404(_intake_jobs(request.user).select_related(
        "unit", "programme", "source_donation__donor", "source_procurement", "created_by"), pk=pk)
    source = job.source
    capacity, already = selectors.source_room(source)
    return render(request, "distribution/intake_job.html", {
        "job": job, "source": source, "already": already, "capacity": capacity,
        "room": max(capacity - already, 0), "over": job.status == IntakeJob.Status.VALIDATED
        and already + len(job.imeis) > capacity, "count": len(job.imeis),
        "more_errors": max(job.error_total - len(job.errors), 0)})


@unit_role_required(*WRITERS)
def intake_job_status(request, pk):
    """Small JSON the job page polls while the worker reads the sheet."""
    job = get_object_or_404(_intake_jobs(request.user), pk=pk)
    return JsonResponse({"status": job.status, "status_label": job.get_status_display(), "running": job.is_running})


@require_POST
@unit_role_required(*WRITERS)
def intake_job_confirm(request, pk):
    job = get_object_or_404(_intake_jobs(request.user), pk=pk)
    if devices := attempt(request, intake_jobs.intake_job_confirm, job=job, by=request.user):
        n = len(devices.value)
        messages.success(request, ngettext("Đã nhập kho %(n)s máy tại %(unit)s.", "Đã nhập kho %(n)s máy tại %(unit)s.",
                                           n) % {"n": n, "unit": job.unit})
    return redirect(job)


@unit_role_required(*WRITERS)
def intake_job_errors(request, pk):
    """Every problem of the sheet, as the worker stored it (code + params), worded as CSV in
    the reader's language; the web process never reads the upload. A sheet that could not
    be read has no such list: back to its page, with why."""
    import csv
    import io

    from phocap.common import messages as stored_messages
    from phocap.common.excel import safe_cell

    job = get_object_or_404(_intake_jobs(request.user), pk=pk)
    if not job.error_total:
        if job.status == IntakeJob.Status.FAILED:
            messages.error(request, _("File này không đọc được nên không có danh sách lỗi: %(m)s")
                           % {"m": job.message_text})
        elif job.is_running:
            messages.info(request, _("File đang được kiểm tra; hãy thử lại sau ít phút."))
        else:
            messages.info(request, _("File không có lỗi nào."))
        return redirect(job)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_("Dòng"), _("Lỗi")])
    for problem in intake_jobs.error_rows(job):
        writer.writerow([problem["row"], safe_cell(stored_messages.error_text(problem))])
    stem = job.original_name.rsplit(".", 1)[0][:60]
    response = HttpResponse(("\ufeff" + buf.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}-loi.csv"'
    return response


@login_and_membership_required
def device_detail(request, imei):
    device = get_object_or_404(
        Device.objects.for_user(request.user).select_related(
            "holder_unit", "batch__from_unit", "batch__to_unit", "source_donation__donor", "source_procurement"),
        imei=imei)
    handout = device.handouts.active().select_related("household").first()
    can_resolve = device.status == Device.Status.MISSING and can_write_unit(request.user, device.holder_unit)
    can_write_off = (device.status == Device.Status.IN_STOCK
                     and can_write_unit(request.user, device.holder_unit))
    return render(request, "distribution/device_detail.html", {
        "device": device, "movements": selectors.device_path(device), "handout": handout,
        "resolve_form": ResolveForm() if can_resolve else None,
        "write_off_form": ReasonForm() if can_write_off else None})


@require_POST
@unit_role_required(*WRITERS)
def device_resolve(request, imei):
    device = get_object_or_404(Device.objects.for_user(request.user), imei=imei)
    return post_and_return(request, device, ResolveForm(request.POST),
                            partial(services.missing_resolve, device=device, by=request.user),
                            done=_("Đã cập nhật máy IMEI %(imei)s.") % {"imei": imei},
                            invalid=_("Chọn cách xử lý."))


@require_POST
@unit_role_required(*WRITERS)
def device_write_off(request, imei):
    device = get_object_or_404(Device.objects.for_user(request.user), imei=imei)
    return post_and_return(request, device, ReasonForm(request.POST),
                            partial(services.device_write_off, device=device, by=request.user),
                            done=_("Đã xóa sổ máy IMEI %(imei)s.") % {"imei": imei},
                            invalid=_("Cần ghi lý do xóa sổ."))


@login_and_membership_required
def donor_trace(request, pk):
    from donations.models import Donor

    donor = get_object_or_404(scope_queryset(Donor.objects.all(), request.user, "unit"), pk=pk)
    return render(request, "distribution/donor_trace.html",
                  {"donor": donor, "trace": gifts_trace(donor.donations.all())})


# --- batches -----------------------------------------------------------------------------

@login_and_membership_required
def batch_list(request):
    if wants_export(request):
        return export_or_job(request, "batches")
    direction = selectors.batch_direction(user=request.user, chosen=request.GET.get("huong"))
    page_obj = paginate(request, selectors.batches_for(user=request.user, direction=direction))
    return render(request, "distribution/batch_list.html", {"page_obj": page_obj, "direction": direction})


@unit_role_required(*SENDERS)
def batch_create(request):
    form = DispatchForm(request.POST or None, user=request.user)

    def save(**d):
        to_unit = d["to_unit"]
        batch = services.batch_dispatch(
            programme=d["programme"], from_unit=to_unit.parent, to_unit=to_unit, by=request.user,
            imeis=d.get("imei_list"), count=d["count"], number=d["number"], note=d["note"])
        n = batch.lines.count()
        messages.success(request, ngettext("Đã giao đợt %(no)s (%(n)s máy) cho %(unit)s.",
                                           "Đã giao đợt %(no)s (%(n)s máy) cho %(unit)s.", n)
                         % {"no": batch.number, "n": n, "unit": to_unit})
        return redirect(batch)

    if response := submit(request, form, save, resent_to=reverse("distribution:batch_list")):
        return response
    return render(request, "distribution/batch_create.html", {"form": form})


def _batch_or_404(request, pk):
    return get_object_or_404(
        Batch.objects.for_user(request.user).select_related(
            "programme", "from_unit", "to_unit", "dispatched_by", "received_by", "cancelled_by"), pk=pk)


@login_and_membership_required
def batch_detail(request, pk):
    batch = _batch_or_404(request, pk)
    page_obj = paginate(request, batch.lines.select_related("device").order_by("pk"), per_page=100)
    can_receive = batch.status == Batch.Status.DISPATCHED and is_officer_of(request.user, batch.to_unit)
    can_cancel = batch.status == Batch.Status.DISPATCHED and is_officer_of(request.user, batch.from_unit)
    return render(request, "distribution/batch_detail.html", {
        "batch": batch, "page_obj": page_obj, "total": page_obj.paginator.count,
        "history": selectors.batch_history(batch),
        "can_receive": can_receive, "can_cancel": can_cancel,
        "cancel_form": ReasonForm() if can_cancel else None,
        "can_upload": can_write_unit(request.user, batch.to_unit) and batch.status != Batch.Status.CANCELLED,
        "scan_form": ScanForm()})


@unit_role_required(*WRITERS)
def batch_receive(request, pk):
    batch = _batch_or_404(request, pk)
    if not is_officer_of(request.user, batch.to_unit):
        raise PermissionDenied
    form = ReceiveForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        if attempt(request, services.batch_receive, batch=batch, by=request.user,
                   missing=form.cleaned_data["missing_map"], damaged=form.cleaned_data["damaged_map"]):
            messages.success(request, _("Đã xác nhận nhận đợt %(no)s.") % {"no": batch.number})
        return redirect(batch)
    return render(request, "distribution/batch_receive.html", {"batch": batch, "form": form})


@require_POST
@unit_role_required(*SENDERS)
def batch_cancel(request, pk):
    batch = _batch_or_404(request, pk)
    if not is_officer_of(request.user, batch.from_unit):
        raise PermissionDenied
    return post_and_return(request, batch, ReasonForm(request.POST),
                            partial(services.batch_cancel, batch=batch, by=request.user),
                            done=_("Đã hủy đợt %(no)s; máy đã về lại kho.") % {"no": batch.number},
                            invalid=_("Cần ghi lý do hủy đợt."))


@login_and_membership_required
def batch_minutes(request, pk):
    batch = _batch_or_404(request, pk)
    if batch.status == Batch.Status.CANCELLED:
        raise Http404
    lines = list(batch.lines.select_related("device").order_by("device__imei"))
    data = render_pdf("distribution/pdf/batch_minutes.html", {
        "batch": batch, "lines": lines, **minutes_lines(lines), "plans": list(batch.programme.plans.all()),
        "received": sum(1 for line in lines if line.outcome in (BatchLine.Outcome.RECEIVED,
                                                                 BatchLine.Outcome.DAMAGED))})
    return pdf_response(data, f"bien-ban-ban-giao-{batch.pk}.pdf")


# Rows of the device table that stay on the page of the closing lines and signatures.
ROWS_KEPT_WITH_SIGNATURES = 3


def minutes_lines(lines: list) -> dict:
    """Split a minutes table so its last rows travel with the signature block (a page break
    may fall inside the first part, never between the last rows and the signatures)."""
    cut = max(0, len(lines) - ROWS_KEPT_WITH_SIGNATURES)
    return {"lines_head": lines[:cut], "lines_tail": lines[cut:], "tail_offset": cut}


def _scan_view(request, obj, attach):
    """GET serves the signed scan of `obj`; POST stores a new one through `attach(upload=...)`."""
    if request.method != "POST":
        scan = obj.signed_scan
        if not scan:
            raise Http404
        return FileResponse(scan.open("rb"), as_attachment=False, filename=scan.name.rsplit("/", 1)[-1])
    return post_and_return(request, obj, ScanForm(request.POST, request.FILES), lambda file: attach(upload=file),
                            done=_("Đã lưu bản chụp biên bản."), invalid=_("Chọn tệp bản chụp."))


@login_and_membership_required
def batch_scan(request, pk):
    batch = _batch_or_404(request, pk)
    return _scan_view(request, batch, partial(services.batch_attach_scan, batch=batch, by=request.user))


# --- hand-outs ---------------------------------------------------------------------------

@login_and_membership_required
def handout_list(request):
    if wants_export(request):
        return export_or_job(request, "handouts")
    page_obj = paginate(request, selectors.handouts_for(user=request.user))
    return render(request, "distribution/handout_list.html", {"page_obj": page_obj})


def _commune_for(request):
    """The commune a commune official works in (?xa=<id> when they have several)."""
    communes = user_units(request.user, roles=[Role.COMMUNE_OFFICIAL])
    if not communes:
        raise PermissionDenied
    wanted = request.GET.get("xa", "")
    for c in communes:
        if str(c.pk) == wanted:
            return c, communes
    return communes[0], communes


@unit_role_required(Role.COMMUNE_OFFICIAL)
def handout_pick(request):
    from beneficiaries.selectors import PriorityList

    commune, communes = _commune_for(request)
    programme = pick_programme(request.user, commune=commune, running=True, fallback=False)
    page_obj = None
    stock = 0
    if programme is not None:
        page_obj = paginate(request, PriorityList(commune=commune, programme=programme))
        stock = selectors.stock_at(commune, programme=programme, usable_only=True)
    return render(request, "distribution/handout_pick.html", {
        "commune": commune, "communes": communes, "programme": programme, "page_obj": page_obj,
        "stock": stock})


@unit_role_required(Role.COMMUNE_OFFICIAL)
def handout_create(request, household_pk):
    from beneficiaries.models import Household

    household = get_object_or_404(
        scope_queryset(Household.objects.all(), request.user, "commune", roles=[Role.COMMUNE_OFFICIAL])
        .select_related("commune", "village"), pk=household_pk)
    programme = pick_programme(request.user, commune=household.commune, running=True, fallback=False)
    if programme is None:
        messages.error(request, _("Xã chưa thuộc chương trình phổ cập nào đang triển khai."))
        return redirect("distribution:handout_pick")
    form = HandoutForm(request.POST or None, household=household)

    def save(**d):
        handout = services.handout_create(
            programme=programme, household=household, by=request.user, imei=d["imei"],
            recipient_name=d["recipient_name"], recipient_citizen_id=d["recipient_citizen_id"],
            handed_out_on=d["handed_out_on"], person=d["person"], exception_reason=d["exception_reason"],
            consent=d["consent"])
        messages.success(request, _("Đã cấp máy IMEI %(imei)s cho %(name)s.")
                         % {"imei": d["imei"], "name": handout.recipient_name})
        return redirect(handout)

    if response := submit(request, form, save, resent_to=reverse("distribution:handout_list")):
        return response
    existing = household.handouts.active().select_related("device")
    verdict = eligibility.assess(programme, household,
                                 received=sum(1 for h in existing if h.programme_id == programme.pk))
    return render(request, "distribution/handout_form.html", {
        "form": form, "household": household, "existing": existing, "verdict": verdict,
        "stock": selectors.stock_devices(household.commune, programme=programme)})


# The offline session records hand-outs (commune officials) and follow-up visits (them, and the
# community digital technology team of a commune or a village).
SESSION_ROLES = (Role.COMMUNE_OFFICIAL, Role.DIGITAL_TEAM)


@unit_role_required(*SESSION_ROLES)
def handout_session(request):
    """The offline session: an app shell the service worker keeps; the village's priority list,
    the commune's stock, the recipients to visit and the queue of hand-outs and visits live in
    IndexedDB (static/js/handout_session.js) and go through the write API."""
    from phocap.areas.models import AdminUnit

    units = user_units(request.user, roles=SESSION_ROLES)
    communes = list({(u.parent if u.level == AdminUnit.Level.VILLAGE else u).pk:
                     (u.parent if u.level == AdminUnit.Level.VILLAGE else u) for u in units}.values())
    if not communes:
        raise PermissionDenied
    commune = next((c for c in communes if str(c.pk) == request.GET.get("xa", "")), communes[0])
    can_hand_out = is_officer_of(request.user, commune, roles=[Role.COMMUNE_OFFICIAL])
    villages = AdminUnit.objects.filter(parent=commune, level=AdminUnit.Level.VILLAGE).order_by("name")
    if not can_hand_out and not any(u.pk == commune.pk for u in units):
        villages = villages.filter(pk__in=[u.pk for u in units])  # a village team: its villages only
    programme = (pick_programme(request.user, commune=commune, running=True, fallback=False)
                 if can_hand_out else None)
    return render(request, "distribution/handout_session.html", {
        "commune": commune, "communes": communes, "programme": programme, "villages": villages,
        "can_hand_out": can_hand_out})


def _handout_or_404(request, pk):
    return get_object_or_404(
        Handout.objects.for_user(request.user).select_related(
            "programme", "household", "household__village", "device", "commune", "commune__parent",
            "created_by", "reversed_by"), pk=pk)


@login_and_membership_required
def handout_detail(request, pk):
    handout = _handout_or_404(request, pk)
    can_reverse = (handout.status == Handout.Status.ACTIVE
                   and is_officer_of(request.user, handout.commune, roles=[Role.COMMUNE_OFFICIAL]))
    masker = IdMasker(request.user)
    shown_id = masker.show(handout.recipient_citizen_id, handout.commune, f"handout:{handout.pk}")
    masker.log(request.path)  # a full number shown goes to the access log
    return render(request, "distribution/handout_detail.html", {
        "handout": handout, "shown_citizen_id": shown_id,
        "reverse_form": ReasonForm() if can_reverse else None,
        "can_upload": can_write_unit(request.user, handout.commune), "scan_form": ScanForm()})


@require_POST
@unit_role_required(Role.COMMUNE_OFFICIAL)
def handout_reverse(request, pk):
    handout = _handout_or_404(request, pk)
    if not is_officer_of(request.user, handout.commune, roles=[Role.COMMUNE_OFFICIAL]):
        raise PermissionDenied
    return post_and_return(request, handout, ReasonForm(request.POST),
                            partial(services.handout_reverse, handout=handout, by=request.user),
                            done=_("Đã thu hồi; máy đã về kho của xã."), invalid=_("Cần ghi lý do thu hồi."))


@login_and_membership_required
def handout_minutes(request, pk):
    handout = _handout_or_404(request, pk)
    categories = [label for _code, label, _year in handout.household.category_list]
    # The registry's masking rule: the full number only for those who work with it.
    masker = IdMasker(request.user)
    shown_id = masker.show(handout.recipient_citizen_id, handout.commune, f"handout:{handout.pk}")
    masker.log(request.path)
    data = render_pdf("distribution/pdf/handout_minutes.html", {
        "handout": handout, "shown_citizen_id": shown_id, "categories": categories,
        "plans": list(handout.programme.plans.all())})
    return pdf_response(data, f"bien-ban-cap-phat-{handout.pk}.pdf")


@login_and_membership_required
def handout_scan(request, pk):
    handout = _handout_or_404(request, pk)
    return _scan_view(request, handout, partial(services.handout_attach_scan, handout=handout, by=request.user))
