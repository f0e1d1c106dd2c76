import csv
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from diagnostics.models import Company, CompanyMembership
from matching.catalogue import DATA_DIR
from matching.models import Institution, InstitutionMembership
from ocip.accounts.models import User

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Company,
            CompanyMembership,
            Institution,
            InstitutionMembership,
            Authenticator,
        )
    }


def test_load_demo_data_is_idempotent_and_loads_the_shipped_institutions():
    call_command("load_demo_data", stdout=StringIO())
    first = _counts()
    call_command("load_demo_data", stdout=StringIO())
    assert _counts() == first
    with (DATA_DIR / "institutions.csv").open(encoding="utf-8") as handle:
        shipped = {row["slug"]: row for row in csv.DictReader(handle)}
    assert set(Institution.objects.values_list("slug", flat=True)) == set(shipped)
    bilingual = Institution.objects.get(slug="ottawa") if "ottawa" in shipped else None
    if bilingual is not None:
        assert set(bilingual.languages) == set(shipped["ottawa"]["languages"].split(";"))
    assert first["User"] == 7
    # The three staff personas are enrolled in TOTP so a tester can log in.
    assert first["Authenticator"] == 3


def test_prints_logins_in_dev_only(settings):
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "ocip-demo-2026" not in out.getvalue()
    settings.OCIP_ENVIRONMENT = "dev"
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "ocip-demo-2026" in out.getvalue()
    assert "TOTP secret" in out.getvalue()


def test_refuses_production(settings):
    settings.OCIP_ENVIRONMENT = "production"
    with pytest.raises(CommandError):
        call_command("load_demo_data", stdout=StringIO())
    assert Institution.objects.count() == 0
