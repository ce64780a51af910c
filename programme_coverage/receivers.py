"""Domain events from the registry and the device ledger → debounced rebuilds."""

from . import services


def on_communes_changed(sender, commune_ids=None, **kwargs) -> None:
    if commune_ids:
        services.coverage_schedule_rebuild(commune_ids=commune_ids)
