"""Print the current TOTP code of each demo staff persona, for testers without an app."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ocip.accounts.mfa import current_totp_code, totp_secret_of

from .load_demo_data import PERSONAS


class Command(BaseCommand):
    help = "Print the current two-factor codes of the demo staff personas (development only)."

    def handle(self, *args, **options) -> None:
        if settings.OCIP_ENVIRONMENT != "dev":
            raise CommandError("demo_totp runs only under development settings.")
        emails = [persona.email for persona in PERSONAS if persona.needs_totp]
        for user in get_user_model().objects.filter(email__in=emails).order_by("email"):
            secret = totp_secret_of(user)
            if secret:
                self.stdout.write(f"{user.email:45} {current_totp_code(secret)}")
