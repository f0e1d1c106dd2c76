"""What the OpenAPI schema says the API answers, and the fixes the schemathesis run led to
(each a plain test here, quicker to read and to run than the schemathesis run)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from tests.factories import CompanyMembershipFactory

pytestmark = pytest.mark.django_db

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def body_schema(response):
    return response["content"]["application/json"]["schema"]


def test_lists_are_documented_as_the_page_they_answer(schema):
    pages = {
        "/api/v1/companies/{slug}/diagnostics/": "PaginatedDiagnosticList",
        "/api/v1/diagnostics/{id}/requests/": "PaginatedRequestSummaryList",
        "/api/v1/requests/": "PaginatedRequestSummaryList",
        "/api/v1/projects/": "PaginatedProjectSummaryList",
        "/api/v1/diagnostics/{id}/matches/": "DiagnosticMatches",
    }
    for path, component in pages.items():
        get = schema["paths"][path]["get"]
        assert body_schema(get["responses"]["200"]) == {"$ref": f"#/components/schemas/{component}"}
        assert "page" in {parameter["name"] for parameter in get["parameters"]}
        properties = schema["components"]["schemas"][component]["properties"]
        assert {"count", "next", "previous", "results"} <= set(properties)
    # A POST answering with a list is not a page.
    created = schema["paths"]["/api/v1/diagnostics/{id}/requests/"]["post"]["responses"]["201"]
    assert body_schema(created) == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/RequestDetail"},
    }


def test_every_operation_documents_its_refusals_with_their_bodies(schema):
    for name, operation in operations(schema):
        responses = operation["responses"]
        assert body_schema(responses["403"]) == ERROR, name
        reads_input = "requestBody" in operation or any(
            p["in"] == "query" and p["name"] != "page" for p in operation.get("parameters", [])
        )
        expected_400 = {"oneOf": [VALIDATION_ERROR, ERROR]} if reads_input else ERROR
        assert body_schema(responses["400"]) == expected_400, name
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert body_schema(responses["404"]) == ERROR, name
        if "409" in responses:
            assert body_schema(responses["409"]) == ERROR, name
        assert "401" not in responses, name  # session authentication answers 403
        for code, response in responses.items():
            assert "content" in response, f"{name} {code} has no body schema"
    conflicts = {name for name, operation in operations(schema) if "409" in operation["responses"]}
    assert {
        "GET /api/v1/diagnostics/{id}/matches/",
        "GET /api/v1/diagnostics/{id}/results/",
        "PUT /api/v1/diagnostics/{id}/steps/{number}/",
        "POST /api/v1/diagnostics/{id}/submit/",
        "POST /api/v1/diagnostics/{id}/requests/",
        "POST /api/v1/requests/{id}/{action}/",
        "POST /api/v1/requests/{id}/accept/",
    } <= conflicts
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_overlapping_bodies_are_any_of(schema):
    components = schema["components"]["schemas"]
    assert "anyOf" in components["RequestDetailForViewer"]
    assert "anyOf" in components["RequestActionInput"]


def test_required_text_says_it_cannot_be_blank(schema):
    answer = schema["components"]["schemas"]["AnswerInput"]["properties"]["answer"]
    assert answer["minLength"] == 1 and answer["pattern"] == r"\S"
    note = schema["components"]["schemas"]["WithdrawInput"]["properties"]["note"]
    assert "minLength" not in note  # may be blank


def test_anonymous_gets_the_documented_json_403(client):
    response = client.get(reverse("api_me"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/diagnostics/-1/",  # <int:pk> matches digits only
        "/api/v1/companies/a%0Ab/diagnostics/",  # not a slug (a newline)
        "/api/v1/requests/1/frobnicate/",  # not an action
        "/api/v2/",
    ],
)
def test_an_address_under_api_that_names_no_endpoint_is_a_json_404(client, path):
    client.force_login(CompanyMembershipFactory().user)
    for response in (
        client.get(path),
        client.post(path, {}, content_type="application/json"),  # not a CSRF refusal
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    # A missing slash is still added (APPEND_SLASH): a redirect to the endpoint.
    assert client.get("/api/v1/me").status_code == 301


def test_an_id_too_large_for_the_database_is_a_404(client):
    client.force_login(CompanyMembershipFactory().user)
    response = client.get(f"/api/v1/diagnostics/{2**70}/")
    assert response.status_code == 404


def test_an_empty_filter_is_refused_as_the_schema_says(client):
    client.force_login(CompanyMembershipFactory().user)
    response = client.get(reverse("api_requests"), {"status": "", "institution": ""})
    assert response.status_code == 400
    assert set(response.json()) == {"status", "institution"}
    assert client.get(reverse("api_requests"), {"status": "submitted"}).status_code == 200


def test_the_api_answers_in_the_language_asked_for(client):
    response = client.get(reverse("api_me"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    assert response.json() == {"detail": "Informations d'authentification non fournies."}
    assert response.headers["Content-Language"] == "fr"


def test_a_logged_in_write_needs_the_csrf_token(db):
    owner = CompanyMembershipFactory().user
    company = owner.company_memberships.get().company
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    url = reverse("api_company_diagnostics", kwargs={"slug": company.slug})
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"].startswith("CSRF Failed")
    token = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    started = client.post(url, {}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert started.status_code == 201
