"""From money to phones to people: where a donor's gifts went, cash and in kind alike.

Cash reaches phones through the standing cash allocations (donations.CashAllocation,
first received, first spent): a gift that paid `amount` of a purchase of amount A and
quantity q owns the share amount/A of that purchase's phones — `amount·q/A` phones, shown
as whole phones plus the remainder of a phone bought together with other gifts — and the
same share of wherever those phones are now. Phones given in kind are the gift's own
devices. Counts only: no recipient's name, ID or household leaves this module, only the
commune and the household's category.

Four queries whatever the number of gifts, purchases or phones.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import RANK_LABELS
from phocap.areas.models import AdminUnit

from .models import Device, Handout

NOT_REGISTERED = "not_registered"
STATUS_ORDER = [NOT_REGISTERED, Device.Status.IN_STOCK, Device.Status.IN_TRANSIT, Device.Status.HANDED_OUT,
                Device.Status.MISSING, Device.Status.WRITTEN_OFF]
STATUS_LABELS = {NOT_REGISTERED: _("Chưa nhập kho (chưa có IMEI)"), **dict(Device.Status.choices)}


def split_phones(value: Fraction) -> tuple[int, Fraction]:
    """Whole phones and the remainder (a share of one more phone)."""
    whole = int(value)
    return whole, value - whole


@dataclass
class GiftTrace:
    cash_given_vnd: int = 0
    cash_spent_vnd: int = 0
    phones_in_kind: int = 0
    phones_bought: Fraction = Fraction(0)       # exact share of the purchases' phones
    phones_counted: int = 0                      # whole phones counted by the allocation rule
    purchases: list = field(default_factory=list)
    statuses: list = field(default_factory=list)     # [(key, label, phones)]
    places: list = field(default_factory=list)       # [(unit, phones)] where the phones are now
    categories: list = field(default_factory=list)   # [(label, phones)] handed out, by household category

    @property
    def cash_unspent_vnd(self) -> int:
        return self.cash_given_vnd - self.cash_spent_vnd

    @property
    def phones_bought_whole(self) -> int:
        return split_phones(self.phones_bought)[0]

    @property
    def phones_bought_remainder(self) -> float:
        return float(split_phones(self.phones_bought)[1])

    @property
    def phones_total(self) -> Fraction:
        return self.phones_bought + self.phones_in_kind

    @property
    def communes(self) -> list:
        return [(u, n) for u, n in self.places if u.level == AdminUnit.Level.COMMUNE]


def gifts_trace(donations) -> GiftTrace:
    """Where the effective gifts in `donations` (a Donation queryset) went."""
    from donations.models import CashAllocation

    gifts = list(donations.effective().values_list("pk", "cash_vnd", "phones_count"))
    trace = GiftTrace(cash_given_vnd=sum(g[1] for g in gifts), phones_in_kind=sum(g[2] for g in gifts))
    gift_ids = [g[0] for g in gifts]
    in_kind = {g[0]: g[2] for g in gifts if g[2]}
    shares: dict[int, Fraction] = {}      # purchase id → this trace's share of its phones
    quantities: dict[int, int] = {}
    for row in (CashAllocation.objects.active().filter(donation_id__in=gift_ids)
                .values("procurement_id", "procurement__unit_price_vnd", "procurement__quantity",
                        "procurement__purchased_on", "procurement__supplier")
                .annotate(amount=Sum("amount_vnd"), counted=Sum("phones")).order_by("procurement_id")):
        amount = row["procurement__unit_price_vnd"] * row["procurement__quantity"]
        share = Fraction(row["amount"], amount)
        shares[row["procurement_id"]] = share
        quantities[row["procurement_id"]] = row["procurement__quantity"]
        trace.cash_spent_vnd += row["amount"]
        trace.phones_counted += row["counted"]
        trace.phones_bought += share * row["procurement__quantity"]
        trace.purchases.append({"purchased_on": row["procurement__purchased_on"],
                                "supplier": row["procurement__supplier"], "amount_vnd": row["amount"],
                                "phones": float(share * row["procurement__quantity"]),
                                "counted": row["counted"]})

    statuses: dict[str, Fraction] = defaultdict(Fraction)
    places: dict[int, Fraction] = defaultdict(Fraction)
    categories: dict[int, Fraction] = defaultdict(Fraction)
    registered: dict[tuple, int] = defaultdict(int)
    if shares or in_kind:
        rank = Subquery(Handout.objects.active().filter(device=OuterRef("pk"))
                        .values("household__priority_rank")[:1])
        rows = (Device.objects.filter(Q(source_procurement_id__in=list(shares))
                                      | Q(source_donation_id__in=list(in_kind)))
                .annotate(rank=rank)
                .values("source_procurement_id", "source_donation_id", "status", "holder_unit_id",
                        "batch__to_unit_id", "rank")
                .annotate(n=Count("pk")).order_by())
        for r in rows:
            source = ("p", r["source_procurement_id"]) if r["source_procurement_id"] else ("d", r["source_donation_id"])
            weight = shares[source[1]] if source[0] == "p" else Fraction(1)
            phones = weight * r["n"]
            registered[source] += r["n"]
            statuses[r["status"]] += phones
            places[r["holder_unit_id"] or r["batch__to_unit_id"]] += phones
            if r["status"] == Device.Status.HANDED_OUT and r["rank"]:
                categories[r["rank"]] += phones
        for pid, share in shares.items():
            statuses[NOT_REGISTERED] += share * (quantities[pid] - registered[("p", pid)])
        for did, count in in_kind.items():
            statuses[NOT_REGISTERED] += count - registered[("d", did)]
    trace.statuses = [(k, STATUS_LABELS[k], float(statuses[k])) for k in STATUS_ORDER if statuses.get(k)]
    units = AdminUnit.objects.in_bulk([u for u in places if u])
    trace.places = sorted(((units[u], float(n)) for u, n in places.items() if u and n),
                          key=lambda p: p[0].path)
    trace.categories = [(RANK_LABELS[r], float(n)) for r, n in sorted(categories.items()) if n]
    return trace
