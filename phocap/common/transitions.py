class StatusTransitionsMixin:
    """Models with a `status` field and an `ALLOWED_TRANSITIONS` table {status: {next, ...}};
    services ask `can_transition_to` before changing the status."""

    ALLOWED_TRANSITIONS: dict = {}

    def can_transition_to(self, status: str) -> bool:
        return status in self.ALLOWED_TRANSITIONS.get(self.status, set())
