"""GET /api/v1/coverage/<scheme>/<unit_code>/?programme=<id>: a unit's figures and its
children's, with the keys of the summary rows. Scoped like the pages: a unit or
programme outside the caller's area is a 404."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from phocap.areas.models import AdminUnit
from phocap.programmes.models import Programme

from . import reform, selectors
from .models import FIGURES


def _entry(unit_fields: dict, values: dict) -> dict:
    entry = dict(unit_fields)
    entry.update({f: values[f] for f in FIGURES})
    entry["coverage"] = round(values["coverage"], 4) if values["coverage"] is not None else None
    stamp = values.get("computed_at")
    entry["computed_at"] = stamp.isoformat() if stamp else None
    return entry


@extend_schema(
    parameters=[OpenApiParameter("programme", OpenApiTypes.INT, required=True,
                                 description="id of the programme")],
    responses=OpenApiTypes.OBJECT,
    description="The unit's coverage figures (keys of the summary rows, coverage, computed_at) "
                "and a `children` list with the same keys. A legacy programme asked under a 2025 unit "
                "(scheme `2025`) is summed through the official mapping; the answer then carries "
                "`mapping` (split rule, split communes, old communes without successor) and its "
                "commune's children are the old communes (scheme `legacy`).",
)
@api_view(["GET"])
def coverage_unit(request, scheme: str, unit_code: str):
    raw = request.query_params.get("programme", "")
    if not raw.isdigit():
        raise ValidationError({"programme": _("Thiếu tham số programme (mã số chương trình).")})
    if scheme == AdminUnit.Scheme.NEW:  # also a legacy programme under the 2025 units
        programme = reform.visible_programme(request.user, int(raw))
    else:
        programme = Programme.objects.for_user(request.user).select_related("province").filter(pk=int(raw)).first()
    if programme is None:
        raise NotFound(_("Không tìm thấy chương trình."))
    cross = reform.is_cross_scheme(programme, scheme)
    if cross:
        unit = reform.new_unit(user=request.user, programme=programme, code=unit_code)
    else:
        unit = selectors.programme_unit(user=request.user, programme=programme, scheme=scheme, code=unit_code)
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị."))
    notes = None
    if cross:
        figures, children, notes = reform.unit_and_children(programme=programme, unit=unit)
    else:
        figures, children = selectors.unit_and_children(programme=programme, unit=unit)
    body = _entry({"programme": programme.pk, "scheme": unit.scheme, "code": unit.code, "name": unit.name,
                   "level": unit.level}, figures)
    body["oldest_computed_at"] = (figures["oldest_computed_at"].isoformat()
                                  if figures.get("oldest_computed_at") else None)
    body["children"] = [
        _entry({"scheme": child.get("scheme", unit.scheme), "code": child["code"], "name": child["name"], "level": child["level"]},
               child)
        for child in children
    ]
    if notes is not None:
        body["mapping"] = {
            "from_scheme": programme.scheme, "split_rule": notes["rule"],
            "splits": [{"legacy_code": n["old"].code, "counted_in": n["counted_in"].code,
                        "also": [a.code for a in n["also"]]} for n in notes["splits"]],
            "unmapped": [u.code for u in notes["unmapped"]],
        }
    return Response(body)
