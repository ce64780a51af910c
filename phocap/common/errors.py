class DomainError(Exception):
    """A rule of the programme refused a change; the message is for the user, translated."""
