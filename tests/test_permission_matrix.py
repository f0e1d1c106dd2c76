"""Every URL name of ours × every demo persona (and anonymous) → the expected answer.

The personas are the ones `load_demo_data` creates. A URL added without an entry here fails
`test_every_url_name_has_an_entry`. Refusals are 403 or 404, never a page that lists another
organization's data.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from diagnostics.models import Company, CompanyInvitation, CompanyMembership, Diagnostic
from diagnostics.services import diagnostic_start
from matching.models import (
    ExpertiseProfile,
    Institution,
    InstitutionInvitation,
    InstitutionMembership,
    IntroductionRequest,
    RequestNote,
)
from ocip.accounts import invitations
from ocip.accounts.models import User
from ocip.notifications.models import Notification
from projects import services
from projects.models import IssuedCredential, Milestone

OUR_PACKAGES = ("ocip.", "diagnostics.", "matching.", "projects.", "cms.")
PERSONAS = {
    "owner_a": "alice.tremblay@northwind.example",
    "owner_b": "benoit.gagnon@boulangerie-lumiere.example",
    "office_a": "olivia.chen@algonquin.example",
    "office_b": "etienne.roy@lacite.example",
    "researcher": "raj.patel@algonquin.example",
    "student": "sofia.martin@algonquin.example",
    "staff": "pat.morgan@ocip.example",
}
EVERYONE = ["anon", *PERSONAS]
LOGIN = "login"  # a redirect to the login page


def expect(default: int | str, **overrides: int | str) -> dict[str, int | str]:
    return {persona: overrides.get(persona, default) for persona in EVERYONE}


COMPANY_A = expect(404, anon=LOGIN, owner_a=200, staff=200)
# Diagnostics are private to the company's members: platform staff do not see them either.
DIAGNOSTIC_A = expect(404, anon=LOGIN, owner_a=200)
DIAGNOSTIC_A_REDIRECT = expect(404, anon=LOGIN, owner_a=302)
API_DIAGNOSTIC_A = expect(404, anon=403, owner_a=200)
API_METHOD_NOT_ALLOWED = expect(405, anon=403)
INSTITUTION_A_PEOPLE = expect(404, anon=LOGIN, office_a=200, researcher=200, student=200, staff=200)
INSTITUTION_A_OFFICE = expect(404, anon=LOGIN, office_a=200, researcher=403, student=403, staff=200)
LOGGED_IN = expect(200, anon=LOGIN)
PROFILE_A_EDITORS = expect(404, anon=LOGIN, office_a=200, staff=200)
INSTITUTION_A_PROFILE_AUTHORS = expect(403, anon=LOGIN, office_a=200, researcher=200, staff=200)
# Request A: Northwind's open request to Algonquin, assigned to the researcher. Platform staff
# read every request (escalations) but act for no institution.
REQUEST_A = expect(404, anon=LOGIN, owner_a=200, office_a=200, researcher=200, staff=200)
REQUEST_A_OFFICE = expect(404, anon=LOGIN, owner_a=403, office_a=200, researcher=403, staff=403)
REQUEST_A_INSTITUTION = expect(
    404, anon=LOGIN, owner_a=403, office_a=200, researcher=200, staff=403
)
# Answering needs a question first: the business is sent back to the request.
REQUEST_A_BUSINESS = expect(404, anon=LOGIN, owner_a=302, office_a=403, researcher=403, staff=403)
API_REQUEST_A = expect(404, anon=403, owner_a=200, office_a=200, researcher=200, staff=200)
# Project A: Northwind's project at Algonquin, led by the researcher, with the student on it.
PROJECT_A = expect(
    404, anon=LOGIN, owner_a=200, office_a=200, researcher=200, student=200, staff=200
)
PROJECT_A_EDIT = expect(
    404, anon=LOGIN, owner_a=403, office_a=200, researcher=200, student=403, staff=403
)
API_POST_ONLY = expect(405, anon=403)
POST_ONLY = expect(405, anon=LOGIN)
# The demo's micro-credential: Sofia (the student persona), on project A, assessed by the
# researcher, endorsed by Northwind and issued by Algonquin's office; not shared.
PROJECT_A_EDIT = expect(
    404, anon=LOGIN, owner_a=403, office_a=200, researcher=200, student=403, staff=403
)
HOLDER_ONLY = expect(404, anon=LOGIN, student=200)
PUBLIC = expect(200)

# name -> (its kwargs, or args as a list, from the test data; expected answers; also POST?)
MATRIX = {
    "wagtail_serve": (lambda d: [""], expect(200), False),
    "account_signup": (lambda d: {}, expect(302, anon=200), False),
    "cms_admin_login": (lambda d: {}, expect(403, anon=302, staff=302), False),
    "dashboard": (lambda d: {}, LOGGED_IN, False),
    "profile": (lambda d: {}, LOGGED_IN, False),
    "design_reference": (lambda d: {}, expect(403, anon=LOGIN, staff=200), False),
    "api_me": (lambda d: {}, expect(200, anon=403), False),
    "api_schema": (lambda d: {}, expect(200), False),
    # Public by design: did:web resolution of an institution's signing keys.
    "institution_did": (lambda d: {"slug": d["institution_a"].slug}, expect(200), False),
    "invitation_accept": (lambda d: {"token": d["token"]}, expect(403, anon=200), False),
    "company_list": (lambda d: {}, LOGGED_IN, False),
    "company_detail": (lambda d: {"slug": d["company_a"].slug}, COMPANY_A, False),
    "company_edit": (lambda d: {"slug": d["company_a"].slug}, COMPANY_A, True),
    "company_invite": (lambda d: {"slug": d["company_a"].slug}, COMPANY_A, True),
    "company_member_remove": (
        lambda d: {"slug": d["company_a"].slug, "pk": d["company_a_owner"].pk},
        COMPANY_A,
        True,
    ),
    "company_invitation_revoke": (
        lambda d: {"slug": d["company_a"].slug, "pk": d["company_a_invitation"].pk},
        COMPANY_A,
        True,
    ),
    "diagnostic_list": (lambda d: {"slug": d["company_a"].slug}, DIAGNOSTIC_A, False),
    "diagnostic_start": (lambda d: {"slug": d["company_a"].slug}, DIAGNOSTIC_A_REDIRECT, True),
    "diagnostic_detail": (lambda d: {"pk": d["draft_a"].pk}, DIAGNOSTIC_A_REDIRECT, False),
    "diagnostic_step": (lambda d: {"pk": d["draft_a"].pk, "number": 1}, DIAGNOSTIC_A, True),
    "diagnostic_review": (lambda d: {"pk": d["draft_a"].pk}, DIAGNOSTIC_A_REDIRECT, True),
    "diagnostic_results": (lambda d: {"pk": d["submitted_a"].pk}, DIAGNOSTIC_A, False),
    "diagnostic_discard": (lambda d: {"pk": d["draft_a"].pk}, DIAGNOSTIC_A, True),
    "api_company_diagnostics": (
        lambda d: {"slug": d["company_a"].slug},
        API_DIAGNOSTIC_A,
        True,
    ),
    "api_diagnostic": (lambda d: {"pk": d["draft_a"].pk}, API_DIAGNOSTIC_A, False),
    "api_diagnostic_step": (
        lambda d: {"pk": d["draft_a"].pk, "number": 1},
        API_METHOD_NOT_ALLOWED,
        False,
    ),
    "api_diagnostic_submit": (lambda d: {"pk": d["draft_a"].pk}, API_METHOD_NOT_ALLOWED, False),
    "api_diagnostic_results": (lambda d: {"pk": d["submitted_a"].pk}, API_DIAGNOSTIC_A, False),
    "api_questionnaire": (lambda d: {"version": 1}, expect(200, anon=403), False),
    "institution_list": (lambda d: {}, LOGGED_IN, False),
    "institution_detail": (
        lambda d: {"slug": d["institution_a"].slug},
        INSTITUTION_A_PEOPLE,
        False,
    ),
    "institution_edit": (lambda d: {"slug": d["institution_a"].slug}, INSTITUTION_A_OFFICE, True),
    "institution_invite": (
        lambda d: {"slug": d["institution_a"].slug},
        INSTITUTION_A_OFFICE,
        True,
    ),
    "institution_member_remove": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["institution_a_student"].pk},
        INSTITUTION_A_OFFICE,
        True,
    ),
    "institution_invitation_revoke": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["institution_a_invitation"].pk},
        INSTITUTION_A_OFFICE,
        True,
    ),
    "match_results": (lambda d: {"pk": d["submitted_a"].pk}, DIAGNOSTIC_A, False),
    # POST-only; refused POSTs are in tests/matching/test_match_runs.py.
    "match_refresh": (lambda d: {"pk": d["submitted_a"].pk}, expect(405, anon=LOGIN), False),
    "expertise_mine": (lambda d: {}, LOGGED_IN, False),
    "expertise_detail": (lambda d: {"external_id": d["profile_a"].external_id}, LOGGED_IN, False),
    "expertise_edit": (
        lambda d: {"external_id": d["profile_a"].external_id},
        PROFILE_A_EDITORS,
        True,
    ),
    "expertise_create": (
        lambda d: {"slug": d["institution_a"].slug},
        INSTITUTION_A_PROFILE_AUTHORS,
        True,
    ),
    # Introduction requests and their review.
    "request_create": (lambda d: {"pk": d["submitted_a"].pk}, DIAGNOSTIC_A, True),
    "request_list": (lambda d: {}, LOGGED_IN, False),
    "request_assigned": (lambda d: {}, LOGGED_IN, False),
    "request_queue": (
        lambda d: {"slug": d["institution_a"].slug},
        expect(404, anon=LOGIN, office_a=200, staff=200),
        False,
    ),
    "request_detail": (lambda d: {"pk": d["request_a"].pk}, REQUEST_A, False),
    "request_message": (
        lambda d: {"pk": d["request_a"].pk},
        expect(404, anon=LOGIN, owner_a=200, office_a=200, researcher=200, staff=403),
        True,
    ),
    "request_note": (lambda d: {"pk": d["request_a"].pk}, REQUEST_A_INSTITUTION, True),
    "request_assign": (lambda d: {"pk": d["request_a"].pk}, REQUEST_A_OFFICE, True),
    "request_ask_info": (lambda d: {"pk": d["request_a"].pk}, REQUEST_A_OFFICE, True),
    "request_decline": (lambda d: {"pk": d["request_a"].pk}, REQUEST_A_OFFICE, True),
    "request_refer": (lambda d: {"pk": d["request_a"].pk}, REQUEST_A_OFFICE, True),
    "request_accept": (lambda d: {"pk": d["request_a"].pk}, REQUEST_A_OFFICE, True),
    # Refused answers by POST are in tests/matching/test_request_pages.py.
    "request_answer": (lambda d: {"pk": d["request_a"].pk}, REQUEST_A_BUSINESS, False),
    "request_withdraw": (
        lambda d: {"pk": d["request_a"].pk},
        expect(404, anon=LOGIN, owner_a=200, office_a=403, researcher=403, staff=403),
        True,
    ),
    "project_list": (lambda d: {}, LOGGED_IN, False),
    "project_detail": (lambda d: {"pk": d["project_a"].pk}, PROJECT_A, False),
    "milestone_add": (lambda d: {"pk": d["project_a"].pk}, POST_ONLY, False),
    "milestone_toggle": (
        lambda d: {"pk": d["project_a"].pk, "milestone_pk": d["milestone_a"].pk},
        POST_ONLY,
        False,
    ),
    "funding_application_add": (lambda d: {"pk": d["project_a"].pk}, POST_ONLY, False),
    "funding_application_edit": (
        lambda d: {"pk": d["project_a"].pk, "application_pk": d["application_a"].pk},
        PROJECT_A_EDIT,
        True,
    ),
    "institution_dashboard": (
        lambda d: {"slug": d["institution_a"].slug},
        INSTITUTION_A_OFFICE,
        False,
    ),
    "platform_dashboard": (lambda d: {}, expect(403, anon=LOGIN, staff=200), False),
    "notification_list": (lambda d: {}, LOGGED_IN, False),
    "notification_open": (lambda d: {"pk": d["notification_a"].pk}, POST_ONLY, False),
    "notifications_mark_read": (lambda d: {}, POST_ONLY, False),
    # Public: whoever is confirming an address in this browser may ask for the email again.
    "account_email_verification_resend": (lambda d: {}, expect(405), False),
    "api_match_run_requests": (lambda d: {"pk": d["submitted_a"].pk}, API_DIAGNOSTIC_A, True),
    "api_diagnostic_matches": (lambda d: {"pk": d["submitted_a"].pk}, API_DIAGNOSTIC_A, False),
    "api_requests": (lambda d: {}, expect(200, anon=403), False),
    "api_request": (lambda d: {"pk": d["request_a"].pk}, API_REQUEST_A, False),
    # POST-only; refused POSTs are in tests/matching/test_request_api.py.
    "api_request_action": (
        lambda d: {"pk": d["request_a"].pk, "action": "decline"},
        API_POST_ONLY,
        False,
    ),
    "api_request_accept": (
        lambda d: {"pk": d["request_a"].pk},
        API_POST_ONLY,
        False,
    ),
    # Micro-credentials: the office's definitions and issued credentials.
    "definition_list": (lambda d: {"slug": d["institution_a"].slug}, INSTITUTION_A_OFFICE, False),
    "definition_create": (lambda d: {"slug": d["institution_a"].slug}, INSTITUTION_A_OFFICE, True),
    "definition_detail": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["definition_a"].pk},
        INSTITUTION_A_OFFICE,
        False,
    ),
    "definition_edit": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["definition_a"].pk},
        INSTITUTION_A_OFFICE,
        True,
    ),
    "definition_image": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["definition_a"].pk},
        INSTITUTION_A_OFFICE,
        False,
    ),
    "definition_publish": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["definition_a"].pk},
        POST_ONLY,
        False,
    ),
    "institution_credentials": (
        lambda d: {"slug": d["institution_a"].slug},
        INSTITUTION_A_OFFICE,
        False,
    ),
    "signing_key_rotate": (lambda d: {"slug": d["institution_a"].slug}, POST_ONLY, False),
    "credential_revoke": (
        lambda d: {"public_id": d["credential_a"].public_id},
        expect(404, anon=LOGIN, office_a=200, staff=200),
        True,
    ),
    # The project team's side.
    "project_definitions": (lambda d: {"pk": d["project_a"].pk}, POST_ONLY, False),
    "student_invite": (lambda d: {"pk": d["project_a"].pk}, POST_ONLY, False),
    "evidence_add": (lambda d: {"pk": d["project_a"].pk}, PROJECT_A_EDIT, True),
    "evidence_file": (
        lambda d: {"pk": d["project_a"].pk, "evidence_pk": d["evidence_file_a"].pk},
        expect(404, anon=LOGIN, owner_a=200, office_a=200, researcher=200, student=200),
        False,
    ),
    "evidence_share": (
        lambda d: {"pk": d["project_a"].pk, "evidence_pk": d["evidence_file_a"].pk},
        POST_ONLY,
        False,
    ),
    "assessment_form": (
        lambda d: {
            "pk": d["project_a"].pk,
            "student_pk": d["credential_a"].student_id,
            "definition_pk": d["definition_a"].pk,
        },
        PROJECT_A_EDIT,
        True,
    ),
    "assessment_endorse": (
        lambda d: {"pk": d["project_a"].pk, "assessment_pk": d["credential_a"].assessment_id},
        expect(404, anon=LOGIN, owner_a=200, office_a=403, researcher=403, student=403, staff=403),
        True,
    ),
    "credential_issue": (
        lambda d: {"pk": d["project_a"].pk, "assessment_pk": d["credential_a"].assessment_id},
        POST_ONLY,
        False,
    ),
    # The student's credentials, and what anyone may read or check.
    "student_credentials": (lambda d: {}, LOGGED_IN, False),
    "credential_download": (
        lambda d: {"public_id": d["credential_a"].public_id},
        HOLDER_ONLY,
        False,
    ),
    "credential_share": (lambda d: {"public_id": d["credential_a"].public_id}, POST_ONLY, False),
    "credential_baked": (
        lambda d: {"public_id": d["credential_a"].public_id, "kind": "png"},
        HOLDER_ONLY,
        False,
    ),
    "wallet_export": (lambda d: {}, LOGGED_IN, False),
    "credential_verify": (lambda d: {}, PUBLIC, False),
    "catalogue": (lambda d: {}, PUBLIC, False),
    "funding_guide": (lambda d: {}, PUBLIC, False),
    "funding_program": (lambda d: {"slug": "nrc-irap"}, PUBLIC, False),
    "site_search": (lambda d: {}, PUBLIC, False),
    "directory": (lambda d: {}, PUBLIC, False),
    "public_profile": (lambda d: {"external_id": d["profile_a"].external_id}, PUBLIC, False),
    "public_institution_list": (lambda d: {}, PUBLIC, False),
    "public_institution": (lambda d: {"slug": d["institution_a"].slug}, PUBLIC, False),
    # Wagtail's admin: anyone else is sent to its login, which is allauth's.
    "cms_missing_translations": (lambda d: {}, expect(403, anon=302, staff=200), False),
    "cms_missing_translations_results": (lambda d: {}, expect(403, anon=302, staff=200), False),
    "robots_txt": (lambda d: {}, PUBLIC, False),
    "sitemap_index": (lambda d: {}, PUBLIC, False),
    "sitemap_section": (lambda d: {"section": "expertise"}, PUBLIC, False),
    # Private by default: no public page until its holder shares it.
    "credential_public": (lambda d: {"public_id": d["credential_a"].public_id}, expect(404), False),
    "definition_public": (
        lambda d: {"lineage": d["definition_a"].lineage, "version": d["definition_a"].version},
        PUBLIC,
        False,
    ),
    "definition_badge": (
        lambda d: {
            "lineage": d["definition_a"].lineage,
            "version": d["definition_a"].version,
            "language": "fr",
            "kind": "svg",
        },
        PUBLIC,
        False,
    ),
    "company_did": (lambda d: {"slug": d["company_a"].slug}, PUBLIC, False),
    "status_list_credential": (
        lambda d: {"slug": d["institution_a"].slug, "number": d["credential_a"].status_list.number},
        PUBLIC,
        False,
    ),
    "eu_extension_context": (lambda d: {}, PUBLIC, False),
    "api_credential_verify": (lambda d: {}, expect(405), False),
    "api_projects": (lambda d: {}, expect(200, anon=403), False),
    "api_project": (
        lambda d: {"pk": d["project_a"].pk},
        expect(404, anon=403, owner_a=200, office_a=200, researcher=200, student=200, staff=200),
        False,
    ),
    # Pathways: the research office's pages. The demo's pathway is published: its form sends
    # the office back to its page.
    "pathway_list": (lambda d: {"slug": d["institution_a"].slug}, INSTITUTION_A_OFFICE, False),
    "pathway_create": (lambda d: {"slug": d["institution_a"].slug}, INSTITUTION_A_OFFICE, True),
    "pathway_detail": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["pathway_a"].pk},
        INSTITUTION_A_OFFICE,
        False,
    ),
    "pathway_edit": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["pathway_a"].pk},
        expect(404, anon=LOGIN, office_a=302, researcher=403, student=403, staff=302),
        True,
    ),
    "pathway_publish": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["pathway_a"].pk},
        POST_ONLY,
        False,
    ),
    "pathway_close": (
        lambda d: {"slug": d["institution_a"].slug, "pk": d["pathway_a"].pk},
        POST_ONLY,
        False,
    ),
    "pathway_component_agree": (
        lambda d: {"slug": d["institution_a"].slug, "component_pk": d["component_a"].pk},
        POST_ONLY,
        False,
    ),
}

# What each persona's list pages may show, and what they must not.
LIST_VISIBILITY = {
    "owner_a": ({"Northwind Robotics Inc."}, {"Boulangerie Lumière"}, set(), {"Algonquin College"}),
    "owner_b": ({"Boulangerie Lumière"}, {"Northwind Robotics Inc."}, set(), {"La Cité"}),
    "office_a": (set(), {"Northwind Robotics Inc."}, {"Algonquin College"}, {"La Cité"}),
    "office_b": (set(), {"Boulangerie Lumière"}, {"La Cité"}, {"Algonquin College"}),
    "researcher": (set(), {"Northwind Robotics Inc."}, {"Algonquin College"}, {"La Cité"}),
    "student": (set(), {"Northwind Robotics Inc."}, {"Algonquin College"}, {"La Cité"}),
    "staff": (
        {"Northwind Robotics Inc.", "Boulangerie Lumière"},
        set(),
        {"Algonquin College"},
        set(),
    ),
}


def our_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                ours = pattern.lookup_str.startswith(OUR_PACKAGES)
                if ours or pattern.name == "wagtail_serve":
                    names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo_data", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        users = {key: User.objects.get(email=email) for key, email in PERSONAS.items()}
        cls.users = users
        company_a = Company.objects.get(memberships__user=users["owner_a"])
        institution_a = Institution.objects.get(slug="algonquin")
        company_invitation, token = invitations.issue(
            CompanyInvitation,
            email="invitee@example.com",
            invited_by=users["owner_a"],
            language="en",
            company=company_a,
        )
        institution_invitation, _token = invitations.issue(
            InstitutionInvitation,
            email="newcomer@example.com",
            invited_by=users["office_a"],
            language="en",
            institution=institution_a,
            role="researcher",
        )
        draft_a, _created = diagnostic_start(actor=users["owner_a"], company=company_a)
        submitted_a = Diagnostic.objects.get(company=company_a, status="submitted")
        request_a = IntroductionRequest.objects.create(
            company=company_a,
            diagnostic=submitted_a,
            match_run=submitted_a.match_runs.first(),
            institution=institution_a,
            profile=ExpertiseProfile.objects.filter(institution=institution_a).last(),
            requested_by=users["owner_a"],
            message="Could your team look at our inspection problem?",
            assigned_to=users["researcher"],
            status="in_review",
        )
        RequestNote.objects.create(
            request=request_a, author=users["office_a"], body="INTERNAL-NOTE-A"
        )
        credential_a = IssuedCredential.objects.get(student=users["student"])
        project_a = credential_a.assessment.project  # Northwind's project at Algonquin
        assert (project_a.company, project_a.institution) == (company_a, institution_a)
        # The demo's project has no milestone yet: one to toggle.
        milestone_a = project_a.milestones.create(title="Prototype")
        evidence_file_a = services.evidence_add(
            actor=users["researcher"],
            project=project_a,
            student=users["student"],
            title="Test log",
            description="",
            url="",
            upload=SimpleUploadedFile("log.txt", b"run 1: ok", content_type="text/plain"),
        )
        cls.data = {
            "token": token,
            "credential_a": credential_a,
            "definition_a": credential_a.definition,
            "evidence_file_a": evidence_file_a,
            "submitted_a": submitted_a,
            "request_a": request_a,
            "project_a": project_a,
            "milestone_a": milestone_a,
            "application_a": project_a.funding_applications.first(),
            "notification_a": Notification.objects.create(
                user=users["owner_a"], key="matrix", message="Hello"
            ),
            "draft_a": draft_a,
            "company_a": company_a,
            "company_a_owner": CompanyMembership.objects.get(user=users["owner_a"]),
            "company_a_invitation": company_invitation,
            "institution_a": institution_a,
            "institution_a_student": InstitutionMembership.objects.get(user=users["student"]),
            "institution_a_invitation": institution_invitation,
            "profile_a": ExpertiseProfile.objects.filter(institution=institution_a).first(),
            "pathway_a": institution_a.pathways.get(),
            "component_a": institution_a.pathway_components.first(),
        }

    def login(self, persona: str) -> None:
        self.client.logout()
        if persona != "anon":
            self.client.force_login(self.users[persona])

    def assert_answer(self, response, expected, where: str) -> None:
        if expected == LOGIN:
            self.assertEqual(response.status_code, 302, where)
            self.assertIn("/accounts/login/", response["Location"], where)
        else:
            self.assertEqual(response.status_code, expected, where)

    def test_every_url_name_has_an_entry(self):
        missing = our_url_names() - set(MATRIX)
        self.assertEqual(missing, set(), "add these URL names to the permission matrix")

    def test_matrix(self):
        for name, (build_kwargs, expected, try_post) in MATRIX.items():
            arguments = build_kwargs(self.data)
            url = (
                reverse(name, args=arguments)
                if isinstance(arguments, list)
                else reverse(name, kwargs=arguments)
            )
            for persona in EVERYONE:
                with self.subTest(url=name, persona=persona):
                    self.login(persona)
                    self.assert_answer(self.client.get(url), expected[persona], f"GET {url}")
                    if try_post and expected[persona] != 200:
                        self.assert_answer(
                            self.client.post(url, {}), expected[persona], f"POST {url}"
                        )
        # Refused writes changed nothing.
        self.assertTrue(
            CompanyMembership.objects.filter(pk=self.data["company_a_owner"].pk).exists()
        )
        self.assertIsNone(
            CompanyInvitation.objects.get(pk=self.data["company_a_invitation"].pk).revoked_at
        )
        self.assertTrue(
            InstitutionMembership.objects.filter(pk=self.data["institution_a_student"].pk).exists()
        )
        draft = Diagnostic.objects.get(pk=self.data["draft_a"].pk)
        self.assertEqual((draft.status, draft.revision), ("draft", 0))
        request_a = IntroductionRequest.objects.get(pk=self.data["request_a"].pk)
        self.assertEqual((request_a.status, request_a.version), ("in_review", 1))
        self.assertFalse(request_a.messages.exists())
        self.assertEqual(request_a.notes.count(), 1)
        self.assertIsNone(Milestone.objects.get(pk=self.data["milestone_a"].pk).done_at)
        credential = IssuedCredential.objects.get(pk=self.data["credential_a"].pk)
        self.assertEqual((credential.revoked_at, credential.shared), (None, False))
        self.assertEqual(IssuedCredential.objects.count(), 1)
        self.assertEqual(credential.definition.state, "published")

    def test_internal_notes_never_reach_the_business(self):
        self.login("owner_a")
        for name in ["request_detail", "api_request"]:
            page = self.client.get(reverse(name, kwargs={"pk": self.data["request_a"].pk}))
            self.assertEqual(page.status_code, 200)
            self.assertNotIn("INTERNAL-NOTE-A", page.content.decode())
        self.login("office_a")
        page = self.client.get(reverse("request_detail", kwargs={"pk": self.data["request_a"].pk}))
        self.assertIn("INTERNAL-NOTE-A", page.content.decode())

    def test_lists_show_only_what_each_persona_may_see(self):
        for persona, (
            companies_in,
            companies_out,
            institutions_in,
            institutions_out,
        ) in LIST_VISIBILITY.items():
            with self.subTest(persona=persona):
                self.login(persona)
                companies = self.client.get(reverse("company_list")).content.decode()
                institutions = self.client.get(reverse("institution_list")).content.decode()
                dashboard = self.client.get(reverse("dashboard")).content.decode()
                for name in companies_in:
                    self.assertIn(name, companies)
                for name in companies_out:
                    self.assertNotIn(name, companies)
                    self.assertNotIn(name, dashboard)
                for name in institutions_in:
                    self.assertIn(name, institutions)
                for name in institutions_out:
                    self.assertNotIn(name, institutions)
                    self.assertNotIn(name, dashboard)

    def test_institution_people_are_shown_to_the_research_office_only(self):
        url = reverse("institution_detail", kwargs={"slug": "algonquin"})
        for persona, sees_people in [
            ("office_a", True),
            ("staff", True),
            ("researcher", False),
            ("student", False),
        ]:
            with self.subTest(persona=persona):
                self.login(persona)
                page = self.client.get(url).content.decode()
                self.assertEqual("sofia.martin@algonquin.example" in page, sees_people)

    def test_api_me_lists_only_own_memberships(self):
        self.login("office_a")
        data = self.client.get(reverse("api_me")).json()
        self.assertEqual([m["institution_slug"] for m in data["institutions"]], ["algonquin"])
        self.assertEqual(data["companies"], [])
