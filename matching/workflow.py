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

# action -> the sides of the request that may take it (see matching.selectors.request_sides):
# 'office' is the institution's research office, 'institution' the office or the assignee.
ACTORS: dict[str, frozenset[str]] = {
    "assign": frozenset({"office"}),
    "ask_info": frozenset({"office"}),
    "accept": frozenset({"office"}),
    "decline": frozenset({"office"}),
    "refer": frozenset({"office"}),
    "answer": frozenset({"business"}),
    "withdraw": frozenset({"business"}),
    "message": frozenset({"business", "institution"}),
    "note": frozenset({"institution"}),
}
# Messages go both ways while the request is open and once accepted (the project's start);
# after a decline, referral or withdrawal nobody would answer.
MESSAGEABLE = (*OPEN, ACCEPTED)


def next_status(action: str, current: str) -> str | None:
    """The state `action` leads to from `current`, or None when it is not allowed there."""
    return TRANSITIONS[action].get(current)


def state_allows(action: str, current: str) -> bool:
    """Whether the request's state lets anyone take `action` now."""
    if action == "message":
        return current in MESSAGEABLE
    if action == "note":
        return True  # internal notes are the institution's record, in any state
    return next_status(action, current) is not None


def available_actions(sides: set[str] | frozenset[str], current: str) -> frozenset[str]:
    """What someone on `sides` of a request in state `current` may do: the one rule that the
    services enforce, the pages offer and the API lists."""
    return frozenset(
        action
        for action, actors in ACTORS.items()
        if sides & actors and state_allows(action, current)
    )
