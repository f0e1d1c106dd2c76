"""The invitation mechanics shared by companies and institutions: tokens, checks, the email."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import InvitationBase, User

# The session remembers the invitation a visitor is signing up for.
PENDING_INVITATION_SESSION_KEY = "ocip_pending_invitation"


class InvitationError(ValidationError):
    """An invitation that cannot be used, with a message the invitee can read."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def expiry_from_now() -> datetime:
    return timezone.now() + timedelta(days=settings.OCIP_INVITATION_DAYS)


def pending_filter() -> Q:
    return Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def is_invited(email: str) -> bool:
    """Whether an open invitation (to any kind of organization) waits for `email`."""
    from .models import InvitationBase

    return any(
        kind._default_manager.filter(pending_filter(), email__iexact=email).exists()
        for kind in InvitationBase.__subclasses__()
    )


def check_open(invitation: InvitationBase) -> None:
    """Raise InvitationError unless the invitation is still waiting for an answer."""
    status = invitation.status
    if status == invitation.Status.ACCEPTED:
        raise InvitationError(_("This invitation has already been used."), code="used")
    if status == invitation.Status.REVOKED:
        raise InvitationError(_("This invitation has been withdrawn."), code="revoked")
    if status == invitation.Status.EXPIRED:
        raise InvitationError(
            _("This invitation has expired. Ask the person who invited you for a new one."),
            code="expired",
        )


def check_usable(invitation: InvitationBase, user: User) -> None:
    """Raise InvitationError unless `user` may accept `invitation` now."""
    check_open(invitation)
    if user.email.lower() != invitation.email.lower():
        raise InvitationError(
            _(
                "This invitation was sent to another email address. Log in with the address "
                "it was sent to."
            ),
            code="wrong_email",
        )


def claim(invitation: InvitationBase, user: User) -> None:
    """Mark the invitation used, once: a conditional update so two accepts cannot both win."""
    now = timezone.now()
    updated = (
        type(invitation)
        ._default_manager.filter(pk=invitation.pk)
        .filter(pending_filter())
        .update(accepted_at=now, accepted_by=user)
    )
    if updated != 1:
        raise InvitationError(_("This invitation has already been used."), code="used")
    invitation.accepted_at = now
    invitation.accepted_by = user


def send_invitation_email(
    *, invitation: InvitationBase, token: str, organization_name: str, role_label: str
) -> None:
    with translation.override(invitation.language):
        path = reverse("invitation_accept", kwargs={"token": token})
        context = {
            "invitation": invitation,
            "organization_name": organization_name,
            "role_label": role_label,
            "inviter": invitation.invited_by,
            "accept_url": settings.OCIP_BASE_URL.rstrip("/") + path,
            "days": settings.OCIP_INVITATION_DAYS,
        }
        subject = render_to_string("email/invitation_subject.txt", context).strip()
        body = render_to_string("email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


def issue(model: type[InvitationBase], *, email: str, invited_by: User, language: str, **fields):
    """Create an invitation of `model`, withdrawing any open one to the same address first.

    Returns (invitation, token); the token exists only here and in the email.
    """
    email = email.strip().lower()
    now = timezone.now()
    model._default_manager.filter(
        email=email, accepted_at__isnull=True, revoked_at__isnull=True, **fields
    ).update(revoked_at=now)
    token, token_hash = new_token()
    invitation = model._default_manager.create(
        email=email,
        invited_by=invited_by,
        language=language,
        token_hash=token_hash,
        expires_at=expiry_from_now(),
        **fields,
    )
    return invitation, token


def revoke(invitation: InvitationBase) -> None:
    if invitation.status != invitation.Status.PENDING:
        raise InvitationError(_("Only a pending invitation can be withdrawn."), code="not_pending")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
