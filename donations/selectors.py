"""Reads that join and aggregate: the fund's totals, lists, duplicates, the honour roll."""

from django.db import models
from django.db.models import Count, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from phocap.accounts.models import WRITE_ROLES
from phocap.accounts.scoping import scope_q, scope_queryset, user_units
from phocap.areas.models import AdminUnit
from phocap.common.text import fold
from phocap.programmes.models import Programme

from .models import CashAllocation, Donation, Donor, Pledge, Procurement, effective_q

_BIG = models.BigIntegerField()
# Sums and products of money are computed as SQL numeric: a bigint product (phones × value
# per phone) or sum could overflow and turn every fund page into a 500.
_NUMERIC = models.DecimalField(max_digits=38, decimal_places=0)


def times(a: str, b: str) -> ExpressionWrapper:
    return ExpressionWrapper(Cast(F(a), _NUMERIC) * Cast(F(b), _NUMERIC), output_field=_NUMERIC)


def _sum(expr) -> Coalesce:
    if isinstance(expr, str):
        expr = Cast(F(expr), _NUMERIC)
    return Coalesce(Sum(expr, output_field=_NUMERIC), Value(0), output_field=_NUMERIC)


def sum_of(queryset, expr) -> int:
    """One numeric sum over `queryset`, as an int (0 when empty)."""
    return int(queryset.aggregate(s=_sum(expr))["s"])


def programme_totals(programme: Programme) -> dict:
    """The fund, to the đồng: pledged, received, spent, balance; phones; donors by kind.

    Four aggregate queries whatever the number of rows.
    """
    pledges = Pledge.objects.filter(programme=programme).active().aggregate(
        cash=_sum("cash_vnd"), phones=_sum("phones"))
    donations = Donation.objects.filter(programme=programme).effective().aggregate(
        cash=_sum("cash_vnd"), phones=_sum("phones_count"),
        in_kind_value=_sum(times("phones_count", "phone_unit_value_vnd")))
    procurements = Procurement.objects.filter(programme=programme).effective().aggregate(
        spent=_sum(times("unit_price_vnd", "quantity")), phones=_sum("quantity"))
    pledges, donations, procurements = ({k: int(v) for k, v in d.items()}
                                        for d in (pledges, donations, procurements))
    by_kind = dict(Donor.objects.filter(
        pk__in=Donation.objects.filter(programme=programme).effective().values("donor_id"),
    ).values_list("kind").annotate(n=Count("pk")).order_by())
    donors_by_kind = {kind: by_kind.get(kind, 0) for kind in Donor.Kind.values}
    price = programme.default_phone_price_vnd
    balance = donations["cash"] - procurements["spent"]
    return {
        "programme_id": programme.pk,
        "cash_pledged_vnd": pledges["cash"],
        "cash_received_vnd": donations["cash"],
        "cash_spent_vnd": procurements["spent"],
        "cash_balance_vnd": balance,
        "phones_pledged": pledges["phones"],
        "phones_in_kind": donations["phones"],
        "phones_in_kind_value_vnd": donations["in_kind_value"],
        "phones_purchased": procurements["phones"],
        "phone_price_vnd": price,
        # What the cash is worth in phones at the programme's price.
        "phones_equivalent_of_cash_received": donations["cash"] // price,
        "phones_equivalent_of_balance": max(balance, 0) // price,
        "donors": sum(donors_by_kind.values()),
        "donors_by_kind": donors_by_kind,
    }


# --- donors -------------------------------------------------------------------------------


def donors_visible_to(user):
    """Donors of the user's units and below; organisations recorded above them too.

    A district officer recording a local gift from a province-registered company picks
    that company instead of creating a duplicate; individuals registered above stay hidden.
    """
    own = scope_queryset(Donor.objects.all(), user)
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return own
    ancestors = {path for unit in user_units(user) for path in unit.ancestor_paths()}
    if not ancestors:
        return own
    return Donor.objects.filter(
        Q(pk__in=own.values("pk"))
        | (Q(unit__path__in=ancestors) & ~Q(kind=Donor.Kind.INDIVIDUAL)))


def _visible_gifts(user) -> Q:
    """Effective gifts received by a unit the user covers: a province donor shown to a
    district must not reveal how many gifts it made elsewhere."""
    condition = effective_q("donations__")
    if user.is_superuser:
        return condition
    scope = scope_q(user, "donations__unit")
    return condition & scope if scope is not None else Q(pk__in=[])


def donor_list(*, user, q: str = "", kind: str = ""):
    qs = donors_visible_to(user).select_related("unit").annotate(
        gifts=Count("donations", filter=_visible_gifts(user)))
    if q:
        qs = qs.search(q)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name_ascii", "pk")


def donor_likely_duplicates(*, name: str, user, exclude_pk: int | None = None, limit: int = 5):
    """Donors with the same name once case and diacritics are ignored, among those the
    user may see (a name typed in one district must not reveal another's individuals)."""
    folded = fold(name)
    if not folded:
        return Donor.objects.none()
    return donors_visible_to(user).filter(name_ascii=folded).exclude(pk=exclude_pk).select_related("unit")[:limit]


# --- pledges ------------------------------------------------------------------------------


def pledge_list(*, user, programme: Programme | None = None, donor: Donor | None = None, q: str = "",
                status: str = ""):
    qs = Pledge.objects.for_user(user).with_status().select_related("donor", "programme", "unit")
    if programme is not None:
        qs = qs.filter(programme=programme)
    if donor is not None:
        qs = qs.filter(donor=donor)
    if q:
        qs = qs.filter(Q(donor__name_ascii__contains=fold(q)) | Q(occasion__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-pledged_on", "-pk")


def pledges_for_follow_up(*, user, programme: Programme | None = None):
    """Overdue pledges, the longest overdue first."""
    return pledge_list(user=user, programme=programme, status="overdue").order_by("due_date", "pk")


# --- donations ----------------------------------------------------------------------------


def donation_list(*, user, programme: Programme | None = None, donor: Donor | None = None, q: str = "",
                  kind: str = "", unit=None, unacknowledged: bool = False, gift: str = ""):
    qs = Donation.objects.for_user(user).select_related(
        "donor", "unit", "programme", "reverses")
    if programme is not None:
        qs = qs.filter(programme=programme)
    if donor is not None:
        qs = qs.filter(donor=donor)
    if q:
        qs = qs.search(q)
    if kind:
        qs = qs.filter(donor__kind=kind)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if gift == "cash":
        qs = qs.filter(cash_vnd__gt=0)
    elif gift == "phones":
        qs = qs.filter(phones_count__gt=0)
    if unacknowledged:
        qs = qs.effective().filter(acknowledged_at__isnull=True)
    return qs.order_by("-received_on", "-pk")


def procurement_list(*, user, programme: Programme | None = None):
    qs = Procurement.objects.for_user(user).select_related("unit", "programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("-purchased_on", "-pk")


def writable_units(*, user, programme: Programme | None = None, roles=WRITE_ROLES):
    """Units (down to communes) where the user may record a donor, or a gift of the programme
    (then only units of the programme's province)."""
    qs = AdminUnit.objects.exclude(level=AdminUnit.Level.VILLAGE)
    if programme is not None:
        qs = qs.subtree(programme.province)
    return scope_queryset(qs, user, unit_field="", roles=roles).order_by("path")


# --- public honour roll -------------------------------------------------------------------


def honour_roll(programme: Programme):
    """Donors who agreed to be named, with what each gave (effective gifts only).

    Only the name and kind leave the server: no phone, tax code, address or representative.
    """
    effective = Q(donations__programme=programme) & effective_q("donations__")
    return (Donor.objects.filter(public_consent=True, donations__programme=programme)
            .annotate(cash=Coalesce(Sum("donations__cash_vnd", filter=effective), Value(0), output_field=_BIG),
                      phones=Coalesce(Sum("donations__phones_count", filter=effective), Value(0),
                                      output_field=_BIG))
            .filter(Q(cash__gt=0) | Q(phones__gt=0))
            .values("name", "kind", "cash", "phones")
            .order_by("-cash", "-phones", "name"))


# --- the programme's account: cash → purchases -------------------------------------------


def allocation_differences(programme_id: int | None = None) -> list[str]:
    """Where the allocations break an identity: a standing purchase whose allocations do
    not sum to its amount and quantity (a reversed one: to 0), a gift allocated more than
    it holds (a reversed one: more than 0). Two GROUP BY queries; empty when all holds."""
    purchases = Procurement.objects.all()
    gifts = Donation.objects.filter(pk__in=CashAllocation.objects.active().values("donation_id"))
    if programme_id is not None:
        purchases = purchases.filter(programme_id=programme_id)
        gifts = gifts.filter(programme_id=programme_id)
    active = Q(allocations__superseded_at__isnull=True)
    allocated = Coalesce(Sum("allocations__amount_vnd", filter=active), Value(0), output_field=_BIG)
    out = []
    rows = purchases.annotate(
        allocated=allocated,
        phones=Coalesce(Sum("allocations__phones", filter=active), Value(0), output_field=_BIG),
    ).values_list("pk", "unit_price_vnd", "quantity", "reversed_at", "allocated", "phones").order_by("pk")
    for pk, price, qty, reversed_at, got, phones in rows:
        amount, quantity = (0, 0) if reversed_at else (price * qty, qty)
        if (got, phones) != (amount, quantity):
            out.append(_("đợt mua %(pk)d: đã phân bổ %(got)d VND / %(phones)d máy, cần %(amount)d VND / "
                         "%(quantity)d máy") % {"pk": pk, "got": got, "phones": phones, "amount": amount,
                                                "quantity": quantity})
    rows = gifts.annotate(allocated=allocated).values_list(
        "pk", "cash_vnd", "reverses_id", "reversed_at", "allocated").order_by("pk")
    for pk, cash, reverses_id, reversed_at, got in rows:
        holds = 0 if (reverses_id or reversed_at) else cash
        if got > holds:
            out.append(_("khoản ủng hộ %(pk)d: đã phân bổ %(got)d VND, chỉ có %(holds)d VND")
                       % {"pk": pk, "got": got, "holds": holds})
    return out


def fund_account(programme: Programme) -> dict:
    """The programme's account, to the đồng, each side computed on its own:

    cash received (gifts) = spent on phones (purchases) + balance (what each gift has not
    had allocated); phones bought (purchases) = phones counted for gifts (allocations).
    `balanced` says both hold and no purchase or gift breaks its own identity. Five
    queries whatever the number of gifts, purchases or allocations.
    """
    active = Q(allocations__superseded_at__isnull=True)
    gifts = Donation.objects.filter(programme=programme).effective().aggregate(
        received=_sum("cash_vnd"))
    allocated_to_gifts = CashAllocation.objects.active().filter(
        programme=programme, donation__reverses__isnull=True, donation__reversed_at__isnull=True).aggregate(
        allocated=_sum("amount_vnd"), phones=_sum("phones"))
    purchases = list(Procurement.objects.filter(programme=programme).effective().annotate(
        allocated=Coalesce(Sum("allocations__amount_vnd", filter=active), Value(0), output_field=_BIG),
        counted=Coalesce(Sum("allocations__phones", filter=active), Value(0), output_field=_BIG),
        gifts=Count("allocations", filter=active),
    ).select_related("unit").order_by("pk"))
    spent = sum(p.total_vnd for p in purchases)
    bought = sum(p.quantity for p in purchases)
    balance = gifts["received"] - allocated_to_gifts["allocated"]
    differences = allocation_differences(programme.pk)
    if gifts["received"] != spent + balance:
        differences.append(_("tiền đã nhận %(received)d ≠ đã chi %(spent)d + còn lại %(balance)d")
                           % {"received": gifts["received"], "spent": spent, "balance": balance})
    if bought != allocated_to_gifts["phones"]:
        differences.append(_("máy đã mua %(bought)d ≠ máy tính cho các khoản ủng hộ %(counted)d")
                           % {"bought": bought, "counted": allocated_to_gifts["phones"]})
    return {
        "cash_received_vnd": gifts["received"], "cash_spent_vnd": spent, "cash_balance_vnd": balance,
        "cash_allocated_vnd": allocated_to_gifts["allocated"], "phones_bought": bought,
        "phones_counted": allocated_to_gifts["phones"], "purchases": purchases,
        "differences": differences, "balanced": not differences,
    }


def fund_allocations(programme: Programme):
    """The standing allocations, gift by gift (for the account's export)."""
    return (CashAllocation.objects.active().filter(programme=programme)
            .select_related("donation__donor", "procurement")
            .order_by("procurement_id", "offset_vnd"))


def fund_drift() -> list[str]:
    """Every programme's account differences (the nightly check), prefixed by programme,
    in the active language."""
    return [_("chương trình %(pk)d: %(d)s") % {"pk": p.pk, "d": d} for p in Programme.objects.order_by("pk")
            for d in fund_account(p)["differences"]]
