"""Print the current TOTP code of each demo staff persona, for testers without an app."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from .load_demo_data import PERSONAS


class Command(BaseCommand):
    help = "Print the current two-factor codes of the demo staff personas (development only)."

    def handle(self, *args, **options) -> None:
        if settings.OCIP_ENVIRONMENT != "dev":
            raise CommandError("demo_totp runs only under development settings.")
        counter = int(timezone.now().timestamp()) // 30
        emails = [persona.email for persona in PERSONAS if persona.needs_totp]
        authenticators = Authenticator.objects.filter(
            user__email__in=emails, type=Authenticator.Type.TOTP
        ).select_related("user")
        for authenticator in authenticators:
            code = format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counter))
            self.stdout.write(f"{authenticator.user.email:45} {code}")
