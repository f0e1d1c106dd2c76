"""The public catalogue of published micro-credentials: anyone searches and filters it, in
English and French; Micro-credentials Plus are marked and their pathways named; the
micro-credential's own page names its pathways; the seed and benchmark commands."""

from __future__ import annotations

import html
import io
import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from projects import esco, services
from projects.management.commands.seed_catalogue import SEED_EMAIL, lineage_of
from projects.models import CredentialDefinition, Pathway, PathwayComponent
from tests.credentials.conftest import complete_fields
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

State = CredentialDefinition.State
SKILLS = sorted(esco.skills())


def catalogue_url(page_language: str = "en", **params) -> str:
    with translation.override(page_language):
        url = reverse("catalogue")
    if params:
        url += "?" + urlencode(params)
    return url


def text(response) -> str:
    """The page's text with tags dropped and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def inline(response) -> str:
    """The page's text with tags dropped (no space in their place): phrases across links."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def titles(response) -> list[str]:
    """The titles of the entries listed, in order."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", title)).strip()
        for title in re.findall(r"<h3>(.*?)</h3>", response.content.decode(), re.S)
    ]


def published(institution, title: str, **fields) -> CredentialDefinition:
    """A published micro-credential made directly (the services' path is tested below)."""
    values = complete_fields(SKILLS[0])
    values.update({"title_en": title, "title_fr": f"{title} (fr)", **fields})
    return CredentialDefinition.objects.create(
        institution=institution, state=State.PUBLISHED, published_at=timezone.now(), **values
    )


def pathway_with(definition, *, state=Pathway.State.PUBLISHED, agreed=True, **fields):
    """A pathway of the definition's institution with `definition` in it."""
    values = {
        "title_en": "Certificate track",
        "title_fr": "Parcours du certificat",
        "target": Pathway.Target.PROGRAM,
        "program_kind": Pathway.ProgramKind.CERTIFICATE,
        "program_name_en": "Applied Research Practice",
        "program_name_fr": "Pratique de la recherche appliquée",
        "program_credit_en": "Grants credit for one course.",
        "program_credit_fr": "Accorde l'équivalence d'un cours.",
        **fields,
    }
    institution = values.pop("institution", definition.institution)
    pathway = Pathway.objects.create(
        institution=institution,
        state=state,
        published_at=timezone.now() if state == Pathway.State.PUBLISHED else None,
        **values,
    )
    PathwayComponent.objects.create(
        pathway=pathway,
        lineage=definition.lineage,
        institution=definition.institution,
        agreed_at=timezone.now() if agreed else None,
    )
    return pathway


@pytest.fixture
def college():
    return InstitutionFactory(slug="north-college", name="North College")


@pytest.fixture
def university():
    return InstitutionFactory(slug="south-university", name="South University")


# --- Anyone, published only ------------------------------------------------------------------


def test_anonymous_visitors_see_only_the_published_version_of_each_micro_credential(
    client, office_staff, institution, skill_uri
):
    first = services.definition_publish(
        actor=office_staff,
        definition=services.definition_create(
            actor=office_staff, institution=institution, **complete_fields(skill_uri)
        ),
    )
    revised = services.definition_update(
        actor=office_staff, definition=first, title_en="Applied research practice, revised"
    )
    second = services.definition_publish(actor=office_staff, definition=revised)
    services.definition_create(
        actor=office_staff, institution=institution, title_en="Secret draft", title_fr="Brouillon"
    )

    response = client.get(catalogue_url())

    assert response.status_code == 200
    assert titles(response) == ["Applied research practice, revised"]
    assert "1 micro-credential" in text(response)
    page = response.content.decode()
    assert reverse("definition_public", args=[second.lineage, 2]) in page
    assert reverse("definition_public", args=[first.lineage, 1]) not in page
    assert "Secret draft" not in page
    assert "College" in text(response)  # the institution


def test_the_catalogue_answers_get_only_and_is_linked_from_the_navigation(client, college):
    published(college, "Machine vision")
    response = client.get(catalogue_url())
    assert re.search(r'<a href="/micro-credentials/" aria-current="page">Micro-credentials</a>',
                     response.content.decode())  # fmt: skip
    assert client.post(catalogue_url()).status_code == 405


def test_an_entry_shows_the_framework_elements_in_brief(client, college):
    published(
        college,
        "Machine vision",
        outcomes_en="First outcome.\nSecond outcome.\nThird outcome.\nFourth outcome.",
        workload_hours=Decimal("12"),
        participation="online",
        level_note_en="",
    )

    page = text(client.get(catalogue_url()))

    for fact in (
        "Learning outcomes First outcome. Second outcome. Third outcome. and 1 more",
        "Type of assessment Project work assessed against a rubric",
        "Notional workload 12 hours",
        "Level EQF level 5",
        "Quality assurance Reviewed by the college's academic quality office.",
        "Endorsement by partners The business endorses each learner's work.",
        "Form of participation Online",
        "Offered in English",  # the college works in English
        f"Competencies (ESCO) {esco.label(SKILLS[0], 'en')}",
    ):
        assert fact in page, fact
    assert "Fourth outcome." not in page


# --- Searching and filtering -----------------------------------------------------------------


def test_every_word_must_match_somewhere_in_either_language_in_any_case(client, college):
    published(college, "Machine vision", description_en="Cameras on a production line.")
    published(college, "Data analysis", outcomes_en="Cleans production data.")
    published(
        college,
        "Robotics",
        title_fr="Robotique industrielle",
        description_fr="Des robots dans une usine de fabrication.",
    )

    assert titles(client.get(catalogue_url(q="PRODUCTION"))) == ["Data analysis", "Machine vision"]
    assert titles(client.get(catalogue_url(q="production cameras"))) == ["Machine vision"]
    assert titles(client.get(catalogue_url(q="production robots"))) == []
    # French words find it, from an English page too.
    assert titles(client.get(catalogue_url(q="usine fabrication"))) == ["Robotics"]


def test_french_words_on_the_french_page(client, college):
    published(college, "Machine vision", title_fr="Vision artificielle appliquée")
    published(college, "Data analysis", title_fr="Analyse de données")

    response = client.get(catalogue_url("fr", q="artificielle appliquée"))

    assert response.status_code == 200
    assert titles(response) == ["Vision artificielle appliquée"]


def test_filter_by_institution(client, college, university):
    published(college, "Machine vision")
    published(university, "Data analysis")
    draft_only = InstitutionFactory(slug="draft-only", name="Draft Only College")
    CredentialDefinition.objects.create(institution=draft_only, title_en="Draft", title_fr="B")

    response = client.get(catalogue_url(institution="south-university"))

    assert titles(response) == ["Data analysis"]
    # The choice list offers the institutions that have published micro-credentials.
    choices = re.findall(r'<option value="([^"]*)"', response.content.decode())
    assert {"north-college", "south-university"} <= set(choices)
    assert "draft-only" not in choices


def test_filter_by_competency(client, college):
    published(college, "Machine vision", skills=[SKILLS[1], SKILLS[2]])
    published(college, "Data analysis", skills=[SKILLS[3]])

    response = client.get(catalogue_url(skill=SKILLS[2]))

    assert titles(response) == ["Machine vision"]
    assert esco.label(SKILLS[3], "en") in response.content.decode()  # offered in the list
    assert SKILLS[0] not in re.findall(r'<option value="([^"]*)"', response.content.decode())


def test_filter_by_micro_credentials_plus(client, college):
    member = published(college, "Machine vision")
    published(college, "Data analysis")
    pathway_with(member)

    assert titles(client.get(catalogue_url(mc_plus="on"))) == ["Machine vision"]


def test_filter_by_form_of_participation(client, college):
    published(college, "Machine vision", participation="online")
    published(college, "Data analysis", participation="hybrid")

    assert titles(client.get(catalogue_url(participation="hybrid"))) == ["Data analysis"]


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("up_to_10", ["Ten hours"]),
        ("10_to_40", ["Forty hours", "Twelve hours"]),
        ("over_40", ["Forty-five hours"]),
    ],
)
def test_filter_by_workload_band(client, college, band, expected):
    for title, hours in (
        ("Ten hours", 10),
        ("Twelve hours", 12),
        ("Forty hours", 40),
        ("Forty-five hours", 45),
    ):
        published(college, title, workload_hours=Decimal(hours))
    published(college, "No workload", workload_hours=None)

    assert titles(client.get(catalogue_url(workload=band))) == expected


def test_filter_by_the_language_it_is_taught_in(client):
    english = InstitutionFactory(slug="english-college", name="English College", languages=["en"])
    french = InstitutionFactory(slug="college-francais", name="Collège français", languages=["fr"])
    both = InstitutionFactory(
        slug="bilingual-college", name="Bilingual College", languages=["en", "fr"]
    )
    published(english, "English only")
    published(both, "Both languages")
    published(french, "Seulement en français")

    assert titles(client.get(catalogue_url(language="en"))) == ["Both languages", "English only"]
    assert titles(client.get(catalogue_url(language="fr"))) == [
        "Both languages",
        "Seulement en français",
    ]
    page = client.get(catalogue_url(language="fr")).content.decode()
    assert "English, French" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"institution": "nowhere"}, "“nowhere” has no published micro-credentials"),
        ({"skill": "http://example.com/not-a-skill"}, "No published micro-credential is aligned"),
        ({"participation": "telepathy"}, "“telepathy” is not one of the choices"),
        ({"workload": "forever"}, "“forever” is not one of the choices"),
        ({"language": "de"}, "“de” is not one of the choices"),
        ({"q": "x" * 201}, "at most 200 characters"),
        ({"q": " ".join(["word"] * 11)}, "at most 10 words"),
    ],
)
def test_an_invalid_filter_is_explained_and_the_others_still_apply(
    client, college, params, message
):
    published(college, "Machine vision", participation="online")
    published(college, "Data analysis", participation="hybrid")

    response = client.get(catalogue_url(**{"participation": "online", **params}))

    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert message in text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    # The page still lists, with the valid filters.
    expected = 2 if "participation" in params else 1
    assert len(titles(response)) == expected


def test_a_page_number_out_of_range_is_not_an_error(client, college):
    published(college, "Machine vision")
    assert client.get(catalogue_url(page="99")).status_code == 200
    assert client.get(catalogue_url(page="abc")).status_code == 200


def test_pages_of_20_whose_links_keep_the_filters(client, college, university):
    for number in range(25):
        published(college, f"Robotics {number:02d}", participation="online")
    published(university, "Robotics elsewhere", participation="online")

    first = client.get(catalogue_url(q="robotics", institution="north-college"))

    assert len(titles(first)) == 20
    assert "25 micro-credentials" in text(first)
    link = re.search(r'href="([^"]*)" rel="next"', first.content.decode()).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query == {"q": ["robotics"], "institution": ["north-college"], "page": ["2"]}
    second = client.get(catalogue_url() + "?" + urlsplit(link.replace("&amp;", "&")).query)
    assert titles(second) == [f"Robotics {number:02d}" for number in range(20, 25)]


def test_no_result_says_so_with_a_link_to_clear_the_filters(client, college):
    published(college, "Machine vision")

    response = client.get(catalogue_url(q="submarine"))

    assert response.status_code == 200
    assert "0 micro-credentials" in text(response)
    assert "No micro-credential matches this search." in text(response)
    assert re.search(
        r'<a href="/micro-credentials/">Clear the filters and see every micro-credential</a>',
        response.content.decode(),
    )


# --- Micro-credentials Plus ------------------------------------------------------------------

BADGE = "Micro-credentials Plus: part of a pathway"


def test_the_mc_plus_badge_and_pathways_only_for_members_of_a_published_pathway(
    client, college, university
):
    member = published(college, "A member")
    in_draft = published(college, "B in a draft pathway")
    unagreed = published(university, "C not agreed yet")
    published(college, "D in no pathway")
    pathway_with(member, title_en="Certificate track")
    pathway_with(in_draft, state=Pathway.State.DRAFT, title_en="Draft track")
    # Another institution's micro-credential in the college's pathway, not agreed to yet.
    pathway_with(unagreed, agreed=False, institution=college, title_en="Waiting track")

    response = client.get(catalogue_url())
    cards = re.findall(r'<li class="card">(.*?)\n</li>', response.content.decode(), re.S)
    by_title = {re.search(r"<h3>.*?>(.*?)</a>", card, re.S).group(1): card for card in cards}

    assert BADGE in by_title["A member"]
    assert "Certificate track" in by_title["A member"]
    assert "Leads to: Certificate, Applied Research Practice." in inline(response)
    for title in ("B in a draft pathway", "C not agreed yet", "D in no pathway"):
        assert BADGE not in by_title[title], title
    assert "Draft track" not in response.content.decode()
    assert "Waiting track" not in response.content.decode()


def test_the_definition_page_shows_the_badge_its_pathways_and_a_link_to_the_catalogue(
    client, college, university
):
    member = published(college, "Machine vision")
    stacked = published(university, "Advanced vision", title_fr="Vision avancée")
    pathway_with(member, title_en="Certificate track")
    pathway_with(
        member,
        institution=university,
        title_en="Stacked track",
        target=Pathway.Target.STACKED,
        stacked_lineage=stacked.lineage,
        program_kind="",
        program_name_en="",
        program_name_fr="",
        program_credit_en="",
        program_credit_fr="",
    )
    pathway_with(member, state=Pathway.State.DRAFT, title_en="Draft track")
    url = reverse("definition_public", args=[member.lineage, member.version])

    response = client.get(url)
    page = inline(response)

    assert response.status_code == 200
    assert BADGE in page
    assert "Pathways" in page
    assert "Certificate track, North College." in page
    assert "Leads to: Certificate, Applied Research Practice." in page
    assert "Grants credit for one course." in page
    assert "Stacked track" in page and "South University" in page
    assert "Leads to the stacked micro-credential: Advanced vision." in page
    assert reverse("definition_public", args=[stacked.lineage, 1]) in response.content.decode()
    assert "Draft track" not in page
    assert f'href="{reverse("catalogue")}"' in response.content.decode()

    with translation.override("fr"):
        french_url = reverse("definition_public", args=[member.lineage, 1])
    french = text(client.get(french_url))
    assert "Parcours du certificat" in french and "Vision avancée" in french


def test_a_definition_in_no_pathway_has_no_badge_nor_pathways(client, college):
    alone = published(college, "Machine vision")
    page = text(client.get(reverse("definition_public", args=[alone.lineage, 1])))
    assert BADGE not in page
    assert "Pathways" not in page


# --- Fast: a bounded number of queries -------------------------------------------------------


def _seed_page(college, university, count: int) -> None:
    for number in range(count):
        definition = published(college if number % 2 else university, f"Entry {number:02d}")
        pathway_with(definition, title_en=f"Track {number}")
        stacked = published(college, f"Stacked {number:02d}")
        pathway_with(
            definition,
            title_en=f"Stacked track {number}",
            target=Pathway.Target.STACKED,
            stacked_lineage=stacked.lineage,
            program_kind="",
        )


@pytest.mark.parametrize("count", [2, 12])
def test_the_number_of_queries_does_not_grow_with_the_entries(
    client, college, university, django_assert_max_num_queries, count
):
    _seed_page(college, university, count)
    for language in ("en", "fr"):  # the site's menus, cached from then on as on any page
        client.get(catalogue_url(language))
    with django_assert_max_num_queries(10):
        response = client.get(catalogue_url())
    assert len(titles(response)) == min(20, count * 2)
    with django_assert_max_num_queries(10):
        response = client.get(catalogue_url("fr", mc_plus="on"))
    assert len(titles(response)) == count


# --- French ----------------------------------------------------------------------------------


def test_the_french_page_shows_french_titles_and_marks_english_ones(client, college):
    published(college, "Machine vision", title_fr="Vision artificielle")
    published(college, "Data analysis", title_fr="")

    response = client.get(catalogue_url("fr"))
    page = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert titles(response) == ["Data analysis", "Vision artificielle"]
    assert re.search(r'<a href="/fr/micro-credentials/[^"]+/v1/" lang="en">Data analysis</a>', page)
    assert re.search(r'<a href="/fr/micro-credentials/[^"]+/v1/">Vision artificielle</a>', page)


# --- Seed and benchmark commands -------------------------------------------------------------


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_catalogue_creates_the_count_tops_up_and_clears():
    for number in range(3):
        InstitutionFactory(slug=f"seed-{number}", name=f"Seed Institution {number}")
    seeded = CredentialDefinition.objects.filter(created_by__email=SEED_EMAIL)

    _run("seed_catalogue", "--count", "35")
    assert seeded.filter(state=State.PUBLISHED).count() == 35
    assert set(seeded.values_list("institution__slug", flat=True)) == {"seed-0", "seed-1", "seed-2"}
    assert all(d.title_en and d.title_fr and d.skills for d in seeded.all())
    pathways = Pathway.objects.filter(created_by__email=SEED_EMAIL, state=Pathway.State.PUBLISHED)
    assert pathways.count() == 1  # every 10th micro-credential, three to a pathway
    members = PathwayComponent.objects.filter(pathway__in=pathways, agreed_at__isnull=False)
    assert set(members.values_list("lineage", flat=True)) == {lineage_of(n) for n in (0, 10, 20)}
    lineages = set(seeded.values_list("lineage", flat=True))

    _run("seed_catalogue", "--count", "35")  # again: nothing new
    assert seeded.count() == 35 and pathways.count() == 1
    assert set(seeded.values_list("lineage", flat=True)) == lineages

    _run("seed_catalogue", "--count", "60")  # tops up
    assert seeded.count() == 60 and pathways.count() == 2

    assert "Removed 60 seeded micro-credentials and 2 pathways" in _run("seed_catalogue", "--clear")
    assert not CredentialDefinition.objects.exists() and not Pathway.objects.exists()


def test_seeded_micro_credentials_plus_show_in_the_catalogue(client):
    InstitutionFactory(slug="seed-a", name="Seed A")
    _run("seed_catalogue", "--count", "30")

    response = client.get(catalogue_url(mc_plus="on"))

    assert "3 micro-credentials" in text(response)
    assert text(response).count(BADGE) == 3


def test_seed_catalogue_needs_institutions():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        _run("seed_catalogue", "--count", "5")


def test_bench_catalogue_prints_its_figures(college):
    published(college, "Machine vision")
    _run("seed_catalogue", "--count", "5")

    out = _run("bench_catalogue", "--requests", "2", "--warmup", "0")

    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["published"] == 6
    assert len(figures["searches"]) == 12  # six searches in two languages
    for row in figures["searches"]:
        assert 0 < row["p50_ms"] <= row["p95_ms"]
        assert row["queries"] >= 1 and row["kb"] > 0
    assert {row["language"] for row in figures["searches"]} == {"en", "fr"}
    assert "first page" in out and "Worst p95" in out
