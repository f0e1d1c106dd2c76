"""The Django and Wagtail admins: platform staff only, through allauth's login with MFA."""

import pytest
from django.urls import reverse

from .conftest import totp_code
from .factories import PASSWORD, CompanyMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMINS = ["/django-admin/", "/cms-admin/"]


@pytest.mark.parametrize("url", ["/django-admin/login/", "/cms-admin/login/"])
def test_admin_login_pages_send_people_to_allauth(client, url):
    response = client.get(f"{url}?next=/cms-admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", ADMINS)
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", ADMINS)
def test_non_staff_get_403(client, url):
    client.force_login(CompanyMembershipFactory().user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMINS)
def test_platform_staff_without_totp_must_set_it_up_first(client, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("url", ADMINS)
def test_platform_staff_reach_the_admins_after_password_and_totp(client, platform_staff, url):
    response = client.post(
        f"{reverse('account_login')}?next={url}",
        {"login": platform_staff.email, "password": PASSWORD, "next": url},
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(url).status_code == 302  # not logged in until the code is given
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(platform_staff)})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.get(url).status_code == 200


def test_platform_staff_service_actions_need_totp(company):
    from diagnostics.services import company_update
    from ocip.accounts.mfa import MFARequired

    staff_without_mfa = UserFactory(is_staff=True)
    with pytest.raises(MFARequired):
        company_update(actor=staff_without_mfa, company=company, name="Hijacked")
