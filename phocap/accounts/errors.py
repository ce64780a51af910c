from enum import StrEnum


class Code(StrEnum):
    """Refusals of the accounts services."""

    MEMBERSHIP_INVALID = "membership_invalid"
    USERNAME_TAKEN = "username_taken"
