"""Programme pages: the province's staff create and edit a programme, its status and end
date, its plans and its target communes (typed or from Excel). Anyone working in the
province reads them. Every write goes through services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phocap.accounts.decorators import login_and_membership_required
from phocap.accounts.models import Role
from phocap.accounts.scoping import can_access_unit, can_write_unit
from phocap.common.errors import DomainError
from phocap.common.excel import XLSX_CONTENT_TYPE

from . import services
from .forms import (
    ExtendForm,
    PlanFormSet,
    ProgrammeForm,
    StatusForm,
    TargetForm,
    TargetImportForm,
    staff_provinces,
)
from .models import Programme, ProgrammeCommune, TargetImportJob

ERRORS_SHOWN = 200


def _programme(request, pk) -> Programme:
    return get_object_or_404(Programme.objects.for_user(request.user).select_related("province"), pk=pk)


def _is_staff(user, programme: Programme) -> bool:
    return can_write_unit(user, programme.province, roles=[Role.PROVINCE_STAFF])


def _staff_programme(request, pk) -> Programme:
    programme = _programme(request, pk)
    if not _is_staff(request.user, programme):
        raise PermissionDenied
    return programme


@login_and_membership_required
def programme_list(request):
    programmes = Programme.objects.for_user(request.user).select_related("province").order_by("-start_date", "pk")
    return render(request, "programmes/list.html", {
        "programmes": programmes, "can_create": staff_provinces(request.user).exists()})


def _save_plans(formset, programme: Programme) -> None:
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            if form.instance.pk:
                services.programme_remove_plan(plan=form.instance)
            continue
        data = form.cleaned_data
        if data.get("number"):
            if form.instance.pk and form.instance.number != data["number"]:
                services.programme_remove_plan(plan=form.instance)
            services.programme_add_plan(programme=programme, number=data["number"],
                                        issued_on=data.get("issued_on"), title=data.get("title") or "")


@login_and_membership_required
def programme_create(request):
    if not staff_provinces(request.user).exists():
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, user=request.user)
    formset = PlanFormSet(request.POST or None, prefix="plans")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                programme = services.programme_create(
                    name=data["name"], province=data["province"], scheme=data["scheme"],
                    start_date=data["start_date"], end_date=data["end_date"],
                    default_phone_price_vnd=data["default_phone_price_vnd"],
                    one_phone_per_adult=data["one_phone_per_adult"],
                    eligible_categories=data["eligible_categories"], min_age=data["min_age"],
                    description=data["description"], status=Programme.Status.DRAFT, by=request.user)
                _save_plans(formset, programme)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Đã tạo chương trình. Hãy thêm xã mục tiêu rồi chuyển sang triển khai."))
            return redirect("programmes:targets", pk=programme.pk)
    return render(request, "programmes/form.html", {"form": form, "formset": formset})


@login_and_membership_required
def programme_edit(request, pk):
    programme = _staff_programme(request, pk)
    initial = {f: getattr(programme, f) for f in services.EDITABLE_FIELDS}
    initial["one_phone_per_adult"] = "1" if programme.one_phone_per_adult else "0"
    form = ProgrammeForm(request.POST or None, user=request.user, programme=programme, initial=initial)
    formset = PlanFormSet(request.POST or None, instance=programme, prefix="plans")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        changes = {f: data[f] for f in services.EDITABLE_FIELDS if f in data}
        try:
            with transaction.atomic():
                services.programme_update(programme=programme, by=request.user, reason=data.get("reason", ""),
                                          **changes)
                _save_plans(formset, programme)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Đã lưu chương trình."))
            return redirect(programme)
    return render(request, "programmes/form.html", {"form": form, "formset": formset, "programme": programme})


@login_required
def programme_detail(request, pk):
    programme = _programme(request, pk)
    targets = programme.targets.select_related("commune", "commune__parent")
    return render(request, "programmes/detail.html", {
        "programme": programme, "targets": targets, "is_staff": _is_staff(request.user, programme),
        "status_form": StatusForm(), "extend_form": ExtendForm(),
        "history": programme.history.select_related("history_user").order_by("-history_date", "-history_id")[:20],
        # The inspector's workbook covers the whole province.
        "can_inspect": can_access_unit(request.user, programme.province),
    })


@require_POST
@login_and_membership_required
def programme_status(request, pk):
    programme = _staff_programme(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.programme_set_status(programme=programme, status=form.cleaned_data["status"], by=request.user,
                                          reason=form.cleaned_data["reason"])
            messages.success(request, _("Đã cập nhật trạng thái chương trình."))
        except DomainError as e:
            messages.error(request, e.message)
    return redirect(programme)


@require_POST
@login_and_membership_required
def programme_extend(request, pk):
    programme = _staff_programme(request, pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần ghi lý do gia hạn."))
        return redirect(programme)
    try:
        services.programme_extend(programme=programme, end_date=form.cleaned_data["end_date"],
                                  reason=form.cleaned_data["reason"], by=request.user)
        messages.success(request, _("Đã gia hạn chương trình."))
    except DomainError as e:
        messages.error(request, e.message)
    return redirect(programme)


@login_and_membership_required
def programme_targets(request, pk):
    programme = _programme(request, pk)
    is_staff = _is_staff(request.user, programme)
    form = TargetForm(request.POST or None, programme=programme)
    if request.method == "POST":
        if not is_staff:
            raise PermissionDenied
        if "remove" in request.POST:
            target = get_object_or_404(ProgrammeCommune, programme=programme, pk=request.POST.get("remove"))
            services.programme_remove_target(programme=programme, commune=target.commune, by=request.user)
            messages.success(request, _("Đã bỏ %(c)s khỏi danh sách xã mục tiêu.") % {"c": target.commune.name})
            return redirect("programmes:targets", pk=programme.pk)
        if form.is_valid():
            try:
                services.programme_set_target(programme=programme, commune=form.cleaned_data["commune"],
                                              baseline_adults=form.cleaned_data["baseline_adults"],
                                              target_adults=form.cleaned_data["target_adults"], by=request.user)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("Đã lưu xã mục tiêu."))
                return redirect("programmes:targets", pk=programme.pk)
    targets = programme.targets.select_related("commune", "commune__parent")
    return render(request, "programmes/targets.html", {
        "programme": programme, "targets": targets, "form": form, "is_staff": is_staff,
        "import_form": TargetImportForm()})


@login_and_membership_required
def target_template(request, pk):
    from .imports import template_bytes

    programme = _programme(request, pk)
    response = HttpResponse(template_bytes(province=programme.province), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="xa-muc-tieu-{programme.pk}.xlsx"'
    return response


@require_POST
@login_and_membership_required
def target_import_upload(request, pk):
    programme = _staff_programme(request, pk)
    form = TargetImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn file Excel."))
        return redirect("programmes:targets", pk=programme.pk)
    try:
        job = services.target_import_create(programme=programme, by=request.user, upload=form.cleaned_data["file"])
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("programmes:targets", pk=programme.pk)
    return redirect("programmes:target_import", pk=programme.pk, job_id=job.pk)


def _job(request, pk, job_id) -> TargetImportJob:
    programme = _programme(request, pk)
    return get_object_or_404(TargetImportJob.objects.select_related("programme__province"), pk=job_id,
                             programme=programme)


@login_and_membership_required
def target_import_detail(request, pk, job_id):
    job = _job(request, pk, job_id)
    if request.method == "POST":
        if not _is_staff(request.user, job.programme):
            raise PermissionDenied
        try:
            n = services.target_import_apply(job=job, by=request.user)
            messages.success(request, _("Đã cập nhật %(n)s xã mục tiêu.") % {"n": n})
            return redirect("programmes:targets", pk=job.programme_id)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("programmes:target_import", pk=job.programme_id, job_id=job.pk)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": job.status, "status_label": job.get_status_display(),
                             "running": job.is_running})
    return render(request, "programmes/target_import.html", {
        "job": job, "programme": job.programme, "errors": job.errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(job.errors) - ERRORS_SHOWN), "is_staff": _is_staff(request.user, job.programme)})
