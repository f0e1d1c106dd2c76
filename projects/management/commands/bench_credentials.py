"""Benchmark credential issuing and verification (the pure part: no database).

    python manage.py bench_credentials --credentials 200

Builds and signs N Open Badges 3.0 credentials of the full shape OCIP issues (eddsa-rdfc-2022,
each with its own signed endorsement), verifies each with the platform's verifier (proof,
issuer key, dates and a signed 131,072-entry status list), and times encoding that status list.
Each figure is timed one by one after 3 warm-up rounds. The database writes of issuing are not
included unless `--through-services`, which also issues and verifies on the demo project
through the platform's services (rolled back afterwards). The last line of output is one JSON
object: credentials, issue_sign_p50_ms, issue_sign_p95_ms, verify_p50_ms, verify_p95_ms,
status_list_encode_p95_ms (and service_issue_p95_ms, service_verify_p95_ms).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.credentials import contexts, data_integrity, did_web, documents, multikey
from projects.credentials.status_list import StatusList
from projects.credentials.verify import verify_credential

BASE = "https://ocip.example"
WARM_UP = 3
CREATED = "2026-12-01T00:00:00Z"


def percentile(times: list[float], q: int) -> float:
    return round(float(np.percentile(times, q)), 2)


def _timed(run: Callable[[], object], rounds: int) -> list[float]:
    for _ in range(WARM_UP):
        run()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


class Command(BaseCommand):
    help = "Time building, signing and verifying credentials, and encoding a status list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--credentials", type=int, default=200)
        parser.add_argument(
            "--through-services",
            action="store_true",
            help="also time issuing (database writes included) and verifying through the "
            "platform's services, on the demo project, in a transaction rolled back at the end",
        )

    def handle(self, *args, credentials: int, through_services: bool, **options) -> None:
        if credentials < 1:
            raise CommandError("--credentials must be at least 1.")
        figures = self._pure(credentials)
        if through_services:
            figures |= self._through_services(credentials)
        self.stdout.write(json.dumps(figures))

    def _pure(self, credentials: int) -> dict:
        extension = contexts.eu_extension_url(BASE)
        loader = contexts.document_loader({extension: contexts.eu_extension()})
        key = Ed25519PrivateKey.generate()
        did = did_web.did_for(BASE, "institutions", "bench")
        public = multikey.public_multibase(key.public_key())
        issuer = documents.Issuer(id=did, name="Bench College")
        achievement = documents.Achievement(
            id=f"{BASE}/micro-credentials/bench/v1",
            name="Applied research practice",
            description="Plans and carries out an applied research task with a business.",
            criteria="Assessed on the project against the rubric.",
            language="en",
            rubric=(
                documents.Criterion(
                    f"{BASE}/mc/bench#method", "Method", (documents.Level(f"{BASE}/mc/l", "Meets"),)
                ),
            ),
            credits=1.0,
            workload_hours=45,
            type_of_assessment="Project work",
            form_of_participation="On site",
            quality_assurance="Internal",
        )

        def sign(document: dict) -> dict:
            return data_integrity.sign(
                document,
                key=key,
                verification_method=did_web.key_id(did, public),
                created=CREATED,
                loader=loader,
            )

        statuses = StatusList()
        for index in range(0, statuses.size, 97):  # about 1 % revoked, spread out
            statuses.set(index)
        status_url = f"{BASE}/institutions/bench/status/1"
        numbers = iter(range(10**9))
        signed: list[dict] = []

        def issue() -> None:
            number = next(numbers)
            # Each credential carries its own signed endorsement, about it.
            endorsement = sign(
                documents.endorsement_credential(
                    credential_id=f"urn:uuid:bench-endorsement-{number}",
                    endorser=issuer,
                    endorsed_id=f"urn:uuid:bench-{number}",
                    comment="Good work.",
                    valid_from=CREATED,
                )
            )
            award = documents.Award(
                credential_id=f"urn:uuid:bench-{number}",
                recipient_email=f"student{number}@bench.example",
                salt=f"{number:08x}",
                valid_from=CREATED,
                results={achievement.rubric[0].id: achievement.rubric[0].levels[0].id},
            )
            signed.append(
                sign(
                    documents.achievement_credential(
                        issuer=issuer,
                        achievement=achievement,
                        award=award,
                        extension_context=extension,
                        status=documents.StatusEntry(status_url, 1 + 97 * number % 5000),
                        endorsements=[endorsement],
                    )
                )
            )

        issue_times = _timed(issue, credentials)
        served = {
            did: did_web.did_document(did, [public]),
            status_url: sign(
                documents.status_list_credential(
                    url=status_url,
                    issuer_id=did,
                    encoded_list=statuses.encode(),
                    valid_from=CREATED,
                )
            ),
        }
        now = datetime(2026, 12, 5, tzinfo=UTC)
        queue = iter(signed * 2)
        verdicts: list[str] = []

        def verify() -> None:
            result = verify_credential(next(queue), resolve=served.get, now=now, loader=loader)
            verdicts.append(result.verdict)

        verify_times = _timed(verify, credentials)
        if set(verdicts) != {"valid"}:
            raise CommandError(f"Unexpected verdicts: {sorted(set(verdicts))}")
        encode_times = _timed(statuses.encode, max(credentials, 20))

        figures = {
            "credentials": credentials,
            "issue_sign_p50_ms": percentile(issue_times, 50),
            "issue_sign_p95_ms": percentile(issue_times, 95),
            "verify_p50_ms": percentile(verify_times, 50),
            "verify_p95_ms": percentile(verify_times, 95),
            "status_list_encode_p95_ms": percentile(encode_times, 95),
        }
        self.stdout.write(
            f"build + sign: p50 {figures['issue_sign_p50_ms']} ms, "
            f"p95 {figures['issue_sign_p95_ms']} ms (target <= 50)"
        )
        self.stdout.write(
            f"verify: p50 {figures['verify_p50_ms']} ms, p95 {figures['verify_p95_ms']} ms "
            "(target <= 30)"
        )
        self.stdout.write(
            f"status list of {statuses.size:,} entries, encode p95: "
            f"{figures['status_list_encode_p95_ms']} ms (target <= 10)"
        )
        return figures

    def _through_services(self, credentials: int) -> dict:
        """Issue `credentials` credentials to new students of the demo project through
        `services.credential_issue` (status list entry, endorsement and credential signed, rows
        written) and verify each through `selectors.verify` (DIDs and status list read from the
        database); all in a transaction that is rolled back."""
        from django.contrib.auth import get_user_model
        from django.db import transaction
        from django.utils import timezone

        from projects import demo, selectors, services
        from projects.models import Assessment, ProjectMember

        class RolledBack(Exception):
            pass

        if demo.demo_credential() is None:
            raise CommandError("Load the demo data first: python manage.py load_demo_data")
        figures: dict = {}
        try:
            with transaction.atomic():
                first = demo.demo_credential()
                assert first is not None and first.assessment is not None
                model = first.assessment
                project, definition = model.project, first.definition
                office = first.issued_by
                assessments = []
                for number in range(credentials + WARM_UP):
                    student = get_user_model().objects.create_user(
                        email=f"bench-{number}@bench.example", password=None
                    )
                    ProjectMember.objects.create(
                        project=project, user=student, role=ProjectMember.Role.STUDENT
                    )
                    assessments.append(
                        Assessment.objects.create(
                            project=project,
                            student=student,
                            definition=definition,
                            levels=model.levels,
                            passed=True,
                            assessed_by=model.assessed_by,
                            endorsement=Assessment.Endorsement.ENDORSED,
                            endorsement_comment="Good work.",
                            endorsed_by=model.endorsed_by,
                            endorsed_at=timezone.now(),
                        )
                    )
                pending = iter(assessments)
                issued = []

                def issue() -> None:
                    issued.append(services.credential_issue(actor=office, assessment=next(pending)))

                issue_times = _timed(issue, credentials)
                signed = iter([json.loads(c.signed_text) for c in issued])
                verdicts = []

                def verify() -> None:
                    verdicts.append(selectors.verify(next(signed), timezone.now()).verdict)

                verify_times = _timed(verify, credentials)
                if set(verdicts) != {"valid"}:
                    raise CommandError(f"Unexpected verdicts: {sorted(set(verdicts))}")
                figures = {
                    "service_issue_p95_ms": percentile(issue_times, 95),
                    "service_verify_p95_ms": percentile(verify_times, 95),
                }
                raise RolledBack
        except RolledBack:
            pass
        self.stdout.write(
            f"through the services (database included): issue p95 "
            f"{figures['service_issue_p95_ms']} ms, verify p95 "
            f"{figures['service_verify_p95_ms']} ms"
        )
        return figures
