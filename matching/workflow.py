"""The states of an introduction request and the actions that move it (pure Python).

One table says which action is legal from which state; services consult it before their
conditional update, so a refused action never half-happens.
"""

from __future__ import annotations

SUBMITTED = "submitted"  # waiting for the institution's first look
IN_REVIEW = "in_review"
INFO_REQUESTED = "info_requested"  # waiting for the business
ACCEPTED = "accepted"
DECLINED = "declined"
REFERRED = "referred"
WITHDRAWN = "withdrawn"

OPEN = (SUBMITTED, IN_REVIEW, INFO_REQUESTED)
CLOSED = (ACCEPTED, DECLINED, REFERRED, WITHDRAWN)
STATUSES = OPEN + CLOSED

# action -> {from state: to state}
TRANSITIONS: dict[str, dict[str, str]] = {
    "assign": {SUBMITTED: IN_REVIEW, IN_REVIEW: IN_REVIEW, INFO_REQUESTED: INFO_REQUESTED},
    "message": {SUBMITTED: IN_REVIEW, IN_REVIEW: IN_REVIEW, INFO_REQUESTED: INFO_REQUESTED},
    "ask_info": {SUBMITTED: INFO_REQUESTED, IN_REVIEW: INFO_REQUESTED},
    "answer": {INFO_REQUESTED: IN_REVIEW},
    "accept": dict.fromkeys(OPEN, ACCEPTED),
    "decline": dict.fromkeys(OPEN, DECLINED),
    "refer": dict.fromkeys(OPEN, REFERRED),
    "withdraw": dict.fromkeys(OPEN, WITHDRAWN),
}

# Office actions the business sees: the first of them is the institution's first response.
RESPONSES = frozenset({"message", "ask_info", "accept", "decline", "refer"})


def next_status(action: str, current: str) -> str | None:
    """The state `action` leads to from `current`, or None when it is not allowed there."""
    return TRANSITIONS[action].get(current)


def allowed_actions(current: str) -> list[str]:
    return [action for action, moves in TRANSITIONS.items() if current in moves]
