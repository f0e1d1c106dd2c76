"""Joining by invitation: accept, expired, reused, withdrawn, wrong email; who may invite."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import CompanyMembership
from matching import services as institution_services
from matching.models import InstitutionMembership
from ocip.accounts.mfa import MFARequired, current_totp_code

from .conftest import totp_code
from .factories import PASSWORD, InstitutionMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _invite(client, capture, url, data):
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    message = mail.outbox[-1]
    path = re.search(r"https?://[^/\s]+(/\S*invitations/\S+/)", message.body).group(1)
    return message, path


@pytest.fixture
def invite_colleague(client, business_owner, company, django_capture_on_commit_callbacks):
    """Log in as the company's owner, invite `email`; returns the path of the emailed link."""

    def invite(email: str, language: str = "en") -> str:
        client.force_login(business_owner)
        _message, path = _invite(
            client,
            django_capture_on_commit_callbacks,
            reverse("company_invite", args=[company.slug]),
            {"email": email, "language": language},
        )
        return path

    return invite


def test_business_member_invites_a_colleague_who_signs_up_and_joins(
    client, business_owner, company, django_capture_on_commit_callbacks
):
    client.force_login(business_owner)
    message, path = _invite(
        client,
        django_capture_on_commit_callbacks,
        reverse("company_invite", args=[company.slug]),
        {"email": "Colleague@Acme.example", "language": "en"},
    )
    assert message.to == ["colleague@acme.example"]
    assert "Acme" in message.subject
    client.logout()

    # The invitee opens the link, creates an account (no company asked, no second
    # verification: the link proved the address) and accepts.
    response = client.get(path)
    assert response.status_code == 200
    assert "Create my account" in response.content.decode()
    signup = client.get(reverse("account_signup"))
    assert "company_name" not in signup.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{reverse('account_signup')}?next={path}",
            {
                "first_name": "Cole",
                "last_name": "League",
                "email": "colleague@acme.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == path
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    membership = CompanyMembership.objects.get(user__email="colleague@acme.example")
    assert membership.company == company
    assert membership.role == CompanyMembership.Role.MEMBER
    assert "Acme" in client.get(reverse("dashboard")).content.decode()

    # Single use.
    response = client.get(path)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_invitation_expires(client, invite_colleague):
    path = invite_colleague("late@example.com")
    late = UserFactory(email="late@example.com")
    client.force_login(late)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.post(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not CompanyMembership.objects.filter(user=late).exists()


def test_invitation_for_another_address_is_refused(client, invite_colleague):
    path = invite_colleague("right@example.com")
    intruder = UserFactory(email="wrong@example.com")
    client.force_login(intruder)
    assert client.get(path).status_code == 403
    response = client.post(path)
    assert response.status_code == 403
    assert "another email address" in response.content.decode()
    assert not CompanyMembership.objects.filter(user=intruder).exists()


def test_withdrawn_invitation_cannot_be_used(client, company, invite_colleague):
    path = invite_colleague("maybe@example.com")
    invitation = company.invitations.get()
    response = client.post(reverse("company_invitation_revoke", args=[company.slug, invitation.pk]))
    assert response.status_code == 302
    client.force_login(UserFactory(email="maybe@example.com"))
    response = client.post(path)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_unknown_token_is_404(client):
    assert client.get(reverse("invitation_accept", args=["nope"])).status_code == 404


def test_reinviting_replaces_the_open_invitation(client, invite_colleague):
    first_path = invite_colleague("x@example.com")
    second_path = invite_colleague("x@example.com", language="fr")
    assert second_path.startswith("/fr/")
    client.force_login(UserFactory(email="x@example.com"))
    assert client.post(first_path).status_code == 410
    assert client.post(second_path).status_code == 302


def test_inviting_an_existing_member_is_a_form_error(client, business_owner, company):
    client.force_login(business_owner)
    response = client.post(
        reverse("company_invite", args=[company.slug]),
        {"email": business_owner.email, "language": "en"},
    )
    assert response.status_code == 400
    assert "already a member" in response.content.decode()


def test_office_staff_invites_a_student_in_french(
    client, office_staff, institution, django_capture_on_commit_callbacks
):
    client.force_login(office_staff)
    message, path = _invite(
        client,
        django_capture_on_commit_callbacks,
        reverse("institution_invite", args=[institution.slug]),
        {"email": "etudiante@college.example", "role": "student", "language": "fr"},
    )
    assert message.subject == "Invitation à vous joindre à College sur la PCIO"
    assert path.startswith("/fr/invitations/")
    student = UserFactory(email="etudiante@college.example")
    client.force_login(student)
    assert client.post(path).status_code == 302
    assert InstitutionMembership.objects.get(user=student).role == "student"


def test_invited_office_staff_must_enrol_totp_before_anything_else(
    client, office_staff, institution, django_capture_on_commit_callbacks
):
    client.force_login(office_staff)
    _message, path = _invite(
        client,
        django_capture_on_commit_callbacks,
        reverse("institution_invite", args=[institution.slug]),
        {"email": "new.office@college.example", "role": "office_staff", "language": "en"},
    )
    UserFactory(email="new.office@college.example")
    client.logout()
    client.post(
        reverse("account_login"), {"login": "new.office@college.example", "password": PASSWORD}
    )
    response = client.post(path)
    assert response.status_code == 302
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth's TOTP set-up asks for the password again, then shows the secret; a valid
    # code activates it.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    code = current_totp_code(secret)
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_only_the_research_office_may_invite_to_an_institution(client, institution):
    researcher = InstitutionMembershipFactory(institution=institution, role="researcher").user
    client.force_login(researcher)
    url = reverse("institution_invite", args=[institution.slug])
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"email": "a@b.example", "role": "student", "language": "en"}).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        institution_services.institution_invitation_create(
            actor=researcher,
            institution=institution,
            email="a@b.example",
            role="student",
            language="en",
        )


def test_services_refuse_office_staff_without_totp(institution):
    staff_without_mfa = InstitutionMembershipFactory(
        institution=institution, role="office_staff"
    ).user
    with pytest.raises(MFARequired):
        institution_services.institution_invitation_create(
            actor=staff_without_mfa,
            institution=institution,
            email="a@b.example",
            role="student",
            language="en",
        )


def test_removing_members_keeps_one_research_office_member(client, office_staff, institution):
    client.force_login(office_staff)
    researcher = InstitutionMembershipFactory(institution=institution, role="researcher")
    response = client.post(
        reverse("institution_member_remove", args=[institution.slug, researcher.pk])
    )
    assert response.status_code == 302
    assert not InstitutionMembership.objects.filter(pk=researcher.pk).exists()
    own = office_staff.institution_memberships.get()
    response = client.post(
        reverse("institution_member_remove", args=[institution.slug, own.pk]), follow=True
    )
    assert "at least one research-office member" in response.content.decode()
    assert InstitutionMembership.objects.filter(pk=own.pk).exists()


def test_company_members_cannot_remove_people_but_owners_can(client, business_owner, company):
    colleague = CompanyMembership.objects.create(
        company=company, user=UserFactory(email="c@acme.example"), role="member"
    )
    client.force_login(colleague.user)
    owner_membership = business_owner.company_memberships.get()
    response = client.post(
        reverse("company_member_remove", args=[company.slug, owner_membership.pk])
    )
    assert response.status_code == 403
    client.force_login(business_owner)
    response = client.post(reverse("company_member_remove", args=[company.slug, colleague.pk]))
    assert response.status_code == 302
    assert not CompanyMembership.objects.filter(pk=colleague.pk).exists()
    response = client.post(
        reverse("company_member_remove", args=[company.slug, owner_membership.pk]), follow=True
    )
    assert "at least one owner" in response.content.decode()


def test_staff_login_asks_for_a_totp_code(client, office_staff):
    response = client.post(
        reverse("account_login"), {"login": office_staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(office_staff)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(office_staff.pk)


@pytest.mark.parametrize("same_browser", [True, False], ids=["same browser", "another browser"])
def test_an_invited_office_member_signs_up_without_a_company(
    client, office_staff, institution, django_capture_on_commit_callbacks, same_browser
):
    """Invited people join an organization: they are not asked for a company, and a company
    name sent anyway (a form opened in another browser, without the invitation's session)
    creates no stray company."""
    from django.test import Client

    from diagnostics.models import Company

    client.force_login(office_staff)
    _message, path = _invite(
        client,
        django_capture_on_commit_callbacks,
        reverse("institution_invite", args=[institution.slug]),
        {"email": "new.office@college.example", "role": "office_staff", "language": "en"},
    )
    browser = client if same_browser else Client()
    browser.logout()
    if same_browser:
        browser.get(path)
        assert "company_name" not in browser.get(reverse("account_signup")).content.decode()
    companies = Company.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("account_signup"),
            {
                "first_name": "Nora",
                "last_name": "Office",
                "company_name": "" if same_browser else "Nora's Stray Co",
                "email": "new.office@college.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302, response.content.decode()
    assert Company.objects.count() == companies
    user = get_user_model().objects.get(email="new.office@college.example")
    assert not user.company_memberships.exists()


def test_a_business_signing_up_without_an_invitation_must_name_its_company(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "first_name": "Ada",
            "last_name": "Owner",
            "company_name": " ",
            "email": "ada@newco.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Give the name of your company." in response.content.decode()
    assert not get_user_model().objects.filter(email="ada@newco.example").exists()
