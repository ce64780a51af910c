"""Domain events sent by distribution's services after their transaction commits.

devices_changed(sender, commune_ids: set[int]) — stock, transit or hand-outs of these
communes changed (a batch dispatched or received, a hand-out or its reversal, ...).
The coverage app listens and queues one debounced rebuild per commune.
"""

from django.dispatch import Signal

devices_changed = Signal()
