"""Issue the demo student's micro-credential through the real services and write it out.

    python manage.py issue_demo_credential --out credential.json [--documents documents.json]
        [--png badge.png] [--svg badge.svg] [--revoke]

Loads the demo data first if it is missing. The flow (definition, invitation, evidence,
assessment, endorsement, issue) runs once; later runs give the same credential, byte for byte.
`--documents` writes one JSON object mapping every URL, DID and verification method id a
verifier dereferences to its document, so that an offline verifier can check the credential.
`--png` and `--svg` write the badge image with the credential baked in (the same signed text).
`--revoke` revokes it after issuing (and says so when it already was).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects import badges, demo, services


class Command(BaseCommand):
    help = "Issue the demo student's credential through the real services and write it out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="where to write it")
        parser.add_argument("--documents", type=Path, help="where to write what verifiers read")
        parser.add_argument("--png", type=Path, help="where to write the baked PNG badge")
        parser.add_argument("--svg", type=Path, help="where to write the baked SVG badge")
        parser.add_argument("--revoke", action="store_true", help="revoke it after issuing")

    def handle(
        self,
        *args,
        out: Path,
        documents: Path | None,
        revoke: bool,
        png: Path | None = None,
        svg: Path | None = None,
        **options,
    ) -> None:
        credential = demo.demo_credential()
        if credential is None:
            call_command("load_demo_data", stdout=self.stderr)
            credential = demo.demo_credential()
        if credential is None:
            raise CommandError("The demo has no Algonquin project for Northwind to issue from.")
        if revoke and credential.revoked_at is None:
            office = credential.institution.memberships.get(user__email=demo.OFFICE).user
            credential = services.credential_revoke(
                actor=office, credential=credential, reason="Demonstration of revocation."
            )
        out.write_bytes(credential.signed_text.encode("utf-8"))
        if png is not None:
            png.write_bytes(badges.baked_png(credential))
        if svg is not None:
            svg.write_bytes(badges.baked_svg(credential))
        if documents is not None:
            documents.write_text(
                json.dumps(demo.verifier_documents(credential), ensure_ascii=False, indent=2),
                encoding="utf-8",
            )
        state = "revoked" if credential.revoked_at else "valid"
        self.stdout.write(f"Credential {credential.public_id} ({state}) written to {out}.")
