"""The text boundary: NUL characters and lone surrogates are refused with a 400 wherever text
enters (JSON bodies, form fields, query strings, paths); JSON is read with size and depth
limits; API fields take only their JSON type and length; stored text is NFC."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from rest_framework.exceptions import ParseError

from diagnostics.models import Diagnostic
from diagnostics.services import diagnostic_start
from ocip import text
from ocip.parsers import SafeJSONParser, VerbatimJSONParser

from .diagnostics.conftest import step_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(business_owner, company):
    diagnostic, _created = diagnostic_start(actor=business_owner, company=company)
    return diagnostic


def put_raw(client, diagnostic, body: str | bytes, number: int = 1):
    return client.generic(
        "PUT",
        reverse("api_diagnostic_step", kwargs={"pk": diagnostic.pk, "number": number}),
        body,
        content_type="application/json",
    )


def step_one(**answers) -> dict:
    return {"answers": {"organization_type": "for_profit", **answers}, "complete": False}


# --- JSON bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("escaped", "reason"),
    [("Ott\\ud800awa", "surrogate"), ("Ott\\udfffawa", "surrogate"), ("Ott\\u0000awa", "NUL")],
)
def test_a_lone_surrogate_or_nul_in_json_is_a_400_and_nothing_is_stored(
    client, business_owner, draft, escaped, reason
):
    client.force_login(business_owner)
    body = '{"answers": {"municipality": "' + escaped + '"}, "complete": false}'
    response = put_raw(client, draft, body)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "answers.municipality" in detail and reason in detail
    draft.refresh_from_db()
    assert draft.revision == 0 and "municipality" not in draft.answers
    # The pages that broke on such a row still work.
    assert client.get(reverse("api_diagnostic", kwargs={"pk": draft.pk})).status_code == 200
    assert client.get(reverse("diagnostic_step", args=[draft.pk, 1])).status_code == 200


def test_a_surrogate_in_a_key_is_refused_without_being_repeated(client, business_owner, draft):
    client.force_login(business_owner)
    response = put_raw(client, draft, '{"answers": {"x\\ud800": "a"}, "complete": false}')
    assert response.status_code == 400
    assert "\\ud800" not in response.content.decode() and "\ud800" not in response.json()["detail"]


def test_a_surrogate_in_a_choice_is_a_400_not_a_500(client, business_owner, draft):
    client.force_login(business_owner)
    body = '{"answers": {"organization_type": "corp\\ud800"}, "complete": false}'
    assert put_raw(client, draft, body).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"answers": {"municipality": ' + "[" * 3_000 + "]" * 3_000 + "}}",
        '{"a": ' * 40 + "1" + "}" * 40,
    ],
    ids=["100000-deep body", "3000-deep field", "40-deep objects"],
)
def test_deeply_nested_json_is_a_400_that_says_why(client, business_owner, draft, body):
    client.force_login(business_owner)
    response = put_raw(client, draft, body)
    assert response.status_code == 400
    assert "deeper than" in response.json()["detail"]


def test_brackets_inside_strings_do_not_count_as_nesting(client, business_owner, draft):
    client.force_login(business_owner)
    municipality = "[" * 60 + '"{' * 20
    response = put_raw(client, draft, json.dumps(step_one(municipality=municipality)))
    assert response.status_code == 200, response.json()
    assert Diagnostic.objects.get(pk=draft.pk).answers["municipality"] == municipality


def test_a_body_over_the_size_limit_is_a_400(client, business_owner, draft, settings):
    settings.OCIP_API_MAX_BODY_BYTES = 1_000
    client.force_login(business_owner)
    body = json.dumps(step_one(municipality="x" * 2_000))
    response = put_raw(client, draft, body)
    assert response.status_code == 400
    assert "larger than 1,000 bytes" in response.json()["detail"]


def test_invalid_json_and_non_utf8_are_400s(client, business_owner, draft):
    client.force_login(business_owner)
    assert put_raw(client, draft, '{"answers": ').status_code == 400
    assert put_raw(client, draft, b'{"answers": {"municipality": "\xff"}}').status_code == 400
    assert put_raw(client, draft, '{"answers": {"fte_ontario": NaN}}').status_code == 400
    infinite = put_raw(client, draft, '{"answers": {"fte_ontario": 1e999}}')
    assert infinite.status_code == 400 and "out of range" in infinite.json()["detail"]


def test_the_api_reads_json_only(client, business_owner, draft):
    client.force_login(business_owner)
    response = client.put(
        reverse("api_diagnostic_step", kwargs={"pk": draft.pk, "number": 1}),
        "answers=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415


# --- Each answer takes its own JSON type -----------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("municipality", None),
        ("municipality", True),
        ("municipality", 1e308),
        ("municipality", int("9" * 401)),
        ("municipality", ["Ottawa"]),
        ("municipality", {"city": "Ottawa"}),
        ("fte_ontario", "12"),
        ("fte_ontario", 12.5),
        ("fte_ontario", True),
        ("fte_global", [1]),
        ("organization_type", 1),
    ],
)
def test_an_answer_of_the_wrong_json_type_is_refused_by_question(
    client, business_owner, draft, question, value
):
    client.force_login(business_owner)
    response = put_raw(client, draft, json.dumps(step_one(**{question: value})))
    assert response.status_code == 400
    assert question in response.json()["answers"]
    draft.refresh_from_db()
    assert draft.revision == 0


def test_answers_of_the_right_type_are_stored_nfc(client, business_owner, draft):
    client.force_login(business_owner)
    decomposed = "Montre\u0301al"
    response = put_raw(
        client,
        draft,
        json.dumps(step_one(municipality=decomposed, fte_ontario=12, fte_global=None)),
    )
    assert response.status_code == 200, response.json()
    assert Diagnostic.objects.get(pk=draft.pk).answers["municipality"] == "Montr\u00e9al"


# --- API fields: type and length --------------------------------------------------------------


def test_fields_refuse_numbers_as_text_and_text_as_numbers():
    from ocip import api_fields

    text_field = api_fields.Text(max_length=10)
    integer = api_fields.Integer(min_value=1)
    person = api_fields.PersonRef()
    for value in (12, 1.5, True, ["a"]):
        with pytest.raises(Exception, match="JSON string"):
            text_field.run_validation(value)
    with pytest.raises(Exception, match="null"):
        text_field.run_validation(None)
    for value in ("12", 12.0, True, 2**31):
        with pytest.raises(Exception):  # noqa: B017 - DRF's ValidationError, any message
            integer.run_validation(value)
    assert integer.run_validation(12) == 12
    for value in ("x" * 255, "", True, 0, 2**40, 1.0):
        with pytest.raises(Exception):  # noqa: B017
            person.run_validation(value)
    assert person.run_validation(7) == 7 and person.run_validation("a@b.example") == "a@b.example"


# --- Forms, query strings and paths -------------------------------------------------------------


def test_a_nul_in_a_form_field_is_a_400_page_and_nothing_is_stored(client, business_owner, draft):
    client.force_login(business_owner)
    data = {**step_post_data(1), "municipality": "Ott\x00awa"}
    response = client.post(reverse("diagnostic_step", args=[draft.pk, 1]), data)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    draft.refresh_from_db()
    assert draft.revision == 0


def test_form_text_is_stored_nfc(client, business_owner, draft):
    client.force_login(business_owner)
    data = {**step_post_data(1), "municipality": "Montre\u0301al"}
    response = client.post(reverse("diagnostic_step", args=[draft.pk, 1]), data)
    assert response.status_code == 302
    assert Diagnostic.objects.get(pk=draft.pk).answers["municipality"] == "Montr\u00e9al"


def test_line_breaks_are_stored_as_a_page_or_the_api_would_send_them():
    from ocip.text import normalized

    assert normalized("Plan the tests.\r\nReport to the partner.\n") == (
        "Plan the tests.\nReport to the partner.\n"
    )


def test_passwords_are_not_normalised(client, db):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from ocip.middleware import TextBoundaryMiddleware

    seen = {}

    def view(request):
        seen.update(request.POST.dict())
        return HttpResponse()

    request = RequestFactory().post(
        "/accounts/login/", {"password": "e\u0301", "login": "Montre\u0301al"}
    )
    TextBoundaryMiddleware(view)(request)
    assert seen == {"password": "e\u0301", "login": "Montr\u00e9al"}


@pytest.mark.parametrize(
    "url",
    ["/api/v1/requests/?status=%00", "/api/v1/requests/?institution=a%00b", "/fr/%00/"],
)
def test_a_nul_in_a_query_string_or_a_path_is_a_400(client, business_owner, url):
    client.force_login(business_owner)
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert "NUL" in response.json()["detail"]


def test_a_nul_in_the_queue_filters_is_a_400(client, office_staff, institution):
    client.force_login(office_staff)
    url = reverse("request_queue", args=[institution.slug])
    assert client.get(url, {"sector": "a\x00b"}).status_code == 400
    assert client.get(url, {"sector": "manufacturing"}).status_code == 200


# --- The pure module ----------------------------------------------------------------------------


def test_depth_is_counted_outside_strings_only():
    assert not text.json_depth_exceeds(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 3)
    assert text.json_depth_exceeds(b'{"a": [[[1]]]}', 3)
    assert not text.json_depth_exceeds(b'{"a": [[1]]}', 3)
    assert not text.json_depth_exceeds(b'{"a": "\\"[[[[["}', 2)


def test_signed_documents_are_checked_but_never_altered():
    document = {"name": "Montre\u0301al", "proof": {"jws": "e\u0301"}}
    raw = json.dumps(document).encode()
    verbatim = VerbatimJSONParser().parse(io.BytesIO(raw))
    normalised = SafeJSONParser().parse(io.BytesIO(raw))
    assert verbatim == document
    assert normalised["name"] == "Montr\u00e9al"
    with pytest.raises(ParseError, match="surrogate"):
        VerbatimJSONParser().parse(io.BytesIO(b'{"proof": "\\ud800"}'))


# --- What was stored before the boundary ------------------------------------------------------


def test_stored_text_with_a_lone_surrogate_is_found_and_cleaned(client, business_owner, draft):
    """SQLite stored such an answer (inside the JSON) and every page of the diagnostic broke;
    PostgreSQL refuses it. The command finds and cleans what an older version let in."""
    from django.core.management import CommandError, call_command
    from django.db import DataError, connection, transaction

    broken = {"municipality": "Ott\ud800awa", "sector": "a\x00b"}
    if connection.vendor == "postgresql":
        with pytest.raises(DataError), transaction.atomic():
            Diagnostic.objects.filter(pk=draft.pk).update(answers=broken)
        call_command("check_stored_text", stdout=io.StringIO())  # nothing to find
        return
    Diagnostic.objects.filter(pk=draft.pk).update(answers=broken)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 stored values|1 stored values"):
        call_command("check_stored_text", stdout=out)
    assert f"diagnostics.Diagnostic #{draft.pk} answers" in out.getvalue()

    call_command("check_stored_text", "--fix", stdout=out)
    assert Diagnostic.objects.get(pk=draft.pk).answers == {
        "municipality": "Ott\ufffdawa",
        "sector": "ab",
    }
    call_command("check_stored_text", stdout=out)  # clean now
    client.force_login(business_owner)
    assert client.get(reverse("api_diagnostic", kwargs={"pk": draft.pk})).status_code == 200


def test_complete_is_a_json_boolean(client, business_owner, draft):
    client.force_login(business_owner)
    for value in ("true", 1, None):
        body = json.dumps({"answers": {"organization_type": "for_profit"}, "complete": value})
        response = put_raw(client, draft, body)
        assert response.status_code == 400 and "complete" in response.json(), value
