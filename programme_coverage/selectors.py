"""Reads of the coverage app: a unit's figures and its children's, for the dashboards,
the report, the public page and the API. Each function is a fixed number of queries
whatever the size of the registry.

Province, district and commune figures are sums of commune summary rows. Village
figures are direct grouped counts over the registry and hand-outs (there is no village
summary row); households reached is a distinct count per village, never a sum of finer
distinct counts.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from donations.selectors import programme_totals
from phocap.accounts.scoping import can_access_unit
from phocap.areas.models import AdminUnit
from phocap.programmes.models import Programme

from .models import FIGURES, CoverageMonth, CoverageSummary, coverage_ratio, outcome_rates

# A chart of more communes than this is unreadable on a phone: the lowest and highest go
# in, the sortable table holds all.
CHART_FITS = 30
CHART_EACH_END = 10
EXTREMES = 5


def figure_labels() -> dict[str, str]:
    return {f: capfirst(str(CoverageSummary._meta.get_field(f).verbose_name)) for f in FIGURES}


def programme_unit(*, user, programme: Programme, scheme: str, code: str) -> AdminUnit | None:
    """The unit of the programme's province with that code, if the user may see it (None
    otherwise: pages and the API answer 404). Codes are unique per (scheme, level);
    official codes differ in width by level, so the shallowest match is the unit meant."""
    unit = AdminUnit.objects.filter(scheme=scheme, code=code).order_by("depth").first()
    if unit is None or not unit.is_within(programme.province) or not can_access_unit(user, unit):
        return None
    return unit


def _sums() -> dict:
    return {f: Coalesce(Sum(f), Value(0)) for f in FIGURES}


def _finish(values: dict) -> dict:
    values["coverage"] = coverage_ratio(values["phones_handed_out"], values["target_adults"])
    values.update(outcome_rates(values))
    return values


def _empty() -> dict:
    return dict.fromkeys(FIGURES, 0)


def _village_figures(programme: Programme, commune_id: int, village_ids: list[int] | None = None) -> dict:
    """{village_id or None: figures} for a commune's villages: three grouped queries."""
    Household = apps.get_model("beneficiaries", "Household")
    Handout = apps.get_model("distribution", "Handout")
    Visit = apps.get_model("followup", "Visit")
    hh = (Household.objects.filter(commune_id=commune_id, status=Household.Status.ACTIVE)
          .values("village_id").order_by("village_id")
          .annotate(households=Count("pk"),
                    households_poor=Count("pk", filter=Q(priority_rank=1)),
                    households_near_poor=Count("pk", filter=Q(priority_rank=2)),
                    households_policy=Count("pk", filter=Q(priority_rank=3)),
                    adults=Coalesce(Sum("adults"), Value(0)),
                    adults_without_phone=Coalesce(Sum("adults_without_phone"), Value(0))))
    # Hand-outs count where their household lives now (a programme carried onto the 2025
    # units re-homes households; the hand-out keeps the commune that signed its minutes).
    ho = (Handout.objects.filter(programme=programme, household__commune_id=commune_id, status=Handout.Status.ACTIVE)
          .values("household__village_id").order_by("household__village_id")
          .annotate(phones_handed_out=Count("pk"),
                    households_reached=Count("household_id", distinct=True)))
    visits = (Visit.objects.filter(programme=programme, commune_id=commune_id, is_latest=True,
                                   handout__status=Handout.Status.ACTIVE)
              # Grouped like hand-outs (the household's village now), so the two agree.
              .values("household__village_id").order_by("household__village_id")
              .annotate(recipients_visited=Count("pk"),
                        vneid_activated=Count("pk", filter=Q(vneid_level__gt=0)),
                        online_service_users=Count("pk", filter=Q(online_service_used=True)),
                        cashless_users=Count("pk", filter=Q(cashless_used=True)),
                        phones_in_use=Count("pk", filter=Q(phone_status=Visit.PhoneStatus.IN_USE))))
    if village_ids is not None:
        hh = hh.filter(village_id__in=village_ids)
        ho = ho.filter(household__village_id__in=village_ids)
        visits = visits.filter(household__village_id__in=village_ids)
    out: dict = {}
    for row in hh:
        values = out.setdefault(row.pop("village_id"), _empty())
        values.update(row)
        values["priority_households"] = (values["households_poor"] + values["households_near_poor"]
                                         + values["households_policy"])
        values["households_other"] = values["households"] - values["priority_households"]
    for row in ho:
        values = out.setdefault(row.pop("household__village_id"), _empty())
        values.update(row)
    for row in visits:
        values = out.setdefault(row.pop("household__village_id"), _empty())
        values.update(row)
    return out


def unit_figures(*, programme: Programme, unit: AdminUnit) -> dict:
    """The unit's totals (keys of FIGURES + coverage, computed_at, oldest_computed_at)."""
    if unit.level == AdminUnit.Level.VILLAGE:
        values = _village_figures(programme, unit.parent_id, [unit.pk]).get(unit.pk, _empty())
        now = timezone.now()
        return _finish({**values, "computed_at": now, "oldest_computed_at": now})
    values = (CoverageSummary.objects.filter(programme=programme).within(unit)
              .aggregate(**_sums(), latest=Max("computed_at"), oldest=Min("computed_at")))
    values["computed_at"] = values.pop("latest")
    values["oldest_computed_at"] = values.pop("oldest")
    return _finish(values)


def upper_units(unit: AdminUnit) -> dict[int, tuple[str, str, str]]:
    """The units above the communes within `unit` (itself, and a province's districts):
    {pk: (level, code, name)}. One small query that both the child table (district names)
    and the phones by place (stock above the communes) read."""
    return {pk: (level, code, name) for pk, level, code, name in
            AdminUnit.objects.filter(_upper_q(unit)).values_list("pk", "level", "code", "name")}


def _upper_q(unit: AdminUnit) -> Q:
    upper_q = Q(pk=unit.pk)
    if unit.level == AdminUnit.Level.PROVINCE:
        upper_q |= Q(parent=unit, level=AdminUnit.Level.DISTRICT)
    return upper_q


def children_figures(*, programme: Programme, unit: AdminUnit,
                     upper: dict[int, tuple[str, str, str]] | None = None) -> list[dict]:
    """One entry per child unit: {unit_id, code, name, level, <figures>, coverage}. One or two
    queries: districts of a (legacy) province by grouping commune rows; communes of a
    district or 2025 province are their rows; villages of a commune by direct counts.
    `upper` (from `upper_units`) saves the query of the districts' names."""
    rows = CoverageSummary.objects.filter(programme=programme).within(unit)
    if unit.level == AdminUnit.Level.PROVINCE and unit.scheme == AdminUnit.Scheme.LEGACY:
        # Grouped on the summary table alone (a hash aggregate on district_id), in id
        # order (ids follow the official code order); the names come from `upper`, not
        # from a join of every row to the units that the groups would then be sorted on.
        grouped = (rows.values_list("district_id").order_by("district_id")
                   # A group always has rows, so plain SUM (no COALESCE) is never NULL.
                   .annotate(*(Sum(f) for f in FIGURES), Min("computed_at"), Max("computed_at")))
        names = upper if upper is not None else upper_units(unit)
        n = len(FIGURES)
        result = []
        for row in grouped:
            _level, code, name = names.get(row[0], ("", "", ""))
            result.append(_finish({**dict(zip(FIGURES, row[1:n + 1], strict=True)), "unit_id": row[0],
                                   "code": code, "name": name, "oldest_computed_at": row[n + 1],
                                   "computed_at": row[n + 2], "level": AdminUnit.Level.DISTRICT}))
        return result
    if unit.level in (AdminUnit.Level.PROVINCE, AdminUnit.Level.DISTRICT):
        flat = rows.order_by("commune__path").values(
            "commune_id", "computed_at", *FIGURES, code=F("commune__code"), name=F("commune__name"))
        return [_finish({**r, "unit_id": r.pop("commune_id"), "level": AdminUnit.Level.COMMUNE})
                for r in flat]
    if unit.level == AdminUnit.Level.COMMUNE:
        villages = list(AdminUnit.objects.filter(parent=unit, level=AdminUnit.Level.VILLAGE)
                        .order_by("name_ascii").values("pk", "code", "name"))
        figures = _village_figures(programme, unit.pk)
        now = timezone.now()
        result = [_finish({**figures.get(v["pk"], _empty()), "unit_id": v["pk"], "code": v["code"],
                           "name": v["name"], "level": AdminUnit.Level.VILLAGE, "computed_at": now})
                  for v in villages]
        if None in figures:  # households with no village recorded
            result.append(_finish({**figures[None], "unit_id": None, "code": "", "level": "",
                                   "name": _("(Chưa ghi thôn/bản)"), "computed_at": now}))
        return result
    return []


# The communes a dashboard shows, ranked in the database: the lowest and the highest
# CHART_EACH_END by coverage (all of them when there are CHART_FITS or fewer), with the count.
# Only those rows are joined to their names: sorting and naming every commune of a province
# in Python (10,000 at the scale target) was the dashboard's largest cost.
_RANKED_SQL = """
SELECT f.commune_id, f.done, f.target, u.name, f.n FROM (
    SELECT r.* FROM (
        SELECT k.commune_id, k.done, k.target, COUNT(*) OVER () AS n,
            ROW_NUMBER() OVER (ORDER BY k.cov, k.commune_id) AS lo
        FROM (
            SELECT s.commune_id, s.done, s.target,
                CASE WHEN s.target > 0 THEN ROUND(s.done * 100.0 / s.target, 1) ELSE 0 END AS cov
            FROM ({rows}) s
        ) k
    ) r
    WHERE r.lo <= %s OR r.n - r.lo < %s OR r.n <= %s
    ORDER BY r.lo
    LIMIT %s
) f
JOIN {unit} u ON u.id = f.commune_id
ORDER BY f.lo
"""


def commune_coverage(*, programme: Programme, unit: AdminUnit) -> tuple[int, list[dict]]:
    """(how many communes the unit has, the chart's communes): every commune when they fit
    (CHART_FITS), else the CHART_EACH_END lowest and highest; lowest coverage first (percent,
    one decimal), commune id order among equals (ids follow the official code order)."""
    if unit.level == AdminUnit.Level.VILLAGE:
        return 0, []
    rows = (CoverageSummary.objects.filter(programme=programme).within(unit).order_by()
            .values("commune_id", done=F("phones_handed_out"), target=F("target_adults")))
    inner, params = rows.query.sql_with_params()
    sql = _RANKED_SQL.format(rows=inner, unit=AdminUnit._meta.db_table)
    with connection.cursor() as cursor:
        # LIMIT: at most what is kept, so the planner joins those few rows to their names.
        cursor.execute(sql, [*params, CHART_EACH_END, CHART_EACH_END, CHART_FITS,
                             max(CHART_FITS, 2 * CHART_EACH_END)])
        ranked = cursor.fetchall()
    total = ranked[0][4] if ranked else 0
    return total, [{"name": name, "handed_out": done, "target": target,
                    "coverage": round((coverage_ratio(done, target) or 0) * 100, 1)}
                   for _cid, done, target, name, _n in ranked]


def commune_chart(communes: list[dict], *, fits: int = CHART_FITS, each_end: int = CHART_EACH_END) -> list[dict]:
    """The communes a bar chart can show readably: all of them when they fit, else the
    `each_end` lowest and the `each_end` highest (a province of 108 communes is a table's job)."""
    if len(communes) <= fits:
        return communes
    return communes[:each_end] + communes[-each_end:]


def handouts_by_month(*, programme: Programme, unit: AdminUnit) -> list[dict]:
    """[{"month": "08/2023", "handouts": n, "cumulative": m}] in month order."""
    if unit.level == AdminUnit.Level.VILLAGE:
        Handout = apps.get_model("distribution", "Handout")
        qs = (Handout.objects.filter(programme=programme, status=Handout.Status.ACTIVE, household__village=unit)
              .annotate(m=TruncMonth("handed_out_on")).values("m").order_by("m")
              .annotate(n=Count("pk")).values_list("m", "n"))
    else:
        qs = (CoverageMonth.objects.filter(programme=programme).within(unit)
              .values("month").order_by("month").annotate(n=Sum("handouts")).values_list("month", "n"))
    return month_series(qs)


def month_series(pairs) -> list[dict]:
    """(month, hand-outs) pairs in month order → the chart's series with the running total."""
    series, running = [], 0
    for month, n in pairs:
        running += n
        series.append({"month": month.strftime("%m/%Y"), "handouts": n, "cumulative": running})
    return series


def device_places(*, programme: Programme, unit: AdminUnit, figures: dict,
                  upper: dict[int, tuple[str, str, str]] | None = None) -> dict:
    """Phones of the programme in stock at each level within the unit, in transit into it,
    missing. Commune stock comes from the summary rows (`figures`); stock above the
    communes, transit to districts and missing phones are direct counts over devices
    (stock is never stored), in one grouped query that reads only those few rows."""
    if unit.level == AdminUnit.Level.VILLAGE:
        return {}
    Device = apps.get_model("distribution", "Device")
    places = {"stock_province": 0, "stock_district": 0, "stock_commune": figures["phones_in_stock"],
              "in_transit": figures["phones_in_transit"], "missing": 0}
    if unit.level == AdminUnit.Level.COMMUNE:
        places["missing"] = Device.objects.filter(programme=programme, status=Device.Status.MISSING, holder_unit=unit).count()
        places["in_stock"] = places["stock_commune"]
        return places
    # The few units above the communes (the unit, and a province's districts), then their
    # phones through the (holder_unit, status) index: the thousands of phones in commune
    # stock are never read.
    upper = {pk: level for pk, (level, _code, _name) in (upper if upper is not None else upper_units(unit)).items()}
    # As a subquery, not a list of ids: the planner then probes (holder_unit, status) per unit
    # instead of reading the programme's whole stock (50,000 phones at the scale target).
    upper_ids = AdminUnit.objects.filter(_upper_q(unit)).values("pk")
    stock = (Device.objects.filter(programme=programme, status=Device.Status.IN_STOCK, holder_unit_id__in=upper_ids)
             .values("holder_unit_id").order_by().annotate(n=Count("pk")))
    for row in stock:
        places[f"stock_{upper[row['holder_unit_id']]}"] += row["n"]
    # In transit to a unit above the communes, and missing anywhere below: rare statuses,
    # read through the (programme, status) index.
    S = Device.Status
    rows = (Device.objects.filter(programme=programme, status__in=[S.IN_TRANSIT, S.MISSING])
            .filter(Q(status=S.IN_TRANSIT, batch__to_unit_id__in=upper_ids)
                    | Q(status=S.MISSING, holder_unit__path__startswith=unit.path))
            .values("status").order_by().annotate(n=Count("pk")))
    for row in rows:
        places["in_transit" if row["status"] == S.IN_TRANSIT else "missing"] += row["n"]
    places["in_stock"] = places["stock_province"] + places["stock_district"] + places["stock_commune"]
    return places


def _total_of(children: list[dict]) -> dict:
    """A province's or district's figures as the sum of its children's summary figures
    (each commune row is in exactly one child), with the newest and oldest row times."""
    values = _empty()
    for child in children:
        for f in FIGURES:
            values[f] += child[f]
    stamps = [c["computed_at"] for c in children if c.get("computed_at")]
    oldest = [c.get("oldest_computed_at") or c["computed_at"] for c in children if c.get("computed_at")]
    return _finish({**values, "computed_at": max(stamps, default=None),
                    "oldest_computed_at": min(oldest, default=None)})


def unit_and_children(*, programme: Programme, unit: AdminUnit,
                      upper: dict[int, tuple[str, str, str]] | None = None) -> tuple[dict, list[dict]]:
    """The unit's figures and its children's (dashboards and the API). A province's or
    district's totals are summed from the grouped child rows: one pass over the summary
    table, not two."""
    children = children_figures(programme=programme, unit=unit, upper=upper)
    if unit.level in (AdminUnit.Level.PROVINCE, AdminUnit.Level.DISTRICT):
        return _total_of(children), children
    return unit_figures(programme=programme, unit=unit), children


def dashboard(*, programme: Programme, unit: AdminUnit) -> dict:
    """Everything a dashboard page shows, in a fixed number of queries; the fund only at
    province level."""
    above = unit.level in (AdminUnit.Level.PROVINCE, AdminUnit.Level.DISTRICT)
    upper = upper_units(unit) if above else None
    figures, children = unit_and_children(programme=programme, unit=unit, upper=upper)
    total, communes = commune_coverage(programme=programme, unit=unit)
    many = total > 2 * EXTREMES
    return {
        "figures": figures,
        "children": children,
        "chart_communes": commune_chart(communes),
        "communes_total": total,
        "lowest_communes": communes[:EXTREMES] if many else [],
        "highest_communes": communes[::-1][:EXTREMES] if many else [],
        "chart_months": handouts_by_month(programme=programme, unit=unit),
        "places": device_places(programme=programme, unit=unit, figures=figures, upper=upper),
        "fund": programme_totals(programme) if unit.level == AdminUnit.Level.PROVINCE else None,
        # A province has none: no query.
        "ancestors": list(AdminUnit.objects.ancestors(unit)) if unit.parent_id else [],
        "exceptions": list(eligibility_exceptions(programme=programme, unit=unit)),
    }


EXCEPTIONS_SHOWN = 50


def eligibility_exceptions(*, programme: Programme, unit: AdminUnit, limit: int | None = EXCEPTIONS_SHOWN):
    """Active hand-outs given outside the programme's declared eligibility, in the unit: the
    reason and the rules broken, newest first (dashboard and report)."""
    Handout = apps.get_model("distribution", "Handout")
    qs = (Handout.objects.filter(programme=programme, status="active", commune__path__startswith=unit.path)
          .exclude(exception_reason="").select_related("commune", "household")
          .order_by("-handed_out_on", "-pk"))
    if unit.level == AdminUnit.Level.VILLAGE:
        qs = Handout.objects.filter(programme=programme, status="active", household__village=unit).exclude(
            exception_reason="").select_related("commune", "household").order_by("-handed_out_on", "-pk")
    return qs[:limit] if limit else qs


def public_communes(*, programme: Programme):
    """The programme's commune rows for the public page: figures only, no personal data."""
    return (CoverageSummary.objects.filter(programme=programme)
            .select_related("commune", "district").order_by("commune__path"))
