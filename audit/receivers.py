"""Authors of history rows written outside a request (tasks, commands, services called
from the API or the shell): the acting user the row itself records.

In a request simple-history's middleware names the user; elsewhere the services still
stamp who dispatched, received, cancelled or reversed, so the history row takes it from
there rather than staying anonymous."""

# The row's status → the field naming who moved it there; "" = any status.
_ACTOR_FIELDS = {
    "distribution.Batch": (("cancelled", "cancelled_by"), ("received", "received_by"),
                           ("dispatched", "dispatched_by"), ("", "created_by")),
    "distribution.Handout": (("reversed", "reversed_by"), ("", "created_by")),
    "donations.Procurement": (("", "created_by"),),
}


def fill_history_user(sender, instance, history_instance, **kwargs) -> None:
    if history_instance.history_user_id is not None:
        return
    for status, field in _ACTOR_FIELDS.get(instance._meta.label, ()):
        if status and getattr(instance, "status", None) != status:
            continue
        user_id = getattr(instance, f"{field}_id", None)
        if user_id:
            history_instance.history_user_id = user_id
        return
