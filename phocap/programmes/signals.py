"""targets_changed(sender, commune_ids: set[int]) — a programme's target communes or their
baselines changed; sent on commit. Coverage listens (phocap cannot import it)."""

from django.dispatch import Signal

targets_changed = Signal()
