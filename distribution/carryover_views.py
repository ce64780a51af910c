"""Pages of the carry-over of a legacy programme onto the 2025 units (distribution.carryover):
the plan form with the village-by-village choice, the dry-run report, the run with its
progress, the undo. The province's staff only (of the old province, or the new one for the
report and the undo)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from phocap.accounts.decorators import login_and_membership_required
from phocap.accounts.models import Role
from phocap.accounts.scoping import can_write_unit
from phocap.areas.conversion import province_conversion
from phocap.areas.models import AdminUnit
from phocap.common.errors import DomainError
from phocap.programmes.models import Programme

from . import carryover
from .models import CarryOver


def _staff_of(user, *units) -> bool:
    return any(can_write_unit(user, u, roles=[Role.PROVINCE_STAFF]) for u in units if u is not None)


@login_and_membership_required
def carryover_plan(request, programme_id: int):
    programme = get_object_or_404(Programme.objects.for_user(request.user).select_related("province"),
                                  pk=programme_id)
    if not _staff_of(request.user, programme.province):
        raise PermissionDenied
    provinces = province_conversion(programme.province).new_provinces if programme.scheme == "legacy" else []
    chosen = request.POST.get("to_province") or request.GET.get("to_province") or (
        str(provinces[0].pk) if provinces else "")
    to_province = next((p for p in provinces if str(p.pk) == chosen), None)
    if request.method == "POST" and to_province is not None:
        choices = {k[len("v_"):]: v for k, v in request.POST.items() if k.startswith("v_") and v}
        try:
            plan = carryover.carryover_plan(programme=programme, to_province=to_province, by=request.user,
                                            choices=choices)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            return redirect("distribution:carryover_detail", pk=plan.pk)
    preview = (carryover.build_report(programme=programme, to_province=to_province, choices={})
               if to_province is not None else None)
    return render(request, "distribution/carryover_plan.html", {
        "programme": programme, "provinces": provinces, "to_province": to_province, "preview": preview,
        "history": CarryOver.objects.filter(programme=programme).select_related("to_province")[:10]})


def _carry(request, pk) -> CarryOver:
    carry = get_object_or_404(CarryOver.objects.select_related("programme", "from_province", "to_province"), pk=pk)
    if not _staff_of(request.user, carry.from_province, carry.to_province):
        raise PermissionDenied
    return carry


@login_and_membership_required
def carryover_detail(request, pk: int):
    carry = _carry(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "run":
                carryover.carryover_start(carry=carry, by=request.user)
                messages.success(request, _("Đã bắt đầu chuyển chương trình."))
            elif action == "undo":
                carryover.carryover_undo(carry=carry, by=request.user)
                messages.success(request, _("Đã hoàn tác việc chuyển chương trình."))
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("distribution:carryover_detail", pk=carry.pk)
    progress = carryover.progress(carry.pk)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": carry.status, "status_label": carry.get_status_display(), **progress})
    percent = int(100 * progress["done"] / progress["total"]) if progress.get("total") else 0
    return render(request, "distribution/carryover_detail.html", {
        "carry": carry, "report": carry.report, "progress": progress,
        "percent": 100 if carry.status == CarryOver.Status.DONE else percent,
        "undo_blocker": carryover.undo_blocker(carry) if carry.status == CarryOver.Status.DONE else None,
        "new_scheme": AdminUnit.Scheme.NEW})
