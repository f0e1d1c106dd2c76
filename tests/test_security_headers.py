"""The Content-Security-Policy (and the other security headers) under production settings.

The settings are the real `ocip.settings.production`, loaded in a child process with the
environment the README's "Real deployment" asks for (placeholder addresses, nothing is contacted):
importing it in this process would give a false picture, since it shares base.py's mutable values
with the test settings. Everything it sets is applied here except the services (database, cache,
Celery, email, file storage), and requests come as production's proxy hands them over (HTTPS,
X-Forwarded-For).
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from wagtail.models import Page

from .production import HOST, run_under_production

# What the settings of a running production process are (printed as JSON by the child process).
DUMP_SETTINGS = """
import json, sys
import django
from django.conf import settings
django.setup()
import ocip.settings.production as module
names = [name for name in dir(module) if name.isupper()]
json.dump({name: getattr(settings, name) for name in names}, sys.stdout, default=str)
"""
# Services production reaches over the network or disk; the test process keeps its own.
SERVICES = {"DATABASES", "CACHES", "STORAGES", "REDIS_URL", "OCIP_DELIVERY_EMAIL", "MEDIA_ROOT"}
ADMIN_PREFIX = "/cms-admin/"


def as_json(value):
    return json.loads(json.dumps(value, default=str))


def is_service(name: str) -> bool:
    return name in SERVICES or name.startswith("CELERY_")


@pytest.fixture(scope="module")
def production() -> dict:
    return json.loads(run_under_production(DUMP_SETTINGS))


@pytest.fixture
def production_settings(production):
    """This process's settings made production's, but for the services."""
    overrides = {
        name: value
        for name, value in production.items()
        if not is_service(name) and as_json(getattr(settings, name, None)) != value
    }
    with override_settings(**overrides):
        differing = [
            name
            for name, value in production.items()
            if not is_service(name) and as_json(getattr(settings, name, None)) != value
        ]
        assert differing == []
        yield


def production_client(**extra) -> Client:
    # Production's proxy terminates HTTPS and appends the client's address.
    return Client(
        HTTP_HOST=HOST,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        REMOTE_ADDR="10.0.0.2",
        **extra,
    )


def parse_policy(header: str) -> dict[str, list[str]]:
    policy = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        assert name not in policy, f"{name} twice in {header}"
        policy[name] = sources
    return policy


def policy_of(response) -> dict[str, list[str]]:
    assert "Content-Security-Policy" in response, f"no CSP on {response.request['PATH_INFO']}"
    assert "Content-Security-Policy-Report-Only" not in response
    return parse_policy(response["Content-Security-Policy"])


def assert_strict(policy: dict[str, list[str]]) -> None:
    """Our pages: our origin only, nothing inline, no eval, no plugins, no framing."""
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # Neither a -elem/-attr variant nor anything else loosens scripts or styles.
    for name, sources in policy.items():
        assert "'unsafe-inline'" not in sources, name
        assert "'unsafe-eval'" not in sources, name
        assert set(sources) <= {"'self'", "'none'", "data:"}, name
    assert policy["img-src"] == ["'self'", "data:"]  # the TOTP QR code


@pytest.fixture
def staff_client(production_settings, platform_staff):
    client = production_client()
    client.force_login(platform_staff)
    return client


@pytest.fixture
def home_page(db):
    return Page.objects.get(depth=2, locale__language_code="en").specific


# --- the settings themselves -------------------------------------------------------------------


def test_production_runs_without_debug_and_with_the_csp_middleware(production):
    assert production["DEBUG"] is False
    assert production["OCIP_ENVIRONMENT"] == "production"
    assert "ocip.middleware.PathContentSecurityPolicyMiddleware" in production["MIDDLEWARE"]
    assert "csp" in production["INSTALLED_APPS"]
    assert production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert not production.get("CONTENT_SECURITY_POLICY_REPORT_ONLY")  # enforced, not reported
    # The policy is the same in every environment, so dev and the browser tests see it too.
    assert as_json(settings.CONTENT_SECURITY_POLICY) == production["CONTENT_SECURITY_POLICY"]
    assert as_json(settings.OCIP_CSP_PATH_POLICIES) == production["OCIP_CSP_PATH_POLICIES"]


def test_the_only_path_with_exceptions_is_the_wagtail_admin(production):
    assert list(production["OCIP_CSP_PATH_POLICIES"]) == [ADMIN_PREFIX]
    exceptions = production["OCIP_CSP_PATH_POLICIES"][ADMIN_PREFIX]
    # Inline <script> and <style> elements only: inline handlers, style= attributes and eval
    # stay blocked in the admin too.
    assert set(exceptions) == {
        "script-src-elem",
        "style-src-elem",
        "img-src",
        "connect-src",
        "frame-ancestors",
    }
    assert not any("'unsafe-eval'" in sources for sources in exceptions.values())


# --- our pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/fr/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
)
def test_our_pages_get_the_strict_policy(production_settings, home_page, path):
    response = production_client().get(path)
    assert response.status_code == 200
    assert_strict(policy_of(response))
    # The rest of production's headers, while we are here.
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_our_pages_for_a_signed_in_person_get_the_strict_policy(
    production_settings, business_owner, company
):
    client = production_client()
    client.force_login(business_owner)
    for path in [
        reverse("dashboard"),
        reverse("profile"),
        reverse("company_detail", args=[company.slug]),
        reverse("diagnostic_list", args=[company.slug]),
        reverse("notification_list"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(policy_of(response))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/cms-adminx/", "/fr/cms-admin/", "/documents/cms-admin/"])
def test_paths_that_merely_resemble_the_admin_get_the_strict_policy(production_settings, path):
    response = production_client().get(path)
    assert response.status_code == 404
    assert_strict(policy_of(response))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/django-admin/", "/django-admin/accounts/user/"])
def test_the_django_admin_gets_the_strict_policy(staff_client, path):
    response = staff_client.get(path)
    assert response.status_code == 200
    assert_strict(policy_of(response))


# --- the Wagtail admin -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/", "pages/", "pages/{home}/edit/", "images/", "users/"])
def test_the_wagtail_admin_gets_our_policy_with_its_listed_exceptions(
    production, staff_client, home_page, page
):
    path = ADMIN_PREFIX + page.lstrip("/").format(home=home_page.pk)
    response = staff_client.get(path)
    assert response.status_code == 200, path
    policy = policy_of(response)
    exceptions = production["OCIP_CSP_PATH_POLICIES"][ADMIN_PREFIX]
    ours = production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert policy == {**ours, **exceptions}
    # Scripts: inline elements run, inline handlers and eval do not (script-src-attr falls back
    # to script-src).
    assert policy["script-src"] == ["'self'"]
    assert "script-src-attr" not in policy
    assert policy["script-src-elem"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'"]
    assert "style-src-attr" not in policy
    assert not any("'unsafe-eval'" in sources for sources in policy.values())
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]


@pytest.mark.django_db
def test_wagtail_previews_of_our_pages_get_our_policy_framed_by_the_admin(
    production_settings, platform_staff, home_page
):
    # What the editor's preview panel shows: Wagtail runs a dummy request for the page's own URL
    # through the middleware, inside the admin's preview view.
    request = RequestFactory().get(
        f"{ADMIN_PREFIX}pages/{home_page.pk}/edit/preview/",
        HTTP_HOST=HOST,
        HTTP_X_FORWARDED_PROTO="https",
    )
    request.user = platform_staff
    response = home_page.make_preview_request(request)
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy.pop("frame-ancestors") == ["'self'"]
    assert_strict({**policy, "frame-ancestors": ["'none'"]})


@pytest.mark.django_db
def test_anonymous_visitors_of_the_admin_are_sent_to_a_strict_login_page(production_settings):
    client = production_client()
    response = client.get(ADMIN_PREFIX, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert_strict(policy_of(response))


# --- in a browser: no violation on the pages the policies were written for ----------------------
