import itertools

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phocap.accounts.decorators import login_and_membership_required, unit_role_required
from phocap.accounts.models import Role
from phocap.accounts.scoping import can_write_unit, user_units
from phocap.areas.models import AdminUnit
from phocap.common import messages as stored_messages
from phocap.common.actions import attempt, submit
from phocap.common.excel import XLSX_CONTENT_TYPE, xlsx_response
from phocap.common.pagination import paginate
from phocap.exports.services import export_or_job, wants_export
from phocap.programmes.selectors import pick_programme

from . import eligibility, selectors, services, workbooks
from .exports import filtered_registry, visible_communes
from .forms import ConfirmForm, HouseholdForm, UploadForm
from .models import Household, ImportJob

IMPORT_ROLES = (Role.COMMUNE_OFFICIAL,)


def _import_commune_ids(user) -> list[int]:
    """Communes the user may import into: their own as a commune official."""
    return [u.pk for u in user_units(user, IMPORT_ROLES) if u.level == AdminUnit.Level.COMMUNE]


def _import_communes(user):
    return AdminUnit.objects.filter(pk__in=_import_commune_ids(user)).order_by("name")


def _jobs(user):
    return ImportJob.objects.writable_by(user, roles=IMPORT_ROLES).select_related("commune", "created_by")


def _visible_communes(user):
    return visible_communes(user)


def _rows(page_or_qs, masker):
    for h in page_or_qs:
        h.shown_id = masker.show(h.head_citizen_id, h.commune, f"household:{h.pk}")
        yield h


# ---- registry ------------------------------------------------------------------------

@login_and_membership_required
def household_list(request):
    if wants_export(request):
        return export_or_job(request, "households")
    form, qs, programme = filtered_registry(request.user, request.GET)
    page = paginate(request, qs)
    masker = selectors.IdMasker(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    rows = list(_rows(page, masker))
    masker.log(request.path)
    return render(request, "beneficiaries/household_list.html", {
        "form": form, "page_obj": page, "rows": rows, "programme": programme,
        "query": query.urlencode(), "can_import": bool(_import_commune_ids(request.user))})


@login_and_membership_required
def household_detail(request, pk):
    household = get_object_or_404(Household.objects.for_user(request.user).select_related(
        "commune", "village", "import_job"), pk=pk)
    masker = selectors.IdMasker(request.user)
    people = list(household.people.filter(is_active=True).order_by("-is_head", "pk"))
    for p in people:
        p.shown_id = masker.show(p.citizen_id, household.commune, f"person:{p.pk}")
    history = household.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
    can_edit = can_write_unit(request.user, household.commune, IMPORT_ROLES)
    shown_id = masker.show(household.head_citizen_id, household.commune, f"household:{household.pk}")
    masker.log(request.path)
    return render(request, "beneficiaries/household_detail.html", {
        "household": household, "people": people, "history": history, "can_edit": can_edit,
        "phones": selectors.phones_received(household), "shown_id": shown_id})


@unit_role_required(*IMPORT_ROLES)
def household_edit(request, pk):
    household = get_object_or_404(Household.objects.writable_by(request.user, roles=IMPORT_ROLES)
                                  .select_related("commune"), pk=pk)
    form = HouseholdForm(request.POST or None, instance=household)

    def save(*, categories, category_year=None, **fields):
        saved = services.household_update(household=household, by=request.user,
                                          categories=[(c, category_year) for c in categories],
                                          **{name: fields[name] for name in form.Meta.fields})
        messages.success(request, _("Đã lưu thông tin hộ."))
        return redirect(saved)

    if response := submit(request, form, save):
        return response
    return render(request, "beneficiaries/household_form.html", {"form": form, "household": household})


# ---- priority list -------------------------------------------------------------------

def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _eligibility_text(verdict) -> str:
    if verdict is None:
        return ""
    if verdict.eligible:
        return _("Đúng đối tượng: %(why)s") % {"why": "; ".join(verdict.why)}
    return _("Không đúng đối tượng: %(why)s") % {"why": verdict.message}


def _with_verdicts(households: list, programme) -> None:
    """Attach `verdict` (who qualifies and why, by the programme's declared rules)."""
    if programme is None:
        return
    counts = selectors.handout_counts([h.pk for h in households], programme)
    for h in households:
        h.verdict = eligibility.assess(programme, h, received=counts.get(h.pk, 0))


def _priority_context(request):
    communes = _visible_communes(request.user)
    commune_id = request.GET.get("commune", "")
    commune = communes.filter(pk=commune_id).first() if commune_id.isdigit() else None
    if commune_id.isdigit() and commune is None:
        raise Http404
    if commune is None:
        mine = [u for u in user_units(request.user) if u.level == AdminUnit.Level.COMMUNE]
        commune = mine[0] if len(mine) == 1 else None
    village = None
    if commune and request.GET.get("village", "").isdigit():
        village = get_object_or_404(selectors.villages_of(commune), pk=request.GET["village"])
    programme = pick_programme(request.user, pk=request.GET.get("programme"), commune=commune)
    return communes, commune, village, programme


@login_and_membership_required
def priority_list(request):
    communes, commune, village, programme = _priority_context(request)
    # "Chưa được thăm": households holding a phone whose recipient the community digital
    # technology team has not visited yet (follow-up visits).
    not_visited = request.GET.get("chua-tham") == "1"
    page, rows, unvisited = None, [], 0
    if commune is not None:
        page = paginate(request, selectors.PriorityList(commune=commune, programme=programme, village=village,
                                                        not_visited=not_visited))
        masker = selectors.IdMasker(request.user)
        rows = list(_rows(page, masker))
        masker.log(request.path)
        _with_verdicts(rows, programme)
        unvisited = selectors.not_visited_count(commune=commune, programme=programme, village=village)
    query = request.GET.copy()
    query.pop("page", None)
    tabs = request.GET.copy()
    for key in ("page", "chua-tham"):
        tabs.pop(key, None)
    return render(request, "beneficiaries/priority_list.html", {
        "communes": communes, "commune": commune, "village": village, "programme": programme,
        "villages": selectors.villages_of(commune) if commune else [], "page_obj": page, "rows": rows,
        "start": (page.start_index() if page else 1), "query": query.urlencode(), "tabs": tabs.urlencode(),
        "not_visited": not_visited, "unvisited": unvisited})


@login_and_membership_required
def priority_export(request):
    _communes, commune, village, programme = _priority_context(request)
    if commune is None:
        raise Http404
    masker = selectors.IdMasker(request.user)
    qs = selectors.PriorityList(commune=commune, programme=programme, village=village,
                                not_visited=request.GET.get("chua-tham") == "1")
    headers = [_("TT"), _("Mã hộ"), _("Chủ hộ"), _("Số CCCD"), _("Thôn/bản"), _("Diện"),
               _("Người lớn"), _("Chưa có ĐTTM"), _("Đã nhận điện thoại"), _("Điện thoại"), _("Đối tượng")]

    def rows():
        for chunk in _chunks(qs.iterator(chunk_size=2000), 2000):
            _with_verdicts(chunk, programme)
            for h in chunk:
                i = next(counter)
                verdict = getattr(h, "verdict", None)
                yield [i, h.code, h.head_name, masker.show(h.head_citizen_id, commune, f"household:{h.pk}"),
                       h.village.name if h.village else "",
                       ", ".join(str(label) for _c, label, _y in h.category_list),
                       h.adults, h.adults_without_phone, _("Có") if h.received else "", h.phone,
                       _eligibility_text(verdict)]

    counter = itertools.count(1)

    response = xlsx_response(f"uu-tien-{commune.code}.xlsx", headers, rows(), title=_("Danh sách ưu tiên"))
    masker.log(request.path)  # the workbook is built: every full ID in it is logged
    return response


# ---- import ----------------------------------------------------------------------------

@unit_role_required(*IMPORT_ROLES)
def import_upload(request):
    communes = _import_communes(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, communes=communes)

    def save(*, commune, file):
        job = services.import_job_create(commune=commune, data=file.read(), filename=file.name, by=request.user)
        return redirect("beneficiaries:import_review", pk=job.pk)

    if response := submit(request, form, save, resent_to=reverse("beneficiaries:import_upload")):
        return response
    return render(request, "beneficiaries/import_upload.html", {
        "form": form, "communes": communes, "jobs": _jobs(request.user)[:20]})


@unit_role_required(*IMPORT_ROLES)
def import_review(request, pk):
    job = get_object_or_404(_jobs(request.user), pk=pk)
    previous = services.previous_merge_of_same_file(job)
    more = max(job.error_total - len(job.errors), 0)
    return render(request, "beneficiaries/import_review.html", {
        "job": job, "previous": previous, "form": ConfirmForm(), "errors": job.errors, "more_errors": more})


@unit_role_required(*IMPORT_ROLES)
def import_status(request, pk):
    """Small JSON the review page polls while the job runs."""
    job = get_object_or_404(_jobs(request.user), pk=pk)
    return JsonResponse({"status": job.status, "status_label": job.get_status_display(),
                         "done": job.done_rows, "total": job.total_rows, "percent": job.progress_percent,
                         "running": job.is_running})


@require_POST
@unit_role_required(*IMPORT_ROLES)
def import_confirm(request, pk):
    job = get_object_or_404(_jobs(request.user), pk=pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    attempt(request, services.import_job_confirm, job=job, by=request.user,
            skip_invalid=form.cleaned_data.get("skip_invalid", False))
    return redirect("beneficiaries:import_review", pk=job.pk)


@unit_role_required(*IMPORT_ROLES)
def import_annotated(request, pk):
    """The uploaded file back with an error column, as the worker wrote it after
    validation (the web process never parses an upload)."""
    job = get_object_or_404(_jobs(request.user), pk=pk)
    if not job.error_file:
        if job.status == ImportJob.Status.FAILED:
            messages.error(request, _("File này không đọc được nên không có bản ghi lỗi: %(m)s") % {
                "m": stored_messages.text(job.message)})
        elif job.error_total:
            messages.info(request, _("Bản ghi lỗi đang được chuẩn bị; hãy thử lại sau ít phút."))
        else:
            messages.info(request, _("File không có lỗi nào."))
        return redirect("beneficiaries:import_review", pk=job.pk)
    stem = job.original_name.rsplit(".", 1)[0][:60]
    # The copy in the reader's language; a job written before there was one per language has only its own.
    storage, name = job.error_file.storage, services.error_file_name(job.error_file.name, get_language())
    if not storage.exists(name):
        name = job.error_file.name
    suffix = pgettext("error file name", "loi")
    return FileResponse(storage.open(name, "rb"), as_attachment=True, filename=f"{stem}-{suffix}.xlsx",
                        content_type=XLSX_CONTENT_TYPE)


@unit_role_required(*IMPORT_ROLES)
def import_template(request, commune_id):
    commune = get_object_or_404(_import_communes(request.user), pk=commune_id)
    villages = list(selectors.villages_of(commune).values_list("name", flat=True))
    response = HttpResponse(workbooks.template_bytes(commune=commune, villages=villages),
                            content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mau-ho-gia-dinh-{commune.code}.xlsx"'
    return response

