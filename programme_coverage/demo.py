"""Demo: rebuild the demo programme's coverage summaries (runs after the other loaders).

Idempotent: a rebuild recomputes the same figures from the registry and the ledger; only
the "computed at" time moves forward."""

from django.utils.translation import gettext as _

from phocap.common.formatting import format_percent
from phocap.programmes.models import Programme

from .models import CoverageSummary
from .selectors import unit_figures
from .services import coverage_rebuild_programme


def load(*, programme: Programme, stdout=None) -> None:
    programme = Programme.objects.select_related("province").get(pk=programme.pk)
    coverage_rebuild_programme(programme=programme)
    if stdout is not None:
        figures = unit_figures(programme=programme, unit=programme.province)
        rows = CoverageSummary.objects.filter(programme=programme).count()
        coverage = format_percent(figures["coverage"])
        stdout.write(_("Phổ cập: %(rows)d xã, %(phones)d máy đã trao, %(households)d hộ đã nhận, tỷ lệ %(rate)s")
                     % {"rows": rows, "phones": figures["phones_handed_out"],
                        "households": figures["households_reached"], "rate": coverage})
