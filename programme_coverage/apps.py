from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "programme_coverage"
    label = "coverage"
    verbose_name = _("Phổ cập")

    def ready(self) -> None:
        from beneficiaries.signals import households_changed
        from distribution.signals import devices_changed
        from followup.signals import visits_changed
        from phocap.programmes.signals import targets_changed

        from .receivers import on_communes_changed

        households_changed.connect(on_communes_changed, dispatch_uid="coverage.households_changed")
        devices_changed.connect(on_communes_changed, dispatch_uid="coverage.devices_changed")
        targets_changed.connect(on_communes_changed, dispatch_uid="coverage.targets_changed")
        visits_changed.connect(on_communes_changed, dispatch_uid="coverage.visits_changed")
