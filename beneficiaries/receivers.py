"""The registry's listeners (connected in apps.BeneficiariesConfig.ready)."""

from . import services


def on_phones_changed(sender, changes: list[dict], **kwargs) -> None:
    services.household_phones_changed(changes=changes)
