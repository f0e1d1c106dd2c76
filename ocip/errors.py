"""Domain errors the services raise (pure Python: no Django, no DRF).

Services refuse with Django's `PermissionDenied` (not allowed) and `ValidationError` (bad input),
or with a `Conflict` (the object is not in a state that allows the write). Pages show the
message; the API maps each to its status in one handler (`ocip.api.exception_handler`).
"""

from __future__ import annotations


class Conflict(Exception):
    """The object is not (or no longer) in a state that allows this write: HTTP 409."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
