"""Pathways (Micro-credentials Plus): where a learner stands (pure), the research office's
services (define, agree across institutions, publish, close), completion and the stacked
credential it issues once, and the office's pages."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from ocip.accounts.mfa import MFARequired
from ocip.errors import Conflict
from ocip.notifications.models import Notification
from projects import selectors, services
from projects.credentials import pathways
from projects.models import IssuedCredential, Pathway, PathwayCompletion, PathwayComponent
from projects.presentation import pathway_rows
from tests.credentials.conftest import complete_fields
from tests.credentials.steps import issue
from tests.factories import InstitutionMembershipFactory, UserFactory

State = Pathway.State


# --- Where a learner stands (pure) ------------------------------------------------------------


def test_all_of_needs_every_component_in_the_pathways_order():
    progress = pathways.progress(["a", "b", "c"], None, {"c", "a", "z"})
    assert (progress.counted, progress.missing) == (("a", "c"), ("b",))
    assert (progress.needed, progress.done, progress.left) == (3, 2, 1)
    assert progress.started and not progress.complete
    assert pathways.progress(["a", "b", "c"], None, {"a", "b", "c"}).complete


def test_any_n_completes_at_n_and_never_counts_more_than_needed():
    assert not pathways.progress(["a", "b", "c"], 2, {"b"}).complete
    progress = pathways.progress(["a", "b", "c"], 2, {"b", "c"})
    assert progress.complete and (progress.done, progress.left) == (2, 0)
    everything = pathways.progress(["a", "b", "c"], 1, {"a", "b", "c"})
    assert everything.complete and (everything.needed, everything.done) == (1, 1)


def test_n_larger_than_the_components_asks_for_all_of_them():
    assert pathways.needed_count(["a", "b"], 5) == 2
    assert not pathways.progress(["a", "b"], 5, {"a"}).complete
    assert pathways.progress(["a", "b"], 5, {"a", "b"}).complete


def test_an_empty_pathway_is_never_complete_nor_started():
    for required in (None, 1):
        progress = pathways.progress([], required, {"a"})
        assert (progress.needed, progress.complete, progress.started) == (0, False, False)
    nothing_held = pathways.progress(["a"], None, set())
    assert not nothing_held.started and nothing_held.missing == ("a",)


# --- Fixtures ----------------------------------------------------------------------------------


def publish_definition(office, institution, skill_uri, title_en, title_fr):
    fields = {**complete_fields(skill_uri), "title_en": title_en, "title_fr": title_fr}
    draft = services.definition_create(actor=office, institution=institution, **fields)
    return services.definition_publish(actor=office, definition=draft)


@pytest.fixture
def institution(project):
    return project.institution


@pytest.fixture
def second(office, institution, skill_uri):
    return publish_definition(
        office, institution, skill_uri, "Research data handling", "Gestion des données"
    )


@pytest.fixture
def third(office, institution, skill_uri):
    return publish_definition(
        office, institution, skill_uri, "Technical reporting", "Rédaction de rapports techniques"
    )


@pytest.fixture
def certificate(office, institution, skill_uri):
    return publish_definition(
        office,
        institution,
        skill_uri,
        "Certificate in Applied Research Practice",
        "Certificat en pratique de la recherche appliquée",
    )


@pytest.fixture
def other_office(review):
    return review.offices[1]


@pytest.fixture
def other_institution(review):
    return review.institutions[1]


@pytest.fixture
def elsewhere(other_office, other_institution, skill_uri):
    """A published micro-credential of another institution."""
    return publish_definition(
        other_office, other_institution, skill_uri, "Lab safety", "Sécurité au laboratoire"
    )


@pytest.fixture
def offered(office, project, definition, second, third):
    """The project offers the three micro-credentials, so its students can earn them."""
    services.project_set_definitions(
        actor=office, project=project, definitions=[definition, second, third]
    )
    return [definition, second, third]


STACKED = {
    "title_en": "Applied Research Practice",
    "title_fr": "Pratique de la recherche appliquée",
    "description_en": "Carry out and manage applied research.",
    "description_fr": "Mener et gérer la recherche appliquée.",
    "rule": "all",
    "target": "stacked",
}
PROGRAM = {
    "title_en": "Toward the Applied Research diploma",
    "title_fr": "Vers le diplôme en recherche appliquée",
    "rule": "any",
    "required_count": 2,
    "target": "program",
    "program_kind": "diploma",
    "program_name_en": "Applied Research diploma",
    "program_name_fr": "Diplôme en recherche appliquée",
    "program_credit_en": "Exemption from the research methods course.",
    "program_credit_fr": "Exemption du cours de méthodes de recherche.",
}


def make_pathway(office, institution, components, *, publish=True, **fields):
    pathway = services.pathway_create(actor=office, institution=institution, **fields)
    services.pathway_set_components(
        actor=office, pathway=pathway, lineages=[item.lineage for item in components]
    )
    if publish:
        pathway = services.pathway_publish(actor=office, pathway=pathway)
    return pathway


@pytest.fixture
def stacked_pathway(office, institution, definition, second, certificate):
    return make_pathway(
        office,
        institution,
        [definition, second],
        stacked_lineage=certificate.lineage,
        **STACKED,
    )


def earn(office, project, student, business_owner, *definitions):
    """The student earns each micro-credential through the real flow (assessed, endorsed,
    issued); nothing runs after the commit, so no pathway completes by itself."""
    return [issue(office, project, student, item, business_owner) for item in definitions]


# --- Defining a pathway ------------------------------------------------------------------------


def test_a_draft_needs_a_target_and_a_rule_that_hold_together(office, institution, elsewhere):
    with pytest.raises(ValidationError) as error:
        services.pathway_create(actor=office, institution=institution, title_en="Draft")
    assert error.value.message_dict["target"] == [
        "Choose what the pathway leads to: a program or a stacked micro-credential."
    ]
    with pytest.raises(ValidationError) as error:
        services.pathway_create(actor=office, institution=institution, rule="any", target="program")
    assert error.value.message_dict["required_count"] == [
        "Say how many of the micro-credentials a learner needs."
    ]
    for lineage in (None, "not-a-uuid", elsewhere.lineage):  # another institution's: refused
        with pytest.raises(ValidationError) as error:
            services.pathway_create(
                actor=office, institution=institution, target="stacked", stacked_lineage=lineage
            )
        assert "stacked_lineage" in error.value.message_dict
    assert not Pathway.objects.exists()


def test_a_draft_is_saved_incomplete_and_what_its_rule_and_target_do_not_use_is_emptied(
    office, institution, certificate
):
    pathway = services.pathway_create(
        actor=office,
        institution=institution,
        title_en="  Only English  ",
        rule="all",
        required_count=3,
        target="program",
        stacked_lineage=certificate.lineage,
    )
    assert (pathway.state, pathway.title_en, pathway.required_count) == (
        State.DRAFT,
        "Only English",
        None,
    )
    assert pathway.stacked_lineage is None and pathway.created_by == office

    updated = services.pathway_update(
        actor=office, pathway=pathway, target="stacked", stacked_lineage=certificate.lineage
    )
    assert updated.stacked_lineage == certificate.lineage and updated.title_en == "Only English"


def test_the_offices_own_micro_credentials_are_agreed_and_anothers_waits_for_its_office(
    office, institution, definition, elsewhere, other_office, other_institution
):
    pathway = services.pathway_create(actor=office, institution=institution, **PROGRAM)
    components = services.pathway_set_components(
        actor=office, pathway=pathway, lineages=[definition.lineage, elsewhere.lineage]
    )

    own, other = components
    assert (own.institution, own.agreed_by) == (institution, office)
    assert own.agreed_at is not None
    assert (other.institution, other.agreed_at, other.agreed_by) == (
        other_institution,
        None,
        None,
    )
    asked = Notification.objects.get(user=other_office, key__startswith="pathway-")
    assert asked.path == reverse("pathway_list", kwargs={"slug": other_institution.slug})
    assert institution.name in asked.text and "Lab safety" in asked.text
    assert not Notification.objects.filter(user=office, key__startswith="pathway-").exists()
    # Nothing of it counts yet: the other institution's is not agreed, and it is a draft.
    assert selectors.pathway_parts(pathway) == [definition]
    assert selectors.mc_plus_lineages() == set()

    # Saving the same choice again keeps the agreement and asks no one twice.
    services.pathway_set_components(
        actor=office, pathway=pathway, lineages=[definition.lineage, elsewhere.lineage]
    )
    assert list(pathway.components.values_list("pk", flat=True)) == [own.pk, other.pk]
    assert Notification.objects.filter(user=other_office, key__startswith="pathway-").count() == 1


def test_only_published_micro_credentials_can_be_components(
    office, institution, skill_uri, definition, certificate
):
    draft = services.definition_create(
        actor=office, institution=institution, **complete_fields(skill_uri)
    )
    pathway = services.pathway_create(
        actor=office, institution=institution, stacked_lineage=certificate.lineage, **STACKED
    )
    for lineages in ([draft.lineage], ["nonsense"], [certificate.lineage]):
        with pytest.raises(ValidationError) as error:
            services.pathway_set_components(actor=office, pathway=pathway, lineages=lineages)
        assert "lineages" in error.value.message_dict
    assert not pathway.components.exists()


def test_the_other_office_agrees_and_the_pathway_can_be_published(
    office, institution, definition, elsewhere, other_office
):
    pathway = make_pathway(office, institution, [definition, elsewhere], publish=False, **PROGRAM)
    with pytest.raises(ValidationError) as error:
        services.pathway_publish(actor=office, pathway=pathway)
    assert any(
        text.startswith("Agreement: waiting for the research office of") for text in error.value
    )

    component = pathway.components.get(lineage=elsewhere.lineage)
    agreed = services.pathway_component_agree(actor=other_office, component=component, agree=True)
    assert agreed.agreed_by == other_office and agreed.agreed_at is not None
    told = Notification.objects.get(user=office, key__startswith="pathway-")
    assert "agreed to include" in told.text
    assert told.path == reverse(
        "pathway_detail", kwargs={"slug": institution.slug, "pk": pathway.pk}
    )
    # Agreeing twice is agreeing once.
    services.pathway_component_agree(actor=other_office, component=component, agree=True)
    assert Notification.objects.filter(user=office, key__startswith="pathway-").count() == 1

    published = services.pathway_publish(actor=office, pathway=pathway)
    assert published.state == State.PUBLISHED and published.published_at is not None
    assert selectors.mc_plus_lineages() == {str(definition.lineage), str(elsewhere.lineage)}


def test_refusing_takes_the_micro_credential_out_and_tells_the_pathways_office(
    office, institution, definition, second, elsewhere, other_office
):
    pathway = make_pathway(
        office, institution, [definition, second, elsewhere], publish=False, **PROGRAM
    )
    component = pathway.components.get(lineage=elsewhere.lineage)

    assert (
        services.pathway_component_agree(actor=other_office, component=component, agree=False)
        is None
    )

    assert not PathwayComponent.objects.filter(pk=component.pk).exists()
    refused = Notification.objects.get(user=office, key__startswith="pathway-")
    assert "refused to include" in refused.text
    with pytest.raises(Conflict):  # answered already
        services.pathway_component_agree(actor=other_office, component=component, agree=True)
    assert services.pathway_publish(actor=office, pathway=pathway).state == State.PUBLISHED


def test_who_may_define_agree_publish_and_close(
    office,
    institution,
    definition,
    second,
    elsewhere,
    other_office,
    review,
    student,
    platform_staff,
    certificate,
):
    researcher = review.researchers[0]
    for person in (researcher, student, other_office):
        with pytest.raises(PermissionDenied):
            services.pathway_create(actor=person, institution=institution, **PROGRAM)
    no_mfa = InstitutionMembershipFactory(
        institution=institution, role="office_staff", user__email="nomfa@college.example"
    ).user
    with pytest.raises(MFARequired):
        services.pathway_create(actor=no_mfa, institution=institution, **PROGRAM)

    # Platform staff act for any institution, as on its other pages.
    pathway = make_pathway(
        platform_staff, institution, [definition, elsewhere], publish=False, **PROGRAM
    )
    component = pathway.components.get(lineage=elsewhere.lineage)
    own = pathway.components.get(lineage=definition.lineage)
    for person in (office, researcher, student):  # only the micro-credential's own office
        with pytest.raises(PermissionDenied):
            services.pathway_component_agree(actor=person, component=component, agree=True)
    with pytest.raises(PermissionDenied):
        services.pathway_component_agree(actor=other_office, component=own, agree=False)
    for person in (researcher, student, other_office):
        with pytest.raises(PermissionDenied):
            services.pathway_set_components(actor=person, pathway=pathway, lineages=[])
        with pytest.raises(PermissionDenied):
            services.pathway_update(actor=person, pathway=pathway, title_fr="Pris")
        with pytest.raises(PermissionDenied):
            services.pathway_publish(actor=person, pathway=pathway)
    services.pathway_component_agree(actor=other_office, component=component, agree=True)
    services.pathway_publish(actor=office, pathway=pathway)
    for person in (researcher, student, other_office):
        with pytest.raises(PermissionDenied):
            services.pathway_close(actor=person, pathway=pathway)
    pathway.refresh_from_db()
    assert pathway.state == State.PUBLISHED


def test_publishing_says_everything_that_is_missing(office, institution, definition, second):
    pathway = services.pathway_create(
        actor=office,
        institution=institution,
        title_en="English only",
        rule="any",
        required_count=3,
        target="program",
    )
    services.pathway_set_components(actor=office, pathway=pathway, lineages=[definition.lineage])

    with pytest.raises(ValidationError) as error:
        services.pathway_publish(actor=office, pathway=pathway)

    assert error.value.messages == [
        "Title: give it in English and in French.",
        "Micro-credentials: choose at least two, each agreed by its institution.",
        "Rule: a learner cannot need 3 of 1 micro-credentials. Lower the number needed or add "
        "micro-credentials.",
        "Program: choose its kind, certificate, diploma or degree.",
        "Program: give its name in English and in French.",
        "Credit or advanced standing: say what completing the pathway grants, in English and in "
        "French.",
    ]
    pathway.refresh_from_db()
    assert pathway.state == State.DRAFT and pathway.published_at is None


def test_any_n_may_ask_for_all_of_them_but_not_more(office, institution, definition, second):
    pathway = make_pathway(
        office, institution, [definition, second], **{**PROGRAM, "required_count": 2}
    )
    assert pathway.state == State.PUBLISHED
    assert selectors.pathway_rule_text(pathway, 2) == "All 2 of these micro-credentials"
    pathway.required_count = 1
    assert selectors.pathway_rule_text(pathway, 4) == "Any 1 of these 4 micro-credentials"


def test_a_stacked_target_is_a_published_micro_credential_of_the_institution_and_not_a_part(
    office, institution, definition, second, certificate
):
    pathway = make_pathway(
        office,
        institution,
        [definition, second],
        publish=False,
        stacked_lineage=certificate.lineage,
        **STACKED,
    )
    # Made a component behind the services' back: publishing still refuses it.
    PathwayComponent.objects.create(
        pathway=pathway,
        lineage=certificate.lineage,
        institution=institution,
        agreed_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as error:
        services.pathway_publish(actor=office, pathway=pathway)
    assert error.value.messages == [
        "Stacked micro-credential: it cannot also be one of the micro-credentials that lead to it."
    ]


def test_a_published_pathway_is_only_closed_and_a_closed_one_stays_closed(office, stacked_pathway):
    for change in (
        lambda: services.pathway_update(actor=office, pathway=stacked_pathway, title_en="New"),
        lambda: services.pathway_set_components(actor=office, pathway=stacked_pathway, lineages=[]),
        lambda: services.pathway_publish(actor=office, pathway=stacked_pathway),
    ):
        with pytest.raises(Conflict):
            change()
    assert len(selectors.mc_plus_lineages()) == 2

    closed = services.pathway_close(actor=office, pathway=stacked_pathway)

    assert closed.state == State.CLOSED
    assert selectors.mc_plus_lineages() == set()
    with pytest.raises(Conflict):
        services.pathway_close(actor=office, pathway=stacked_pathway)


# --- Completing a pathway ----------------------------------------------------------------------


def test_holding_every_component_issues_the_stacked_credential_once(
    office, project, student, business_owner, offered, stacked_pathway, certificate
):
    definition, second, _third = offered
    held = earn(office, project, student, business_owner, definition, second)
    assert not PathwayCompletion.objects.exists()  # nothing ran after the commit

    (completion,) = services.pathways_complete_for(student=student)
    assert services.pathways_complete_for(student=student) == []

    assert PathwayCompletion.objects.get() == completion
    stacked = IssuedCredential.objects.get(pathway=stacked_pathway)
    assert completion.credential == stacked
    assert (stacked.student, stacked.assessment, stacked.definition, stacked.institution) == (
        student,
        None,
        certificate,
        stacked_pathway.institution,
    )
    assert IssuedCredential.objects.filter(student=student).count() == 3
    notices = Notification.objects.filter(user=student, key__startswith="pathway-completed")
    assert notices.count() == 1
    assert notices.get().text == (
        "You completed the pathway Applied Research Practice: its micro-credential was issued."
    )

    document = json.loads(stacked.signed_text)
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["id"] == selectors.achievement_url(certificate)
    # Earned by the pathway's rule, not assessed: no rubric, and the criteria say the rule.
    assert "resultDescription" not in achievement and "result" not in document["credentialSubject"]
    assert achievement["criteria"]["narrative"].startswith(
        "Awarded for completing the pathway Applied Research Practice: all 2 of these "
        f"micro-credentials ({definition.title_en}; {second.title_en})."
    )
    stacks = [
        item for item in achievement["alignment"] if item["targetType"] == "ceterms:Credential"
    ]
    assert [(item["targetUrl"], item["targetName"]) for item in stacks] == [
        (selectors.achievement_url(definition), definition.title_en),
        (selectors.achievement_url(second), second.title_en),
    ]
    evidence = document["evidence"]
    assert [item["id"] for item in evidence] == [selectors.credential_url(item) for item in held]
    assert [item["name"] for item in evidence] == [definition.title_en, second.title_en]
    assert selectors.verify(json.loads(stacked.signed_text), timezone.now()).verdict == "valid"


def test_the_daily_sweep_completes_what_no_check_did_and_skips_a_learner_without_email(
    office, project, student, business_owner, offered, stacked_pathway
):
    definition, second, _third = offered
    earn(office, project, student, business_owner, definition, second)
    type(student).objects.filter(pk=student.pk).update(email="")
    student.refresh_from_db()

    # Without an address nothing can be issued: nothing is recorded, so a later run can.
    assert services.pathways_complete_all() == 0
    assert not PathwayCompletion.objects.exists()

    type(student).objects.filter(pk=student.pk).update(email="student@college.example")
    assert services.pathways_complete_all() == 1
    assert services.pathways_complete_all() == 0
    assert PathwayCompletion.objects.get().credential.pathway == stacked_pathway


def test_one_learners_failure_does_not_stop_the_sweep(
    monkeypatch, office, project, student, business_owner, offered, stacked_pathway
):
    definition, second, _third = offered
    earn(office, project, student, business_owner, definition, second)
    real = services.pathways_complete_for
    calls = []

    def failing_once(*, student):
        calls.append(student.pk)
        if len(calls) == 1:
            raise RuntimeError("signing service down")
        return real(student=student)

    monkeypatch.setattr(services, "pathways_complete_for", failing_once)
    assert services.pathways_complete_all() == 0  # logged, not raised
    assert services.pathways_complete_all() == 1


def test_any_two_of_three_completes_at_two_and_a_program_issues_nothing(
    office, project, student, business_owner, offered, institution
):
    definition, second, third = offered
    pathway = make_pathway(office, institution, [definition, second, third], **PROGRAM)
    earn(office, project, student, business_owner, definition)
    assert services.pathways_complete_for(student=student) == []

    earn(office, project, student, business_owner, third)
    (completion,) = services.pathways_complete_for(student=student)

    assert (completion.pathway, completion.credential) == (pathway, None)
    assert not IssuedCredential.objects.filter(pathway__isnull=False).exists()
    assert (
        Notification.objects.get(user=student, key__startswith="pathway-completed").text
        == "You completed the pathway Toward the Applied Research diploma."
    )


def test_a_revoked_credential_does_not_count(
    office, project, student, business_owner, offered, stacked_pathway
):
    definition, second, _third = offered
    first, _second = earn(office, project, student, business_owner, definition, second)
    services.credential_revoke(actor=office, credential=first, reason="Issued in error.")

    assert services.pathways_complete_for(student=student) == []
    assert not PathwayCompletion.objects.exists()
    (row,) = selectors.student_pathways(student)
    assert (row["progress"].done, row["progress"].needed) == (1, 2)


def test_a_draft_or_closed_pathway_never_completes(
    office, project, student, business_owner, offered, institution, certificate
):
    definition, second, _third = offered
    draft = make_pathway(
        office,
        institution,
        [definition, second],
        publish=False,
        stacked_lineage=certificate.lineage,
        **STACKED,
    )
    closed = make_pathway(office, institution, [definition, second], **PROGRAM)
    services.pathway_close(actor=office, pathway=closed)
    earn(office, project, student, business_owner, definition, second)

    assert services.pathways_complete_for(student=student) == []
    assert not PathwayCompletion.objects.filter(pathway__in=[draft, closed]).exists()


def test_completions_stay_when_the_pathway_closes(
    office, project, student, business_owner, offered, stacked_pathway
):
    definition, second, _third = offered
    earn(office, project, student, business_owner, definition, second)
    services.pathways_complete_for(student=student)

    services.pathway_close(actor=office, pathway=stacked_pathway)

    completion = PathwayCompletion.objects.get(pathway=stacked_pathway)
    assert completion.credential.revoked_at is None
    # The learner still sees it completed in their wallet; the mark MC+ is gone.
    (row,) = selectors.student_pathways(student)
    assert row["pathway"] == stacked_pathway and row["completion"] == completion
    assert str(definition.lineage) not in selectors.mc_plus_lineages()


def test_issuing_the_last_component_completes_the_pathway_through_the_task_after_commit(
    office,
    project,
    student,
    business_owner,
    offered,
    stacked_pathway,
    django_capture_on_commit_callbacks,
):
    definition, second, _third = offered
    earn(office, project, student, business_owner, definition)
    assert not PathwayCompletion.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        earn(office, project, student, business_owner, second)

    completion = PathwayCompletion.objects.get(student=student)
    assert completion.pathway == stacked_pathway
    assert completion.credential.pathway == stacked_pathway
    assert IssuedCredential.objects.filter(pathway=stacked_pathway).count() == 1


def test_publishing_completes_it_for_learners_who_already_hold_enough(
    office,
    project,
    student,
    business_owner,
    offered,
    institution,
    certificate,
    django_capture_on_commit_callbacks,
):
    definition, second, _third = offered
    earn(office, project, student, business_owner, definition, second)
    pathway = make_pathway(
        office,
        institution,
        [definition, second],
        publish=False,
        stacked_lineage=certificate.lineage,
        **STACKED,
    )
    assert selectors.pathway_students_to_check(pathway) == [student.pk]

    with django_capture_on_commit_callbacks(execute=True):
        services.pathway_publish(actor=office, pathway=pathway)

    assert PathwayCompletion.objects.get().student == student
    assert IssuedCredential.objects.filter(pathway=pathway, student=student).count() == 1


# --- The office's pages --------------------------------------------------------------------------


def page_url(name: str, institution, **kwargs) -> str:
    return reverse(name, kwargs={"slug": institution.slug, **kwargs})


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def form_data(**fields) -> dict:
    data = {
        "title_en": "Applied Research Practice",
        "title_fr": "Pratique de la recherche appliquée",
        "description_en": "",
        "description_fr": "",
        "rule": "all",
        "required_count": "",
        "target": "program",
        "program_kind": "certificate",
        "program_name_en": "Applied Research certificate",
        "program_name_fr": "Certificat en recherche appliquée",
        "program_credit_en": "Advanced standing in the certificate.",
        "program_credit_fr": "Reconnaissance des acquis dans le certificat.",
        "program_url": "",
        "stacked_lineage": "",
    }
    data.update(fields)
    return data


def test_the_office_defines_a_pathway_with_another_institutions_micro_credential(
    office_client, institution, definition, second, elsewhere, other_office
):
    form = office_client.get(page_url("pathway_create", institution))
    content = form.content.decode()
    assert form.status_code == 200
    # Grouped by institution, the office's own first.
    assert content.index(definition.title_en) < content.index(elsewhere.title_en)
    assert f"{institution.name} (your institution)" in content

    response = office_client.post(
        page_url("pathway_create", institution),
        form_data(lineages=[str(definition.lineage), str(elsewhere.lineage)]),
    )

    pathway = Pathway.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_url("pathway_detail", institution, pk=pathway.pk)
    assert pathway.state == State.DRAFT and pathway.program_kind == "certificate"
    assert [item.lineage for item in pathway.components.all()] == [
        definition.lineage,
        elsewhere.lineage,
    ]
    assert "were asked to agree" in messages_of(response)[0]
    assert Notification.objects.filter(user=other_office, key__startswith="pathway-").count() == 1

    detail = office_client.get(response["Location"])
    page = text_of(detail)
    assert detail.status_code == 200
    assert "All 2 of these micro-credentials" in page
    assert "Waiting for its research office to agree" in page
    assert "Agreement: waiting for the research office of" in page
    assert page_url("pathway_publish", institution, pk=pathway.pk) not in detail.content.decode()


def test_an_invalid_form_says_what_is_wrong_and_saves_nothing(
    office_client, institution, definition, second
):
    response = office_client.post(
        page_url("pathway_create", institution),
        form_data(
            rule="any",
            target="stacked",
            lineages=[str(definition.lineage), "not-a-lineage"],
        ),
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in content
    assert "Say how many of the micro-credentials a learner needs." in content
    assert "Choose the micro-credential that learners who complete the pathway receive." in content
    assert "Choose published micro-credentials from the list." in content
    assert 'href="#id_lineages_0"' in content
    assert not Pathway.objects.exists()


def test_the_office_edits_publishes_and_closes_a_pathway(
    office_client, office, institution, definition, second, certificate
):
    pathway = make_pathway(
        office, institution, [definition], publish=False, stacked_lineage=certificate.lineage,
        **STACKED,
    )  # fmt: skip
    refused = office_client.post(page_url("pathway_publish", institution, pk=pathway.pk))
    assert refused.status_code == 400
    assert "Micro-credentials: choose at least two, each agreed by its institution." in (
        refused.content.decode()
    )

    edit_url = page_url("pathway_edit", institution, pk=pathway.pk)
    form = office_client.get(edit_url)
    assert form.status_code == 200 and "checked" in form.content.decode()
    saved = office_client.post(
        edit_url,
        form_data(
            **STACKED,
            stacked_lineage=str(certificate.lineage),
            lineages=[str(definition.lineage), str(second.lineage)],
        ),
    )
    assert saved.status_code == 302
    assert pathway.components.count() == 2

    detail = text_of(office_client.get(saved["Location"]))
    assert "Learners who already hold enough of them complete it right away" in detail
    published = office_client.post(page_url("pathway_publish", institution, pk=pathway.pk))
    assert published.status_code == 302
    pathway.refresh_from_db()
    assert pathway.state == State.PUBLISHED

    # A published pathway's form is not offered: its page says it can only be closed.
    assert office_client.get(edit_url)["Location"] == saved["Location"]
    closed = office_client.post(page_url("pathway_close", institution, pk=pathway.pk))
    assert closed.status_code == 302
    pathway.refresh_from_db()
    assert pathway.state == State.CLOSED

    listing = text_of(office_client.get(page_url("pathway_list", institution)))
    assert "Applied Research Practice" in listing and "Closed" in listing
    assert "Stacked micro-credential: Certificate in Applied Research Practice" in listing


def test_the_other_office_agrees_from_its_pathways_page(
    client, office, institution, definition, elsewhere, other_office, other_institution
):
    pathway = make_pathway(office, institution, [definition, elsewhere], publish=False, **PROGRAM)
    component = pathway.components.get(lineage=elsewhere.lineage)
    client.force_login(other_office)

    listing = client.get(page_url("pathway_list", other_institution))
    page = text_of(listing)
    assert listing.status_code == 200
    assert "Waiting for your agreement" in page
    assert "Lab safety" in page and PROGRAM["title_en"] in page and institution.name in page
    # The other institution's pathway page stays its own.
    assert client.get(page_url("pathway_detail", institution, pk=pathway.pk)).status_code == 404

    agree_url = page_url("pathway_component_agree", other_institution, component_pk=component.pk)
    assert client.get(agree_url).status_code == 405
    response = client.post(agree_url, {"answer": "agree"})

    assert response.status_code == 302
    component.refresh_from_db()
    assert component.agreed_by == other_office
    assert "Waiting for your agreement" not in text_of(
        client.get(page_url("pathway_list", other_institution))
    )
    # Its own pathway's component is not the other office's to answer.
    own = pathway.components.get(lineage=definition.lineage)
    foreign = page_url("pathway_component_agree", other_institution, component_pk=own.pk)
    assert client.post(foreign, {"answer": "refuse"}).status_code == 404
    assert PathwayComponent.objects.filter(pk=own.pk).exists()


def test_who_is_refused_the_pathway_pages(
    client, institution, review, student, stacked_pathway, other_office
):
    urls = [
        page_url("pathway_list", institution),
        page_url("pathway_create", institution),
        page_url("pathway_detail", institution, pk=stacked_pathway.pk),
        page_url("pathway_edit", institution, pk=stacked_pathway.pk),
    ]
    for target in urls:
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for person, status in ((review.researchers[0], 403), (student, 403), (other_office, 404)):
        if person == student:
            InstitutionMembershipFactory(institution=institution, user=student, role="student")
        client.force_login(person)
        for target in urls:
            assert client.get(target).status_code == status, (person, target)
        closing = client.post(page_url("pathway_close", institution, pk=stacked_pathway.pk))
        assert closing.status_code == status
    stacked_pathway.refresh_from_db()
    assert stacked_pathway.state == State.PUBLISHED


def test_the_micro_credentials_list_marks_mc_plus_and_links_to_the_pathways(
    office_client, institution, definition, second, third, stacked_pathway
):
    response = office_client.get(page_url("definition_list", institution))
    content = response.content.decode()

    assert page_url("pathway_list", institution) in content
    cards = content.split('<li class="card">')[1:]
    marked = {
        title: "MC+" in card
        for card in cards
        for title in (definition.title_en, second.title_en, third.title_en)
        if title in card
    }
    assert marked == {definition.title_en: True, second.title_en: True, third.title_en: False}


def test_the_pathway_pages_render_in_french(
    office_client, institution, stacked_pathway, definition
):
    with translation.override("fr"):
        urls = [
            page_url("pathway_list", institution),
            page_url("pathway_create", institution),
            page_url("pathway_detail", institution, pk=stacked_pathway.pk),
        ]
    for target in urls:
        assert target.startswith("/fr/")
        response = office_client.get(target)
        assert response.status_code == 200, target
        content = response.content.decode()
        assert '<html lang="fr">' in content
        assert "Pratique de la recherche appliquée" in content


def test_a_student_never_sees_another_students_progress_through_the_office_pages(
    office_client, institution, stacked_pathway
):
    # The office sees how many completed, never who.
    other = UserFactory(email="someone@college.example", first_name="Hidden", last_name="Person")
    PathwayCompletion.objects.create(pathway=stacked_pathway, student=other)
    page = text_of(
        office_client.get(page_url("pathway_detail", institution, pk=stacked_pathway.pk))
    )
    assert "1 learner" in page and "Hidden" not in page


# --- The demo ------------------------------------------------------------------------------------


def test_the_demo_student_is_one_of_two_toward_the_certificate(
    db, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    from projects import demo

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_data", stdout=StringIO())
    first = demo.demo_credential()
    again = demo.demo_credential()  # idempotent: the same credential, one pathway
    assert again.signed_text == first.signed_text

    pathway = Pathway.objects.get(title_en=demo.PATHWAY_TITLE)
    assert (pathway.state, pathway.rule, pathway.target) == (State.PUBLISHED, "all", "stacked")
    assert pathway.institution.slug == "algonquin"
    (target,) = pathway_rows([pathway], "fr")
    assert target["leads_to"]["text"] == "Certificat en pratique de la recherche appliquée"
    assert [item.title_en for item in selectors.pathway_parts(pathway)] == [
        demo.TITLE,
        demo.SECOND_TITLE,
    ]
    sofia = first.student
    (row,) = selectors.student_pathways(sofia)
    assert row["pathway"] == pathway and row["completion"] is None
    assert (row["progress"].done, row["progress"].needed) == (1, 2)
    assert [item.title_en for item in row["missing"]] == [demo.SECOND_TITLE]
    assert IssuedCredential.objects.filter(student=sofia).count() == 1
    assert str(first.definition.lineage) in selectors.mc_plus_lineages()
