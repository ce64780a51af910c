"""Dashboards (province → district → commune → village), the print page, .xlsx report
jobs and the public page. Every view reads through a selector; the unit and programme
come from scoped lookups (another area's unit or programme is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from donations.selectors import programme_totals
from phocap.accounts.decorators import login_and_membership_required
from phocap.accounts.scoping import can_access_unit, user_units
from phocap.areas.models import AdminUnit
from phocap.common.actions import attempt
from phocap.common.pagination import paginate
from phocap.common.text import fold
from phocap.programmes.models import Programme
from phocap.programmes.selectors import pick_programme, visible_programmes

from . import reform, selectors, services
from .models import ReportJob

CHILDREN_PER_PAGE = 50


def dashboard_url(programme: Programme, unit: AdminUnit) -> str:
    return reverse("coverage:dashboard", args=[programme.pk, unit.scheme, unit.code])


def _programme_and_unit(request, programme_id: int, scheme: str, code: str) -> tuple[Programme, AdminUnit]:
    if scheme == AdminUnit.Scheme.NEW:  # also a legacy programme seen under the 2025 units
        programme = reform.visible_programme(request.user, programme_id)
        if programme is None:
            raise Http404
    else:
        programme = pick_programme(request.user, pk=programme_id)
        if programme is None:
            raise Http404
    if reform.is_cross_scheme(programme, scheme):
        unit = reform.new_unit(user=request.user, programme=programme, code=code)
    else:
        unit = selectors.programme_unit(user=request.user, programme=programme, scheme=scheme, code=code)
    if unit is None:
        raise Http404
    return programme, unit


def _home_unit(user, programme: Programme) -> AdminUnit | None:
    """The widest unit of the programme's province the user covers."""
    if user.is_superuser:
        return programme.province
    units = [u for u in user_units(user) if u.is_within(programme.province)]
    return min(units, key=lambda u: u.depth, default=None)


@login_and_membership_required
def index(request):
    """Programme picker; with one programme (or ?programme=) go straight to the user's dashboard."""
    programmes = list(visible_programmes(request.user))
    chosen = request.GET.get("programme")
    if chosen:
        programmes = [p for p in programmes if str(p.pk) == chosen]
        if not programmes:
            raise Http404
    if len(programmes) == 1:
        unit = _home_unit(request.user, programmes[0])
        if unit is None:
            raise PermissionDenied
        return redirect(dashboard_url(programmes[0], unit))
    entries = [(p, _home_unit(request.user, p)) for p in programmes]
    return render(request, "coverage/index.html", {"entries": [(p, u) for p, u in entries if u]})


# Columns the child table sorts by (?sap_xep=<column>, "-<column>" for highest first).
SORTABLE = ("name", "target_adults", "phones_handed_out", "coverage", "households_reached", "households",
            "adults_without_phone")


def _sorted_children(children: list[dict], order: str) -> tuple[list[dict], str]:
    """The child rows in the order the user clicked (default: as the units are listed)."""
    key = order.lstrip("-")
    if key not in SORTABLE:
        return children, ""
    if key == "name":
        return sorted(children, key=lambda c: fold(c["name"]), reverse=order.startswith("-")), order
    # A unit without a figure (no target: coverage None) sorts below every figure.
    rows = sorted(children, key=lambda c: (c.get(key) is not None, c.get(key) or 0), reverse=order.startswith("-"))
    return rows, order


def _cross_scheme_data(request, programme: Programme, unit: AdminUnit) -> dict:
    """A legacy programme under a 2025 unit: figures summed by the official mapping."""
    conv = reform.conversion(programme)
    figures, children, notes = reform.unit_and_children(programme=programme, unit=unit, conv=conv)
    ancestors = list(AdminUnit.objects.ancestors(unit))
    return {"figures": figures, "children": children, "chart_communes": reform.chart(children),
            "chart_months": reform.months(programme=programme, unit=unit, conv=conv), "places": None,
            "fund": programme_totals(programme) if unit.level == AdminUnit.Level.PROVINCE else None,
            "ancestors": ancestors, "reform": notes,
            "crumb_access": {a.pk: reform.may_see(request.user, programme, a, conv) for a in ancestors}}


def _dashboard_context(request, programme: Programme, unit: AdminUnit, *, paginated: bool = True) -> dict:
    if reform.is_cross_scheme(programme, unit.scheme):
        data = _cross_scheme_data(request, programme, unit)
    else:
        data = selectors.dashboard(programme=programme, unit=unit)
        if programme.scheme == AdminUnit.Scheme.LEGACY and unit.level == AdminUnit.Level.PROVINCE:
            data["new_provinces"] = reform.new_provinces(programme)
    access = data.pop("crumb_access", None)
    data["children"], order = _sorted_children(data["children"], request.GET.get("sap_xep", ""))
    # The child list is already in memory (one grouped query): page it in Python.
    page = paginate(request, data["children"], CHILDREN_PER_PAGE) if paginated else None
    return {"programme": programme, "unit": unit, **data, "order": order,
            "villages": unit.level == AdminUnit.Level.COMMUNE and "reform" not in data,
            "rows": page if paginated else data["children"], "page_obj": page,
            "crumbs": [(a, access[a.pk] if access is not None else can_access_unit(request.user, a))
                       for a in data["ancestors"]],
            "chart_height": max(220, 22 * len(data["chart_communes"]) + 60),
            "chart_labels": {"coverage": _("Tỷ lệ phổ cập (%)"), "handouts": _("Máy trao trong tháng"),
                             "cumulative": _("Lũy kế")}}


@login_and_membership_required
def dashboard(request, programme_id: int, scheme: str, code: str):
    programme, unit = _programme_and_unit(request, programme_id, scheme, code)
    return render(request, "coverage/dashboard.html", _dashboard_context(request, programme, unit))


@login_and_membership_required
def print_view(request, programme_id: int, scheme: str, code: str):
    programme, unit = _programme_and_unit(request, programme_id, scheme, code)
    return render(request, "coverage/print.html", _dashboard_context(request, programme, unit, paginated=False))


@require_POST
@login_and_membership_required
def report_create(request, programme_id: int, scheme: str, code: str):
    programme, unit = _programme_and_unit(request, programme_id, scheme, code)
    if not (job := attempt(request, services.report_job_create, programme=programme, unit=unit, by=request.user)):
        return redirect(dashboard_url(programme, unit))
    return redirect("coverage:report_detail", pk=job.value.pk)


@login_and_membership_required
def report_detail(request, pk: int):
    job = get_object_or_404(ReportJob.objects.for_user(request.user).select_related("programme", "unit"), pk=pk)
    return render(request, "coverage/report_detail.html", {"job": job})


@login_and_membership_required
def report_download(request, pk: int):
    job = get_object_or_404(ReportJob.objects.for_user(request.user).select_related("unit"), pk=pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        messages.warning(request, _("Báo cáo chưa tạo xong, vui lòng chờ."))
        return redirect("coverage:report_detail", pk=job.pk)
    return FileResponse(job.file.open("rb"), as_attachment=True,
                        filename=job.file.name.rsplit("/", 1)[-1])


def public(request, programme_id: int):
    """No login: the programme's totals and hand-outs per commune; no personal data."""
    programme = get_object_or_404(Programme.objects.select_related("province"), pk=programme_id)
    figures = selectors.unit_figures(programme=programme, unit=programme.province)
    fund = programme_totals(programme)
    page = paginate(request, selectors.public_communes(programme=programme))
    return render(request, "coverage/public.html", {
        "programme": programme, "figures": figures, "fund": fund, "page_obj": page,
    })
