"""visits_changed(sender, commune_ids: set[int]) — sent on commit after a visit is
recorded; coverage rebuilds those communes' outcome figures."""

from django.dispatch import Signal

visits_changed = Signal()
