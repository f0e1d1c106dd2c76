"""Every page type of ours, in a real browser, at 1280 px and at 390 px wide, in English and in
French: nothing may need horizontal scrolling, and axe-core finds no serious or critical
accessibility violation. A screenshot of each page x width x language goes to
$OCIP_SCREENSHOTS_DIR (a temporary folder by default), named like office-request-detail_390_fr.png.

The pages are listed in PAGES, one instance of each page type, under the persona who sees it;
`test_every_page_type_is_visited_or_excluded` holds that list against our URL configuration, so
a new page type without a visit here (or a commented exclusion) fails the suite.

Runs with the other browser tests (OCIP_E2E=1, Debian's chromium + chromium-driver). axe-core
comes from tests/e2e/node_modules (`npm ci --prefix tests/e2e`), read from disk and injected
with WebDriver: never from a CDN. Without it the axe part is skipped, unless
OCIP_REQUIRE_ALL_SERVICES=1 (CI), where its absence fails.

One browser for the module; one test per persona, which signs in once, on the demo data
(`load_demo_data`) plus the few things it lacks. Each test visits all its pages and only then
fails, with the list of every page, width and language that went wrong, and why.
"""

from __future__ import annotations

import base64
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation
from selenium.webdriver.common.by import By
from wagtail.models import Locale
from wagtail.models import Page as WagtailPage

from diagnostics import services as diagnostic_services
from diagnostics.models import CompanyInvitation, CompanyMembership, Diagnostic
from matching import selectors as matching_selectors
from matching import services as matching_services
from matching.models import (
    ExpertiseProfile,
    Institution,
    InstitutionMembership,
    IntroductionRequest,
)
from ocip.accounts import invitations
from ocip.management.commands.load_demo_data import DEMO_PASSWORD
from projects import demo as credential_demo
from projects import services as project_services
from projects.models import FundingApplication, IssuedCredential, Pathway, Project
from tests.e2e.test_browser import chromium_session, path_of, wait
from tests.e2e.test_credentials_browser import OVERFLOW_SCRIPT
from tests.e2e.test_diagnostic_browser import follow
from tests.e2e.test_review_browser import _fresh_index, fresh_totp_code  # noqa: F401
from tests.factories import CompanyMembershipFactory, add_funding_application

WIDTHS = {1280: 900, 390: 844}  # width: height, in CSS pixels
LANGUAGES = ("en", "fr")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
SCREENSHOTS = Path(
    os.environ.get("OCIP_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "ocip-page-screenshots"
)
MAX_SHOT_HEIGHT = 12000  # px: a longer page is cut there


# --- The pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page type: `slug` names its screenshots; `name` is its URL name (None for the 404
    page); `kwargs` builds the URL's arguments from the test's data, or `path` is the address
    (in English: French ones have the /fr prefix); `query` is added to either; `status` is the
    one it answers with."""

    slug: str
    name: str | None
    kwargs: Callable[[SimpleNamespace], dict] = field(default=lambda d: {})
    status: int = 200
    path: str = ""
    query: str = ""
    cms_slug: str = ""  # a page of the CMS, by its English slug: each language has its own

    def url(self, data: SimpleNamespace, language: str) -> str:
        if self.cms_slug:
            english = WagtailPage.objects.live().get(locale__language_code="en", slug=self.cms_slug)
            address = english.get_translation(Locale.objects.get(language_code=language)).url
        elif self.path:
            prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"
            address = prefix + self.path
        else:
            with translation.override(language):
                address = reverse(self.name, kwargs=self.kwargs(data))
        return f"{address}?{self.query}" if self.query else address


def _kw(**values: Callable[[SimpleNamespace], object]) -> Callable[[SimpleNamespace], dict]:
    return lambda d: {key: value(d) for key, value in values.items()}


def wizard_steps() -> list[int]:
    """Steps of the current questionnaire that, together, show every kind of question: the
    one with the most kinds not yet shown, then the next, and so on."""
    from diagnostics.questionnaire import Questionnaire, load_definition

    content = Questionnaire(load_definition())
    kinds = {
        number: {(q["type"], q.get("widget")) for q in content.step(number)["questions"]}
        for number in range(1, content.step_count + 1)
    }
    chosen: list[int] = []
    left = set().union(*kinds.values())
    while left:
        best = max(kinds, key=lambda number: (len(kinds[number] & left), -number))
        chosen.append(best)
        left -= kinds[best]
    return sorted(chosen)


PUBLIC = [
    Page("public-home", "wagtail_serve", path="/"),
    # The public site's page types, as load_demo_data writes them in both languages.
    Page("public-content-page", "wagtail_serve", cms_slug="how-it-works"),
    Page("public-content-child", "wagtail_serve", cms_slug="for-businesses"),
    Page("public-funding-partners", "wagtail_serve", cms_slug="funding-partners"),
    Page("public-accessibility", "wagtail_serve", cms_slug="accessibility"),
    Page("public-story-index", "wagtail_serve", cms_slug="success-stories"),
    Page("public-story", "wagtail_serve", cms_slug="preservative-free-bread"),
    Page("public-news-index", "wagtail_serve", cms_slug="news"),
    Page("public-news", "wagtail_serve", cms_slug="ocip-opens-to-all-ontario-businesses"),
    Page("public-directory", "directory"),
    Page("public-directory-filtered", "directory", query="q=data&students=on&language=fr"),
    # A profile written in French: its text keeps lang="fr" on the English page.
    Page("public-profile", "public_profile", _kw(external_id=lambda d: "w1-051")),
    Page("public-institution-list", "public_institution_list"),
    Page("public-institution", "public_institution", _kw(slug=lambda d: "algonquin")),
    Page("public-search", "site_search"),
    Page("public-search-results", "site_search", query="q=energy"),
    Page("public-not-found", None, path="/no-such-page/", status=404),
    Page("public-login", "account_login"),
    Page("public-signup", "account_signup"),
    Page("public-password-reset", "account_reset_password"),
    Page("public-password-reset-sent", "account_reset_password_done"),
    Page(
        "public-password-reset-key",
        "account_reset_password_from_key",
        _kw(uidb36=lambda d: d.reset_uidb36, key=lambda d: d.reset_key),
    ),
    Page("public-password-reset-key-done", "account_reset_password_from_key_done"),
    Page("public-verify-email-sent", "account_email_verification_sent"),
    Page("public-confirm-email", "account_confirm_email", _kw(key=lambda d: d.confirm_key)),
    Page("public-account-inactive", "account_inactive"),
    Page("public-invitation", "invitation_accept", _kw(token=lambda d: d.invitation_token)),
    Page("public-verify-credential", "credential_verify"),
    Page(
        "public-credential",
        "credential_public",
        _kw(public_id=lambda d: d.credential.public_id),
    ),
    Page(
        "public-achievement",
        "definition_public",
        _kw(lineage=lambda d: d.definition.lineage, version=lambda d: d.definition.version),
    ),
    Page("public-catalogue", "catalogue"),
    # Filtered: a word, MC+ only and a form of participation; with the "Clear filters" link.
    Page(
        "public-catalogue-filtered",
        "catalogue",
        query="q=research&mc_plus=on&participation=hybrid",
    ),
    Page("public-funding-guide", "funding_guide"),
    Page("public-funding-program", "funding_program", _kw(slug=lambda d: "nrc-irap")),
]

BUSINESS = [
    # allauth's pages that want a recent sign-in first, while it is recent.
    Page("business-mfa", "mfa_index"),
    Page("business-mfa-activate", "mfa_activate_totp"),
    Page("business-email", "account_email"),
    Page("business-change-password", "account_change_password"),
    Page("business-reauthenticate", "account_reauthenticate"),
    Page("business-logout", "account_logout"),
    Page("business-dashboard", "dashboard"),
    Page("business-profile", "profile"),
    Page("business-company-list", "company_list"),
    Page("business-company", "company_detail", _kw(slug=lambda d: d.company.slug)),
    Page("business-company-edit", "company_edit", _kw(slug=lambda d: d.company.slug)),
    Page("business-company-invite", "company_invite", _kw(slug=lambda d: d.company.slug)),
    Page(
        "business-company-member-remove",
        "company_member_remove",
        _kw(slug=lambda d: d.company.slug, pk=lambda d: d.company_member.pk),
    ),
    Page(
        "business-company-invitation-withdraw",
        "company_invitation_revoke",
        _kw(slug=lambda d: d.company.slug, pk=lambda d: d.company_invitation.pk),
    ),
    Page("business-diagnostic-list", "diagnostic_list", _kw(slug=lambda d: d.company.slug)),
    Page("business-diagnostic-start", "diagnostic_start", _kw(slug=lambda d: d.new_company.slug)),
    # The wizard's steps: the fewest that show every kind of question (wizard_steps).
    *[
        Page(
            f"business-diagnostic-step-{number}",
            "diagnostic_step",
            _kw(pk=lambda d: d.draft.pk, number=lambda d, n=number: n),
        )
        for number in wizard_steps()
    ],
    Page("business-diagnostic-review", "diagnostic_review", _kw(pk=lambda d: d.draft.pk)),
    Page("business-diagnostic-discard", "diagnostic_discard", _kw(pk=lambda d: d.draft.pk)),
    Page("business-diagnostic-results", "diagnostic_results", _kw(pk=lambda d: d.submitted.pk)),
    Page("business-match-results", "match_results", _kw(pk=lambda d: d.submitted.pk)),
    Page("business-request-create", "request_create", _kw(pk=lambda d: d.submitted.pk)),
    Page("business-request-list", "request_list"),
    Page("business-request-detail", "request_detail", _kw(pk=lambda d: d.asked.pk)),
    Page("business-request-answer", "request_answer", _kw(pk=lambda d: d.asked.pk)),
    Page("business-request-message", "request_message", _kw(pk=lambda d: d.open.pk)),
    Page("business-request-withdraw", "request_withdraw", _kw(pk=lambda d: d.open.pk)),
    Page("business-project-list", "project_list"),
    Page("business-project-detail", "project_detail", _kw(pk=lambda d: d.project.pk)),
    Page(
        "business-endorse",
        "assessment_endorse",
        _kw(pk=lambda d: d.project.pk, assessment_pk=lambda d: d.pending_assessment.pk),
    ),
    Page("business-notifications", "notification_list"),
    Page("business-institution-list", "institution_list"),
    Page(
        "business-expertise-detail",
        "expertise_detail",
        _kw(external_id=lambda d: d.profile.external_id),
    ),
]

OFFICE = [
    # The sign-in's second step (TOTP) is checked while the office person signs in.
    Page("office-mfa-authenticate", "mfa_authenticate"),
    Page("office-mfa", "mfa_index"),
    Page("office-mfa-deactivate", "mfa_deactivate_totp"),
    Page("office-mfa-reauthenticate", "mfa_reauthenticate"),
    Page("office-recovery-codes", "mfa_view_recovery_codes"),
    Page("office-recovery-codes-generate", "mfa_generate_recovery_codes"),
    Page("office-dashboard", "dashboard"),
    Page("office-request-queue", "request_queue", _kw(slug=lambda d: d.institution.slug)),
    Page("office-request-detail", "request_detail", _kw(pk=lambda d: d.open.pk)),
    Page("office-request-decline", "request_decline", _kw(pk=lambda d: d.open.pk)),
    Page("office-request-refer", "request_refer", _kw(pk=lambda d: d.open.pk)),
    Page("office-request-ask", "request_ask_info", _kw(pk=lambda d: d.open.pk)),
    Page("office-request-assign", "request_assign", _kw(pk=lambda d: d.open.pk)),
    Page("office-request-note", "request_note", _kw(pk=lambda d: d.open.pk)),
    Page("office-request-accept", "request_accept", _kw(pk=lambda d: d.open.pk)),
    Page("office-project-detail", "project_detail", _kw(pk=lambda d: d.project.pk)),
    Page(
        "office-funding-application",
        "funding_application_edit",
        _kw(pk=lambda d: d.project.pk, application_pk=lambda d: d.funding_application.pk),
    ),
    Page("office-evidence-add", "evidence_add", _kw(pk=lambda d: d.project.pk)),
    Page(
        "office-assessment-form",
        "assessment_form",
        _kw(
            pk=lambda d: d.project.pk,
            student_pk=lambda d: d.student.pk,
            definition_pk=lambda d: d.second_definition.pk,
        ),
    ),
    Page("office-institution", "institution_detail", _kw(slug=lambda d: d.institution.slug)),
    Page("office-institution-edit", "institution_edit", _kw(slug=lambda d: d.institution.slug)),
    Page("office-institution-invite", "institution_invite", _kw(slug=lambda d: d.institution.slug)),
    Page(
        "office-institution-member-remove",
        "institution_member_remove",
        _kw(slug=lambda d: d.institution.slug, pk=lambda d: d.researcher_membership.pk),
    ),
    Page(
        "office-institution-invitation-withdraw",
        "institution_invitation_revoke",
        _kw(slug=lambda d: d.institution.slug, pk=lambda d: d.institution_invitation.pk),
    ),
    Page(
        "office-institution-dashboard",
        "institution_dashboard",
        _kw(slug=lambda d: d.institution.slug),
    ),
    Page("office-definitions", "definition_list", _kw(slug=lambda d: d.institution.slug)),
    Page(
        "office-definition",
        "definition_detail",
        _kw(slug=lambda d: d.institution.slug, pk=lambda d: d.definition.pk),
    ),
    Page("office-definition-new", "definition_create", _kw(slug=lambda d: d.institution.slug)),
    Page(
        "office-definition-edit",
        "definition_edit",
        _kw(slug=lambda d: d.institution.slug, pk=lambda d: d.definition.pk),
    ),
    Page(
        "office-issued-credentials",
        "institution_credentials",
        _kw(slug=lambda d: d.institution.slug),
    ),
    Page(
        "office-credential-revoke",
        "credential_revoke",
        _kw(public_id=lambda d: d.credential.public_id),
    ),
    Page(
        "office-expertise-edit",
        "expertise_edit",
        _kw(external_id=lambda d: d.profile.external_id),
    ),
    Page("office-expertise-new", "expertise_create", _kw(slug=lambda d: d.institution.slug)),
    # With another institution's request for agreement (La Cité's draft) and a draft of its own.
    Page("office-pathways", "pathway_list", _kw(slug=lambda d: d.institution.slug)),
    Page("office-pathway-new", "pathway_create", _kw(slug=lambda d: d.institution.slug)),
    Page(
        "office-pathway",  # the demo's published pathway
        "pathway_detail",
        _kw(slug=lambda d: d.institution.slug, pk=lambda d: d.pathway.pk),
    ),
    Page(
        "office-pathway-draft",  # a draft toward a program, with its Publish and Edit actions
        "pathway_detail",
        _kw(slug=lambda d: d.institution.slug, pk=lambda d: d.draft_pathway.pk),
    ),
    Page(
        "office-pathway-edit",  # a published pathway's edit page redirects: the draft's
        "pathway_edit",
        _kw(slug=lambda d: d.institution.slug, pk=lambda d: d.draft_pathway.pk),
    ),
]

RESEARCHER = [
    Page("researcher-dashboard", "dashboard"),
    Page("researcher-assigned-requests", "request_assigned"),
    Page("researcher-expertise-mine", "expertise_mine"),
]

STUDENT = [
    Page("student-dashboard", "dashboard"),
    Page("student-credentials", "student_credentials"),
]

STAFF = [
    Page("staff-dashboard", "dashboard"),
    Page("staff-platform-dashboard", "platform_dashboard"),
    Page("staff-design-reference", "design_reference"),
]

PAGES = PUBLIC + BUSINESS + OFFICE + RESEARCHER + STUDENT + STAFF

# URL names of ours that are no page of their own, each with the reason.
NOT_PAGES = {
    # POST only: they act, then redirect to a page listed above.
    "match_refresh": "POST only",
    "milestone_add": "POST only (its form is on the project page)",
    "milestone_toggle": "POST only",
    "funding_application_add": "POST only (its form is on the project page)",
    "definition_publish": "POST only (its button is on the definition page)",
    "signing_key_rotate": "POST only",
    "project_definitions": "POST only (its form is on the project page)",
    "student_invite": "POST only (its form is on the project page)",
    "evidence_share": "POST only",
    "credential_issue": "POST only",
    "credential_share": "POST only",
    "pathway_publish": "POST only (its button is on the pathway page)",
    "pathway_close": "POST only (its button is on the pathway page)",
    "pathway_component_agree": "POST only (its buttons are on the pathways list)",
    "notification_open": "POST only",
    "notifications_mark_read": "POST only",
    "account_email_verification_resend": "POST only (the button on the check-your-email page)",
    # Redirects only.
    "diagnostic_detail": "redirects to the step, the review or the results",
    "account_set_password": "redirects to account_change_password for anyone with a password",
    "account_confirm_login_code": "login by code is off: redirects to the sign-in or dashboard",
    # Files and JSON documents.
    "credential_download": "a JSON file",
    "credential_baked": "a badge image (PNG or SVG) with the credential inside",
    "wallet_export": "a zip of the student's credentials",
    "definition_badge": "a badge image (PNG or SVG)",
    "definition_image": "a PNG preview (GET); the upload (POST) is on the definition page",
    "evidence_file": "the evidence's uploaded file",
    "mfa_download_recovery_codes": "a text file",
    "institution_did": "a DID document (JSON)",
    "company_did": "a DID document (JSON)",
    "status_list_credential": "a status list credential (JSON)",
    "eu_extension_context": "a JSON-LD context",
    "wagtaildocs_serve": "a document file",
    "sitemap_index": "an XML sitemap index",
    "sitemap_section": "an XML sitemap",
    "robots_txt": "a text file for crawlers",
    # Wagtail's pages for private pages and documents: none of ours has a view restriction.
    "wagtaildocs_authenticate_with_password": "no document is password-protected",
    "wagtailcore_authenticate_with_password": "no page is password-protected",
    "wagtailcore_login": "no page is restricted to signed-in people",
}
# Left out whole: the two admins (Django's and Wagtail's own pages) and the JSON API.
NOT_OURS = ("django-admin/", "cms-admin/", "api/")


# --- The data ------------------------------------------------------------------------------------


@pytest.fixture
def data(django_user_model):
    """The demo (load_demo_data), plus what it lacks for some pages: open requests at the
    office's institution (one waiting on the business's answer), a draft diagnostic, a second
    company, another member and pending invitations, a pending assessment, a shared credential,
    recovery codes, password-reset and email-confirmation keys."""
    call_command("load_demo_data", stdout=io.StringIO())
    emails = [
        "alice.tremblay@northwind.example",
        "olivia.chen@algonquin.example",
        "raj.patel@algonquin.example",
        "sofia.martin@algonquin.example",
        "pat.morgan@ocip.example",
        "benoit.gagnon@boulangerie-lumiere.example",
    ]
    people = django_user_model.objects.in_bulk(emails, field_name="email")
    alice, olivia, raj, sofia, pat, benoit = (people[email] for email in emails)
    company = alice.company_memberships.get().company
    institution = Institution.objects.get(slug="algonquin")
    submitted = Diagnostic.objects.get(company=company, status=Diagnostic.Status.SUBMITTED)

    # Two new requests at Algonquin: one waits for the office, one for the business's answer.
    run = matching_selectors.latest_match_run(user=alice, diagnostic_id=submitted.pk)
    wanted = [
        match["profile"]
        for match in matching_selectors.requestable_matches(user=alice, run=run)
        if match["institution"] == institution.slug
    ][:2]
    assert len(wanted) == 2, "the demo business has no two more matches at Algonquin"
    open_request, asked = matching_services.request_create(
        actor=alice,
        run=run,
        profile_ids=wanted,
        message="Could your team help us inspect parts under the changing light of a shop?",
        hopes=[IntroductionRequest.Hope.PROJECT, IntroductionRequest.Hope.STUDENTS],
        contact_preference=IntroductionRequest.Contact.EMAIL,
    )
    matching_services.request_ask_info(
        actor=olivia,
        request=asked,
        expected_version=None,
        question="Which parts would you inspect first, and how many a day?",
    )
    matching_services.request_assign(
        actor=olivia, request=asked, expected_version=None, assignee=raj
    )
    profile = ExpertiseProfile.objects.get(external_id=wanted[0])
    ExpertiseProfile.objects.filter(pk=profile.pk).update(owner=raj)

    # A draft with every step done, prefilled from the submitted diagnostic.
    draft, _created = diagnostic_services.diagnostic_start(actor=alice, company=company)
    content = draft.questionnaire.content
    for number in range(1, content.step_count + 1):
        draft = diagnostic_services.diagnostic_step_save(
            actor=alice,
            diagnostic=draft,
            number=number,
            answers={
                q["id"]: draft.answers.get(q["id"]) for q in content.step(number)["questions"]
            },
            complete=True,
        )
    new_company = diagnostic_services.company_create(owner=alice, name="Northwind Labs")
    company_member = CompanyMembershipFactory(
        company=company,
        user__email="sam.keller@northwind.example",
        role=CompanyMembership.Role.MEMBER,
    )
    company_invitation, invitation_token = invitations.issue(
        CompanyInvitation,
        email="lee.nguyen@northwind.example",
        invited_by=alice,
        language="en",
        company=company,
    )
    institution_invitation = matching_services.institution_invitation_create(
        actor=olivia,
        institution=institution,
        email="new.researcher@algonquin.example",
        role=InstitutionMembership.Role.RESEARCHER,
        language="en",
    )

    # The demo's project with its credential; a second micro-credential assessed, not endorsed.
    project = Project.objects.filter(institution=institution, company=company).earliest("pk")
    credential = IssuedCredential.objects.get(student=sofia)
    project_services.credential_set_shared(actor=sofia, credential=credential, shared=True)
    second = project_services.definition_publish(
        actor=olivia,
        definition=project_services.definition_create(
            actor=olivia,
            institution=institution,
            **{
                **credential_demo.DEFINITION,
                "title_en": "Machine vision data collection",
                "title_fr": "Collecte de données en vision artificielle",
            },
        ),
    )
    project_services.project_set_definitions(
        actor=olivia, project=project, definitions=[*project.credential_definitions.all(), second]
    )
    pending_assessment = project_services.assessment_record(
        actor=raj,
        project=project,
        student=sofia,
        definition=second,
        levels=[2, 3, 2],
        criterion_comments=["A sound plan.", "A strong model.", "Clear reports."],
        comment="Sofia collected and labelled 3,000 images.",
    )
    funding_application = project.funding_applications.first() or add_funding_application(
        project, Decimal("25000"), FundingApplication.Status.PLANNED
    )
    RecoveryCodes.activate(olivia)

    # Pathways: the demo's published one; a draft of Algonquin's toward a program; and La Cité's
    # draft that asks Algonquin to agree to one of its micro-credentials.
    pathway = Pathway.objects.get(institution=institution, title_en=credential_demo.PATHWAY_TITLE)
    draft_pathway = project_services.pathway_create(
        actor=olivia,
        institution=institution,
        title_en="Toward the Applied Research diploma",
        title_fr="Vers le diplôme en recherche appliquée",
        description_en="Any one of these counts toward the diploma's research methods course.",
        description_fr="L'une ou l'autre compte pour le cours de méthodes de recherche du diplôme.",
        rule=Pathway.Rule.ANY,
        required_count=1,
        target=Pathway.Target.PROGRAM,
        program_kind=Pathway.ProgramKind.DIPLOMA,
        program_name_en="Applied Research diploma",
        program_name_fr="Diplôme en recherche appliquée",
        program_credit_en="Exemption from the research methods course.",
        program_credit_fr="Exemption du cours de méthodes de recherche.",
    )
    project_services.pathway_set_components(
        actor=olivia,
        pathway=draft_pathway,
        lineages=[credential.definition.lineage, second.lineage],
    )
    etienne = django_user_model.objects.get(email="etienne.roy@lacite.example")
    la_cite = Institution.objects.get(slug="la-cite")
    asking = project_services.pathway_create(
        actor=etienne,
        institution=la_cite,
        title_en="Machine vision for technicians",
        title_fr="Vision artificielle pour les techniciens",
        rule=Pathway.Rule.ALL,
        target=Pathway.Target.PROGRAM,
        program_kind=Pathway.ProgramKind.CERTIFICATE,
        program_name_en="Automation technician certificate",
        program_name_fr="Certificat de technicien en automatisation",
    )
    project_services.pathway_set_components(
        actor=etienne, pathway=asking, lineages=[second.lineage]
    )

    # An address waiting for its confirmation, and a password reset link.
    newcomer = django_user_model.objects.create_user(email="new.person@example.com")
    address = EmailAddress.objects.create(
        user=newcomer, email=newcomer.email, verified=False, primary=True
    )

    return SimpleNamespace(
        password=DEMO_PASSWORD,
        business=alice,
        office=olivia,
        researcher=raj,
        student=sofia,
        staff=pat,
        company=company,
        new_company=new_company,
        company_member=company_member,
        company_invitation=company_invitation,
        invitation_token=invitation_token,
        institution=institution,
        institution_invitation=institution_invitation,
        researcher_membership=InstitutionMembership.objects.get(user=raj, institution=institution),
        submitted=submitted,
        draft=draft,
        open=open_request,
        asked=asked,
        profile=profile,
        project=project,
        funding_application=funding_application,
        credential=credential,
        definition=credential.definition,
        second_definition=second,
        pathway=pathway,
        draft_pathway=draft_pathway,
        pending_assessment=pending_assessment,
        confirm_key=EmailConfirmationHMAC(address).key,
        reset_uidb36=user_pk_to_url_str(benoit),
        reset_key=default_token_generator.make_token(benoit),
    )


# --- The browser ---------------------------------------------------------------------------------


def axe_source() -> str | None:
    """axe-core's script, or None where it is not installed (a failure in CI)."""
    if AXE.is_file():
        return AXE.read_text(encoding="utf-8")
    if os.environ.get("OCIP_REQUIRE_ALL_SERVICES") == "1":
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/e2e`")
    return None


@pytest.fixture(scope="module")
def chromium():
    with chromium_session() as driver:
        driver.set_script_timeout(60)
        yield driver


# When no visible element sticks out (OVERFLOW_SCRIPT leaves out the visually hidden ones and
# the skip link), any element that passes the right edge: a visually hidden one can be it.
HIDDEN_OVERFLOW_SCRIPT = """
const width = document.documentElement.clientWidth;
const found = [];
for (const e of document.body.querySelectorAll('*')) {
  const box = e.getBoundingClientRect();
  if (box.right <= width + 0.5) continue;
  let name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '');
  if (typeof e.className === 'string' && e.className.trim()) {
    name += '.' + e.className.trim().split(/\\s+/).join('.');
  }
  found.push(name + ' (left ' + Math.round(box.left) + ' px, right ' + Math.round(box.right)
    + ' px, position ' + getComputedStyle(e).position + ')');
}
return found.slice(0, 12);
"""

NEXT_FRAME = """
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => done()));
"""

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then((results) => done(results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')),
  }))))
  .catch((error) => done({error: String(error)}));
"""


class Visit:
    """Checks pages as one person in the module's browser; gathers what goes wrong."""

    def __init__(self, driver, live_server, data: SimpleNamespace):
        self.driver = driver
        self.base = live_server.url
        self.data = data
        self.axe = axe_source()
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.width = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.delete_all_cookies()

    # The viewport: headless Chromium won't make a window narrower than 500 px, so the device
    # metrics are emulated; scrollbars hidden (as a phone's, which take no room) so that the
    # page has the whole width at either size.
    def emulate(self, width: int) -> None:
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": width,
                "height": WIDTHS[width],
                "deviceScaleFactor": 1,
                "mobile": width < 500,
            },
        )
        self.driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
        self.width = width

    def signed_in_as(self, user, *, mfa_page: Page | None = None) -> None:
        """Sign in through the browser's forms (with the TOTP code for staff), once per test.
        `mfa_page`, the sign-in's second step, is checked on the way."""
        driver = self.driver
        self.emulate(1280)
        driver.get(self.base + reverse("account_login"))
        driver.find_element(By.ID, "id_login").send_keys(user.email)
        driver.find_element(By.ID, "id_password").send_keys(self.data.password)
        follow(driver, driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]'))
        if path_of(driver) == reverse("mfa_authenticate"):
            if mfa_page is not None:
                self.check(mfa_page)
            driver.get(self.base + reverse("mfa_authenticate"))
            code = driver.find_element(By.ID, "id_code")
            code.send_keys(fresh_totp_code(user))
            follow(driver, code.find_element(By.XPATH, "ancestor::form//button[@type='submit']"))
        wait(driver).until(lambda d: path_of(d) == reverse("dashboard"))

    def reauthenticated(self) -> None:
        """The password again, as allauth asks before its MFA pages (a recent sign-in is not
        enough for them)."""
        driver = self.driver
        driver.get(self.base + reverse("account_reauthenticate"))
        driver.find_element(By.ID, "id_password").send_keys(self.data.password)
        follow(driver, driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]'))

    def check_all(self, pages: list[Page]) -> None:
        for page in pages:
            if page.name != "mfa_authenticate":  # see signed_in_as
                self.check(page)

    def check(self, page: Page) -> None:
        for language in LANGUAGES:
            url = page.url(self.data, language)
            if not self.arrives(page, url, language):
                continue
            if self.axe is not None:
                self.driver.execute_script(self.axe)
            # Loaded once (by `arrives`, at the first width), then laid out again at the next.
            for index, width in enumerate(WIDTHS):
                where = f"{page.slug} {width} {language} ({url})"
                if index:
                    self.emulate(width)
                    self.driver.execute_async_script(NEXT_FRAME)
                self.check_layout(where, width)
                self.check_accessibility(where)
                self.screenshot(f"{page.slug}_{width}_{language}.png")

    def arrives(self, page: Page, url: str, language: str) -> bool:
        """The page answers `url` with its status, without a redirect elsewhere, in
        `language`; noted as a problem (and its checks left out) otherwise."""
        self.emulate(next(iter(WIDTHS)))
        self.driver.get(self.base + url)
        status, final, shown = self.driver.execute_script(
            "return [performance.getEntriesByType('navigation')[0].responseStatus,"
            " location.pathname, document.documentElement.lang];"
        )
        name = page.name
        if name is not None:
            with translation.override(language):
                name = resolve(final).url_name
        if (status, name, shown) != (page.status, page.name, language):
            self.problems.append(
                f"{page.slug} {language}: {url} led to {final} ({name}, status {status}, in "
                f"{shown!r}), not to {page.name} (status {page.status}, in {language!r})"
            )
            return False
        return True

    def check_layout(self, where: str, width: int) -> None:
        """No horizontal scrolling: the document is no wider than the window. (On a phone, a
        page wider than its layout viewport also makes the browser widen the window to fit, so
        window.innerWidth grows past 390: noted the same way.)"""
        inner, layout, scroll = self.driver.execute_script(
            "const root = document.documentElement;"
            "return [window.innerWidth, root.clientWidth, root.scrollWidth];"
        )
        assert layout == width, f"{where}: the layout viewport is {layout} px wide, not {width}"
        if scroll > inner or inner != width:
            culprits = self.driver.execute_script(OVERFLOW_SCRIPT)["culprits"]
            culprits = culprits or self.driver.execute_script(HIDDEN_OVERFLOW_SCRIPT)
            self.problems.append(
                f"{where}: horizontal scrolling, the page is {scroll} px wide (window.innerWidth "
                f"{inner}); sticking out: " + ("; ".join(culprits) or "(none found)")
            )

    def check_accessibility(self, where: str) -> None:
        if self.axe is None:
            return
        found = self.driver.execute_async_script(AXE_RUN)
        if isinstance(found, dict):
            self.problems.append(f"{where}: axe failed: {found.get('error')}")
            return
        for violation in found:
            targets = ", ".join(violation["nodes"][:6])
            more = len(violation["nodes"]) - 6
            line = (
                f"{where}: axe {violation['impact']} {violation['id']} ({violation['help']}) "
                f"on {targets}{f' and {more} more' if more > 0 else ''}"
            )
            if violation["impact"] in BLOCKING_IMPACTS:
                self.problems.append(line)
            else:
                self.notes.append(line)

    def screenshot(self, name: str) -> None:
        """The whole page's length (up to MAX_SHOT_HEIGHT), and its whole width if it overflows."""
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        content = metrics["cssContentSize"]
        clip = {
            "x": 0,
            "y": 0,
            "width": max(content["width"], self.width),
            "height": min(content["height"], MAX_SHOT_HEIGHT),
            "scale": 1,
        }
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": clip},
        )
        (SCREENSHOTS / name).write_bytes(base64.b64decode(shot["data"]))

    def finish(self, persona: str) -> None:
        """Fail with every problem found, after the whole visit; the lesser axe findings are
        printed, and everything goes to a report beside the screenshots."""
        report = SCREENSHOTS / f"findings-{persona}.txt"
        report.write_text(
            "".join(f"problem: {line}\n" for line in self.problems)
            + "".join(f"note: {line}\n" for line in self.notes),
            encoding="utf-8",
        )
        for note in self.notes:
            print("note:", note)  # noqa: T201 (moderate and minor axe findings: not failures)
        if self.problems:
            pytest.fail(
                f"{len(self.problems)} problem(s) on the {persona} pages (also in {report}, "
                f"screenshots beside it):\n" + "\n".join(self.problems),
                pytrace=False,
            )
        if self.axe is None:
            pytest.skip(
                f"the layouts passed; axe-core is not installed ({AXE} is missing), so the "
                "accessibility checks did not run: `npm ci --prefix tests/e2e`"
            )


# --- The tests -----------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_pages(live_server, chromium, data):
    visit = Visit(chromium, live_server, data)
    visit.check_all(PUBLIC)
    visit.finish("public")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_business_pages(live_server, chromium, data):
    visit = Visit(chromium, live_server, data)
    visit.signed_in_as(data.business)
    visit.reauthenticated()
    visit.check_all(BUSINESS)
    visit.finish("business")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_research_office_pages(live_server, chromium, data):
    visit = Visit(chromium, live_server, data)
    visit.signed_in_as(data.office, mfa_page=OFFICE[0])
    visit.reauthenticated()
    visit.check_all(OFFICE)
    visit.finish("office")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_researcher_pages(live_server, chromium, data):
    visit = Visit(chromium, live_server, data)
    visit.signed_in_as(data.researcher)
    visit.check_all(RESEARCHER)
    visit.finish("researcher")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_student_pages(live_server, chromium, data):
    visit = Visit(chromium, live_server, data)
    visit.signed_in_as(data.student)
    visit.check_all(STUDENT)
    visit.finish("student")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_platform_staff_pages(live_server, chromium, data):
    visit = Visit(chromium, live_server, data)
    visit.signed_in_as(data.staff)
    visit.check_all(STAFF)
    visit.finish("staff")


def our_url_names() -> dict[str, str]:
    """Every named URL of ours, by name, with its route: all of ocip.urls but the admins and
    the JSON API (NOT_OURS)."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if route.startswith(NOT_OURS):
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and entry.name:
                found.setdefault(entry.name, route)

    walk(get_resolver().url_patterns, "")
    return found


def test_every_page_type_is_visited_or_excluded():
    """A new page type fails here until PAGES visits it or NOT_PAGES says why it need not."""
    ours = our_url_names()
    visited = {page.name for page in PAGES if page.name}
    missing = sorted(set(ours) - visited - set(NOT_PAGES))
    assert not missing, "pages no test visits (add them to PAGES, or to NOT_PAGES with why): " + (
        ", ".join(f"{name} ({ours[name]})" for name in missing)
    )
    assert not visited & set(NOT_PAGES), visited & set(NOT_PAGES)
    stale = sorted((visited | set(NOT_PAGES)) - set(ours))
    assert not stale, f"no longer in our URL configuration: {stale}"
    slugs = [page.slug for page in PAGES]
    assert len(slugs) == len(set(slugs)), "two pages share a screenshot name"
