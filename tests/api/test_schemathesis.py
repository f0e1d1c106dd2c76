"""The API keeps the contract its OpenAPI schema states, under generated requests.

Schemathesis loads the schema the app serves (/api/schema/) and generates requests from it,
schema-valid ones and schema-breaking ones, which go through the whole WSGI application (every
middleware, the session, the CSRF check) as three personas: anonymous, a business owner (the
demo's Northwind: a submitted diagnostic with matches, requests and a project) and a research
office member with two factors (the demo's Algonquin, with requests in its queue). Logged-in
personas carry the session cookie and the CSRF token, so writes reach the views.

Random ids would mostly meet a 404: part of the cases of an operation whose path names an object
use the persona's real ids instead, and most schema-valid cases get real values where an id, a
version, a colleague or a page is asked for (and the body of the action the path names), so the
2xx, 400 and 409 paths run too.

Every response must: not be a server error; have a documented status code and content type; and
have a body that the schema for that status code describes. Hypothesis runs with a fixed seed.
The counts per persona and status class are printed at the end of the run and, with
OCIP_SCHEMATHESIS_REPORT=<file>, written to that file as JSON with the counts per operation and
status code (and, with OCIP_SCHEMATHESIS_SAMPLES=1, samples of the 400 and 409 answers).
"""

from __future__ import annotations

import json
import os
import random
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from diagnostics.models import Company, Diagnostic
from diagnostics.services import diagnostic_start
from matching import selectors as matching_selectors
from matching.models import ExpertiseProfile, FundingProgram, Institution, IntroductionRequest
from matching.search import InProcessBackend
from ocip.accounts.models import User
from projects import selectors as project_selectors
from tests.diagnostics.conftest import V1
from tests.diagnostics.examples import MACHINE_SHOP

from .conftest import RESULTS

pytestmark = pytest.mark.django_db

SEED = 20260512
# Generated cases per operation and mode, twice as many for writes: with the 17 operations,
# 1,360 requests a persona (an operation with nothing to break has no negative case).
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 20}
MORE_FOR_WRITES = 2
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
PERSONAS = {
    "anonymous": None,
    "business": "alice.tremblay@northwind.example",
    "office": "olivia.chen@algonquin.example",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class World:
    """The real values a persona's cases may use: ids in paths, and values inside bodies."""

    user: User | None
    company_slugs: list[str]
    diagnostic_ids: list[int]
    request_ids: list[int]
    project_ids: list[int]
    profile_ids: list[str]
    institution_slugs: list[str]
    program_slugs: list[str]

    @classmethod
    def of(cls, email: str | None) -> World:
        business = User.objects.get(email=PERSONAS["business"])
        user = User.objects.get(email=email) if email else None
        company = Company.objects.get(memberships__user=business)
        # A draft too, so that steps can be saved and submitted.
        diagnostic_start(actor=business, company=company)
        diagnostics = list(Diagnostic.objects.filter(company=company).values_list("pk", flat=True))
        seen_as = user or business
        requests = matching_selectors.requests_visible_to(seen_as)
        return cls(
            user=user,
            company_slugs=[company.slug],
            diagnostic_ids=diagnostics,
            request_ids=list(requests.order_by("pk").values_list("pk", flat=True)),
            project_ids=list(
                project_selectors.projects_for(seen_as).order_by("pk").values_list("pk", flat=True)
            ),
            profile_ids=[
                match["profile"]
                for diagnostic_id in diagnostics
                if (
                    run := matching_selectors.latest_match_run(
                        user=business, diagnostic_id=diagnostic_id
                    )
                )
                for match in run.matches[:20]
            ],
            institution_slugs=list(Institution.objects.values_list("slug", flat=True)[:20]),
            program_slugs=list(FundingProgram.objects.values_list("slug", flat=True)),
        )

    def path_values(self, path: str, name: str) -> list:
        if name == "slug":
            return self.company_slugs
        if name == "number":
            return list(range(1, V1.step_count + 1))
        if name == "version":
            return [1]
        if name != "id":
            return []
        if path.startswith("/api/v1/diagnostics/"):
            return self.diagnostic_ids
        if path.startswith("/api/v1/requests/"):
            return self.request_ids
        if path.startswith("/api/v1/projects/"):
            return self.project_ids
        return []

    def make_realistic(self, case, rnd: random.Random) -> None:
        """Put real values in a schema-valid case (valid values too: the case stays valid)."""
        if isinstance(case.query, dict) and "page" in case.query:
            case.query["page"] = 1
        body = case.body
        if not isinstance(body, dict):
            return
        path, params = case.operation.path, case.path_parameters or {}
        intro = None
        if path.startswith("/api/v1/requests/{id}/"):
            intro = IntroductionRequest.objects.filter(pk=params.get("id")).first()
        if path == "/api/v1/requests/{id}/{action}/" and intro is not None:
            # The body of the action in the path (the schema offers any action's body).
            text = next(
                (v[:1000] for v in body.values() if isinstance(v, str) and v.strip()),
                "Generated text.",
            )
            version = intro.version
            wanted = {
                "assign": {"version": version, "assignee": 0},
                "message": {"body": text},
                "note": {"body": text},
                "ask-info": {"version": version, "question": text},
                "answer": {"answer": text},
                "decline": {
                    "version": version,
                    "reason": rnd.choice(IntroductionRequest.DeclineReason.values),
                    "note": text,
                },
                "refer": {
                    "version": version,
                    "to_institution": rnd.choice(self.institution_slugs),
                    "note": text,
                },
                "withdraw": {"note": text},
            }.get(params.get("action"), {})
            if wanted:
                body.clear()
                body.update(wanted)
        if "version" in body and intro is not None:
            body["version"] = intro.version
        for key in ("assignee", "lead"):
            if key in body and intro is not None:
                people = list(
                    matching_selectors.assignable_people(intro.institution).values_list(
                        "email", flat=True
                    )
                )
                if people:
                    body[key] = rnd.choice(people)
        if "to_profile" in body:
            body["to_profile"] = rnd.choice(
                list(ExpertiseProfile.objects.values_list("external_id", flat=True)[:50])
            )
        if "to_institution" in body:
            body["to_institution"] = rnd.choice(self.institution_slugs)
        if "programs" in body and self.program_slugs:
            body["programs"] = rnd.sample(self.program_slugs, k=min(2, len(self.program_slugs)))
        if "profiles" in body and self.profile_ids:
            body["profiles"] = rnd.sample(self.profile_ids, k=min(len(body["profiles"]) or 1, 3))
        if "answers" in body and path.endswith("/steps/{number}/"):
            number = params.get("number")
            if isinstance(number, int) and 1 <= number <= V1.step_count:
                questions = [q["id"] for q in V1.step(number)["questions"]]
                body["answers"] = {q: MACHINE_SHOP[q] for q in questions if q in MACHINE_SHOP}
        if "revision" in body and path.endswith("/submit/"):
            diagnostic = Diagnostic.objects.filter(pk=params.get("id")).first()
            if diagnostic is not None:
                body["revision"] = diagnostic.revision


@dataclass
class Tally:
    persona: str
    statuses: Counter = field(default_factory=Counter)
    writes: Counter = field(default_factory=Counter)
    failures: dict = field(default_factory=dict)
    by_operation: dict = field(default_factory=dict)
    samples: dict = field(default_factory=dict)
    server_errors: list = field(default_factory=list)  # tracebacks of the request being made
    seconds: float = 0.0

    def count(self, method: str, path: str, status: int) -> None:
        self.statuses[f"{status // 100}xx"] += 1
        self.by_operation.setdefault(f"{method} {path}", Counter())[str(status)] += 1
        if method in WRITES:
            self.writes["total"] += 1
            self.writes["not_403"] += status != 403
            self.writes["2xx"] += 200 <= status < 300

    def fail(self, case, kind: str, detail: str) -> None:
        key = f"{case.method} {case.operation.path} {kind}"
        self.failures.setdefault(key, detail[:3000])

    def summary(self) -> dict:
        return {
            "requests": sum(self.statuses.values()),
            **dict(sorted(self.statuses.items())),
            "writes": self.writes["total"],
            "writes_not_403": self.writes["not_403"],
            "writes_2xx": self.writes["2xx"],
            "failures": len(self.failures),
            "seconds": round(self.seconds, 1),
        }


@contextmanager
def in_process_requests(tally: Tally):
    """Serve the WSGI app inside the test's transaction, as Django's test client does: no
    connection closed at the end of a request, and each unhandled exception kept."""

    def keep(sender, request=None, **kwargs):
        tally.server_errors.append(traceback.format_exc())

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep)
    try:
        yield
    finally:
        got_request_exception.disconnect(keep)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def credentials(user: User | None) -> tuple[dict, dict]:
    """The session cookie and CSRF token of a logged-in persona (headers, cookies)."""
    if user is None:
        return {}, {}
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: token,
    }
    return {"X-CSRFToken": token}, cookies


def strategy_for(operation, mode: GenerationMode, world: World):
    """Generated cases, and as many again with the persona's real ids in the path."""
    generated = operation.as_strategy(generation_mode=mode)
    names = [p.name for p in operation.path_parameters]
    real = {name: world.path_values(operation.path, name) for name in names}
    real = {name: values for name, values in real.items() if values}
    if real:
        with_real_ids = st.fixed_dictionaries(
            {name: st.sampled_from(values) for name, values in real.items()}
        ).flatmap(lambda ids: operation.as_strategy(generation_mode=mode, path_parameters=ids))
        # Mostly real ids for schema-valid cases; as many generated ones for the others.
        weight = 3 if mode is GenerationMode.POSITIVE else 1
        generated = st.one_of(generated, *[with_real_ids] * weight)
    return st.tuples(generated, st.randoms(use_true_random=False))


def exercise(operation, mode: GenerationMode, world: World, tally: Tally, headers, cookies):
    examples = EXAMPLES[mode] * (MORE_FOR_WRITES if operation.method.upper() in WRITES else 1)

    @seed(SEED)
    @hypothesis_settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(drawn=strategy_for(operation, mode, world))
    def run(drawn):
        case, rnd = drawn
        if mode is GenerationMode.POSITIVE and rnd.random() < 0.6:
            world.make_realistic(case, rnd)
        tally.server_errors.clear()
        try:
            response = case.call(headers=headers, cookies=cookies)
        except Exception:
            tally.fail(case, "exception", traceback.format_exc())
            return
        tally.count(case.method.upper(), case.operation.path, response.status_code)
        if response.status_code in (400, 409) and os.environ.get("OCIP_SCHEMATHESIS_SAMPLES"):
            samples = tally.samples.setdefault(f"{case.method} {case.operation.path}", set())
            if len(samples) < 12:
                samples.add(f"{response.status_code} {response.text[:200]}")
        if tally.server_errors:
            tally.fail(case, f"{response.status_code}", tally.server_errors[0])
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup
            failures = getattr(error, "exceptions", [error])
            for failure in failures:
                title = getattr(failure, "title", type(failure).__name__)
                tally.fail(case, f"{mode.value}: {title}", f"{error}")

    try:
        run()
    except Unsatisfiable:
        # Nothing in the operation can break the schema (GET /me/ takes no input).
        assert mode is GenerationMode.NEGATIVE, operation.label


@pytest.fixture(autouse=True)
def _fresh_index():
    """The demo's match runs rank on this test database's profiles."""
    InProcessBackend.forget()
    yield
    InProcessBackend.forget()


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_the_api_keeps_its_contract(persona):
    started = time.monotonic()
    call_command("load_demo_data", stdout=StringIO())
    world = World.of(PERSONAS[persona])
    headers, cookies = credentials(world.user)
    application = get_wsgi_application()
    tally = Tally(persona)
    with in_process_requests(tally):
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json",
            application,
            # The persona's own session cookie is sent with every case, instead of generated ones.
            config=schemathesis.Config.from_dict(
                {"generation": {"with-security-parameters": False}}
            ),
        )
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 17
        for operation in operations:
            for mode in EXAMPLES:
                exercise(operation, mode, world, tally, headers, cookies)
    tally.seconds = time.monotonic() - started
    RESULTS[persona] = tally.summary()
    report = os.environ.get("OCIP_SCHEMATHESIS_REPORT")
    if report:
        path = Path(report)
        stored = json.loads(path.read_text()) if path.exists() else {}
        stored[persona] = RESULTS[persona] | {
            "failed": dict(sorted(tally.failures.items())),
            "by_operation": tally.by_operation,
            "samples": {key: sorted(values) for key, values in tally.samples.items()},
        }
        path.write_text(json.dumps(stored, indent=2, sort_keys=True))

    assert not tally.failures, "\n\n".join(
        f"{key}\n{detail}" for key, detail in sorted(tally.failures.items())
    )
    assert sum(tally.statuses.values()) >= 1000, tally.summary()
    assert tally.statuses["5xx"] == 0
    if world.user is not None:
        # The session and the CSRF token work: writes reach the views.
        assert tally.writes["not_403"] > tally.writes["total"] / 2, tally.summary()
        assert tally.writes["2xx"] > 0, tally.summary()
