"""The dashboard's way into the diagnostic, and questionnaire versions that never break old ones."""

import pytest
from django.urls import reverse

from diagnostics import services
from diagnostics.models import Diagnostic, Questionnaire
from diagnostics.questionnaire import CURRENT_VERSION, load_definition

pytestmark = pytest.mark.django_db


def test_dashboard_offers_start_then_continue_then_results(client, business_owner, company):
    client.force_login(business_owner)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("diagnostic_start", kwargs={"slug": company.slug}) in page
    draft, _ = services.diagnostic_start(actor=business_owner, company=company)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Continue the diagnostic" in page and draft.get_absolute_url() in page


def test_dashboard_links_to_the_latest_results(client, business_owner, complete_draft):
    services.diagnostic_submit(actor=business_owner, diagnostic=complete_draft)
    client.force_login(business_owner)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("diagnostic_results", kwargs={"pk": complete_draft.pk}) in page


def test_a_published_version_is_frozen_even_if_its_file_changes(business_owner, company):
    published = services.questionnaire_current()
    assert published.definition == load_definition(CURRENT_VERSION)
    Questionnaire.objects.filter(pk=published.pk).update(checksum="edited-file")
    again = services.questionnaire_current()
    assert again.pk == published.pk and again.checksum == "edited-file"


def test_a_new_version_neither_breaks_nor_rescores_old_diagnostics(
    client, business_owner, company, complete_draft, monkeypatch
):
    old = services.diagnostic_submit(actor=business_owner, diagnostic=complete_draft)
    old_profile = old.needs_profile.data

    # The next version drops a question and renames a step.
    following = CURRENT_VERSION + 1
    definition = load_definition(CURRENT_VERSION)
    definition["version"] = following
    definition["steps"][0]["title"] = {"en": "About you", "fr": "À propos de vous"}
    definition["steps"][0]["questions"] = [
        q for q in definition["steps"][0]["questions"] if q["id"] != "municipality"
    ]
    monkeypatch.setattr("diagnostics.questionnaire.CURRENT_VERSION", following)
    monkeypatch.setattr("diagnostics.questionnaire.load_definition", lambda version: definition)

    new, created = services.diagnostic_start(actor=business_owner, company=company)
    assert created and new.questionnaire.version == following
    assert "municipality" not in new.answers  # not a question any more
    assert new.answers["challenge"] == old.answers["challenge"]

    client.force_login(business_owner)
    results = client.get(reverse("diagnostic_results", kwargs={"pk": old.pk})).content.decode()
    assert f"questionnaire version {CURRENT_VERSION}" in results and "Cambridge" in results
    old.refresh_from_db()
    assert old.needs_profile.data == old_profile
    page = client.get(reverse("diagnostic_step", kwargs={"pk": new.pk, "number": 1}))
    assert "About you" in page.content.decode()
    assert Diagnostic.objects.filter(company=company).count() == 2
