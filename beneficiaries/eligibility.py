"""Who may receive a phone in a programme, as the programme declares it
(`Programme.eligible_categories`, `one_phone_per_adult`, `min_age`):

- the household is of a category that qualifies (a household without recorded categories
  counts by its priority rank: poor, near-poor, policy family, other);
- it has an adult without a smartphone, and has not yet had its share: one phone per
  household, or one per adult without a smartphone;
- the recipient is of age (when their birth year is known).

One function, `assess`, serves the hand-out service (which refuses, or records an exception
with a reason) and the priority list (which shows who qualifies and why).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Category

RANK_CATEGORY = {1: Category.POOR, 2: Category.NEAR_POOR, 3: Category.POLICY, 4: Category.OTHER}


class Rule:
    """Codes of the eligibility rules (DomainError codes when a hand-out breaks them)."""

    CATEGORY = "category_not_eligible"
    NO_ADULT_WITHOUT_PHONE = "no_adult_without_phone"
    SHARE_REACHED = "household_already_received"
    UNDER_AGE = "under_age"


RULE_LABELS = {
    Rule.CATEGORY: gettext_lazy("diện hộ không được nhận"),
    Rule.NO_ADULT_WITHOUT_PHONE: gettext_lazy("không có người lớn chưa có ĐTTM"),
    Rule.SHARE_REACHED: gettext_lazy("đã đủ mức cấp"),
    Rule.UNDER_AGE: gettext_lazy("người nhận chưa đủ tuổi"),
}


@dataclass
class Verdict:
    eligible: bool
    why: list[str] = field(default_factory=list)    # why it qualifies (shown on the priority list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (rule code, message)

    @property
    def codes(self) -> list[str]:
        return [code for code, _message in self.problems]

    @property
    def message(self) -> str:
        return " ".join(message for _code, message in self.problems)


def household_categories(household) -> set[str]:
    cats = {c for c in (household.categories or {}) if c in Category.values}
    return cats or {RANK_CATEGORY.get(household.priority_rank, Category.OTHER)}


def share_left(programme, household, received: int) -> bool:
    """Whether a household holding `received` active hand-outs may get one more. The registry
    lowers `adults_without_phone` as phones are handed out (it hears the hand-out events), so
    with one phone per adult the household may receive while an adult is still without one,
    never more phones than adults; with one per household, only the first."""
    if received == 0:
        return True
    if programme.one_phone_per_adult:
        return (household.adults_without_phone or 0) > 0 and received < (household.adults or 0)
    return False


def assess(programme, household, *, received: int = 0, birth_year: int | None = None,
           on: datetime.date | None = None) -> Verdict:
    """The household (and the recipient, by birth year) against the programme's rules;
    `received` is how many active hand-outs it already holds in the programme."""
    problems: list[tuple[str, str]] = []
    why: list[str] = []
    cats = household_categories(household)
    allowed = set(programme.eligible_categories or [])
    matching = sorted(cats & allowed, key=lambda c: list(Category.values).index(c))
    if matching:
        why.append(", ".join(str(Category(c).label) for c in matching))
    else:
        problems.append((Rule.CATEGORY, _("Hộ thuộc diện %(c)s, không thuộc diện được nhận của chương trình.")
                         % {"c": ", ".join(str(Category(c).label) for c in sorted(cats))}))
    without = household.adults_without_phone or 0
    if received == 0 and without <= 0:
        problems.append((Rule.NO_ADULT_WITHOUT_PHONE, _("Hộ không có người lớn nào chưa có ĐTTM.")))
    elif not share_left(programme, household, received):
        problems.append((Rule.SHARE_REACHED, _("Hộ đã nhận %(n)s máy, đủ mức của chương trình (%(rule)s).")
                         % {"n": received, "rule": _("mỗi người lớn chưa có ĐTTM một máy")
                            if programme.one_phone_per_adult else _("mỗi hộ một máy")}))
    elif without > 0:
        why.append(_("%(n)s người lớn chưa có ĐTTM") % {"n": without})
    if birth_year is not None:
        year = (on or datetime.date.today()).year
        if year - birth_year < programme.min_age:
            problems.append((Rule.UNDER_AGE, _("Người nhận sinh năm %(y)s, chưa đủ %(n)s tuổi.")
                             % {"y": birth_year, "n": programme.min_age}))
    return Verdict(eligible=not problems, why=why, problems=problems)


