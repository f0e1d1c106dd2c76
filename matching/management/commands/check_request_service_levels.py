from django.core.management.base import BaseCommand

from matching.services import requests_check_service_levels


class Command(BaseCommand):
    help = (
        "Flag, remind and escalate introduction requests without a first response "
        "(what the Celery beat task does, for deployments without beat; safe to run twice)."
    )

    def handle(self, *args, **options):
        counts = requests_check_service_levels()
        self.stdout.write(
            f"{counts['flagged']} request(s) flagged, {counts['escalated']} escalated."
        )
