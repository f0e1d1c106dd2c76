"""On PostgreSQL: two accepts of one invitation at the same moment make one membership."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from diagnostics.models import CompanyInvitation, CompanyMembership
from diagnostics.services import company_invitation_accept
from ocip.accounts import invitations

from ..factories import CompanyMembershipFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_accepts_of_one_invitation_make_one_membership():
    owner = CompanyMembershipFactory().user
    company = owner.company_memberships.get().company
    invitation, _token = invitations.issue(
        CompanyInvitation,
        email="twice@example.com",
        invited_by=owner,
        language="en",
        company=company,
    )
    invitee = UserFactory(email="twice@example.com")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept():
        try:
            barrier.wait()
            company_invitation_accept(
                user=invitee, invitation=CompanyInvitation.objects.get(pk=invitation.pk)
            )
            outcomes.append("accepted")
        except invitations.InvitationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "refused"]
    assert CompanyMembership.objects.filter(user=invitee).count() == 1
    assert connection.vendor == "postgresql"
