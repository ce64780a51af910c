class DomainError(Exception):
    """A rule of the programme refused a change.

    ``message`` is for the user, already translated; ``code`` is stable, for programs
    (the API returns it, tests assert it). Each app lists its codes in one place.
    """

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code
