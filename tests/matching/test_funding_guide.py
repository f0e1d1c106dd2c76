"""The public funding guide: the active programs, and one page per program showing the rules the
matching engine applies, worded from the same data (FundingProgram, loaded from the YAML)."""

import html

import pytest
from django.urls import reverse
from django.utils import translation

from matching import services
from matching.engine.funding import assess_programs
from matching.models import FundingProgram


@pytest.fixture
def programs(db):
    services.funding_programs_load_catalogue()


def _url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_guide_lists_the_active_programs_by_category_in_english(programs, client):
    response = client.get(_url("funding_guide"))
    assert response.status_code == 200
    page = _text(response)
    assert "NRC Industrial Research Assistance Program" in page
    assert "Federal grant" in page and "Federal tax credit" in page
    assert _url("funding_program", slug="nrc-irap") in page
    for program in FundingProgram.objects.exclude(status=FundingProgram.Status.ACTIVE):
        # "verify" (intake to confirm) and inactive programs are left out.
        assert _url("funding_program", slug=program.slug) not in page
        assert program.name not in page


def test_the_french_guide_names_programs_and_partners_in_french(programs, client):
    response = client.get(_url("funding_guide", "fr"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    page = _text(response)
    assert "PARI-CNRC" in page
    assert "Conseil national de recherches Canada" in page
    assert "CRSNG" in page
    assert "NRC Industrial Research Assistance Program" not in page
    # The summaries are English only: marked as such.
    summary = FundingProgram.objects.get(slug="nrc-irap").summary
    assert f'<p lang="en">{summary}</p>' in page


def test_the_program_page_shows_the_rules_the_engine_applies(programs, client):
    program = FundingProgram.objects.get(slug="oci-vip")
    response = client.get(_url("funding_program", slug="oci-vip"))
    assert response.status_code == 200
    page = _text(response)
    # The rules the engine itself returns for the program's data, each shown once.
    engine_rules = assess_programs([program.as_rules()], {}).programs[0].rules
    whys = {rule.why for rule in engine_rules}
    assert len(whys) == len(program.eligibility)
    for why in whys:
        assert page.count(why) == 1
    # The partner-kind rule, which the engine evaluates per kind, names the kinds it accepts.
    assert "with a college partner; with a university partner" in page
    # Its stacking: the categories it cannot be combined with and the SR&ED grind, in dollars.
    assert "Federal grant; Provincial grant" in page
    assert "$100" in page and "$40.00" in page
    assert "$20,000" in page and "$150,000" in page  # its minimum and maximum


def test_a_rule_edited_in_the_data_changes_the_page(programs, client):
    program = FundingProgram.objects.get(slug="nrc-irap")
    program.eligibility = [
        {"fact": "fte_global", "at_most": 50, "why": "a small company of fifty or fewer"}
    ]
    program.save()
    page = _text(client.get(_url("funding_program", slug="nrc-irap")))
    assert "a small company of fifty or fewer" in page
    assert "500 or fewer full-time employees" not in page


def test_the_call_to_action_leads_to_the_diagnostic(programs, client, business_owner):
    page = _text(client.get(_url("funding_program", slug="nrc-irap")))
    start = _url("company_list")
    # Anonymous: sign up, then the companies page where a diagnostic starts.
    signup = f"{_url('account_signup')}?next={start.replace('/', '%2F')}"
    assert f'href="{signup}"' in page
    client.force_login(business_owner)
    page = _text(client.get(_url("funding_program", slug="nrc-irap")))
    assert f'href="{start}"' in page
    assert client.get(start).status_code == 200


@pytest.mark.parametrize("slug", ["no-such-program", "mitacs-bsi", "soscip"])
def test_unknown_verify_and_inactive_programs_are_not_found(programs, client, slug):
    assert client.get(_url("funding_program", slug=slug)).status_code == 404


def test_the_french_program_page(programs, client):
    response = client.get(_url("funding_program", "fr", slug="nrc-irap"))
    assert response.status_code == 200
    page = _text(response)
    assert '<html lang="fr"' in page
    assert "PARI-CNRC" in page
    # The rules' labels are the diagnostic's French questions; the rules' own words are marked
    # as English.
    assert "<strong>Quel type d'organisation est-ce?</strong>" in page  # a question: no colon
    assert '<span lang="en">an incorporated company</span>' in page


def test_only_get_and_head(programs, client):
    assert client.post(_url("funding_guide")).status_code == 405
    assert client.head(_url("funding_program", slug="nrc-irap")).status_code == 200
