from django.core.management.base import BaseCommand
from django.db import transaction

from matching.services import (
    expertise_load_catalogue,
    funding_programs_load_catalogue,
    institutions_load_catalogue,
)


class Command(BaseCommand):
    help = "Load or update the shipped institutions, expertise profiles and funding programs."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            institutions = institutions_load_catalogue()
            profiles = expertise_load_catalogue()
            programs = funding_programs_load_catalogue()
        self.stdout.write(
            f"Institutions: {institutions}. Expertise profiles: {profiles}. "
            f"Funding programs: {programs}."
        )
