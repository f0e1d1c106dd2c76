"""The dashboards' micro-credential figures: credentials issued and revoked, students credentialed
and pathways completed, per institution, over a period; who sees them (page and CSV), the
platform's rows, the French page, and a number of queries that does not grow with the number of
institutions.

One credential is issued through the real flow (the `issued` fixture of this folder's conftest);
the others are stacked credentials written directly, which count the same way."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, datetime, timedelta
from itertools import count
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import InstitutionMembership
from projects import metrics, services
from projects.models import IssuedCredential, Pathway, PathwayCompletion
from tests.factories import InstitutionFactory, InstitutionMembershipFactory, UserFactory

_indexes = count(100_000)  # status list entries far from those the real flow hands out


def local(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A moment of `day` in the platform's time zone (Toronto)."""
    return datetime(
        day.year, day.month, day.day, hour, minute, second, tzinfo=timezone.get_current_timezone()
    )


def make_pathway(institution, title: str = "Certificate in applied research") -> Pathway:
    return Pathway.objects.create(
        institution=institution,
        title_en=title,
        title_fr=title,
        rule=Pathway.Rule.ALL,
        target=Pathway.Target.STACKED,
        stacked_lineage=uuid.uuid4(),
        state=Pathway.State.PUBLISHED,
        published_at=timezone.now(),
    )


def stacked(source: IssuedCredential, *, student, pathway: Pathway, issued_at=None, revoked=False):
    """A stacked credential of `pathway`'s institution for `student`, copied from a real one."""
    now = timezone.now()
    return IssuedCredential.objects.create(
        pathway=pathway,
        institution=pathway.institution,
        student=student,
        definition=source.definition,
        status_list=source.status_list,
        status_index=next(_indexes),
        language="en",
        signed_text=source.signed_text,
        endorsed=False,
        issued_at=issued_at or now,
        revoked_at=now if revoked else None,
        revoked_reason="Issued by mistake." if revoked else "",
    )


def complete(pathway: Pathway, student, completed_at=None) -> PathwayCompletion:
    return PathwayCompletion.objects.create(
        pathway=pathway, student=student, completed_at=completed_at or timezone.now()
    )


@pytest.fixture
def world(review, office, project, student, issued):
    """At the project's institution (`home`): the real credential of Sam, revoked; a stacked one
    for Sam and one for Alex; two completions. At `away`: one credential, one completion. Both
    also have a credential and a completion from long ago, outside the period."""
    home, away = review.institutions[0], review.institutions[1]
    services.credential_revoke(actor=office, credential=issued, reason="Plagiarised report.")
    alex = UserFactory(email="alex@college.example")
    blake = UserFactory(email="blake@away.example")
    old = UserFactory(email="old@college.example")
    home_pathway, home_other = make_pathway(home), make_pathway(home, "Diploma bridge")
    away_pathway = make_pathway(away)
    stacked(issued, student=student, pathway=home_pathway)
    stacked(issued, student=alex, pathway=home_pathway)
    complete(home_pathway, student)
    complete(home_other, alex)
    stacked(issued, student=blake, pathway=away_pathway)
    complete(away_pathway, blake)
    long_ago = timezone.now() - timedelta(days=400)
    for pathway in (home_other, away_pathway):
        stacked(issued, student=old, pathway=pathway, issued_at=long_ago, revoked=True)
    complete(home_pathway, old, completed_at=long_ago)
    complete(away_pathway, old, completed_at=long_ago)
    today = timezone.localdate()
    return SimpleNamespace(
        home=home,
        away=away,
        office=office,
        away_office=review.offices[1],
        researcher=review.researchers[0],
        student=student,
        issued=issued,
        query=f"?date_from={(today - timedelta(days=29)).isoformat()}&date_to={today.isoformat()}",
    )


def dashboard_url(world, institution=None) -> str:
    if institution is None:
        return reverse("platform_dashboard") + world.query
    return reverse("institution_dashboard", args=[institution.slug]) + world.query


def last_30_days() -> metrics.Period:
    today = timezone.localdate()
    return metrics.Period(start=today - timedelta(days=29), end=today)


# --- Figures ---------------------------------------------------------------------------------


def test_figures_per_institution_count_issued_revoked_students_and_completions(world):
    period = last_30_days()
    home = metrics.credential_figures(
        period.credentials(IssuedCredential.objects.filter(institution=world.home)),
        period.completions(PathwayCompletion.objects.filter(pathway__institution=world.home)),
    )
    # Sam's real credential (revoked) and stacked one, Alex's: 3 issued to 2 students.
    assert home == metrics.CredentialFigures(issued=3, revoked=1, students=2, pathways_completed=2)
    away = metrics.credential_figures(
        period.credentials(IssuedCredential.objects.filter(institution=world.away)),
        period.completions(PathwayCompletion.objects.filter(pathway__institution=world.away)),
    )
    assert away == metrics.CredentialFigures(issued=1, revoked=0, students=1, pathways_completed=1)
    # Since ever: the old ones count too, the revoked old one as revoked.
    everything = metrics.Period(start=None, end=timezone.localdate())
    assert metrics.credential_figures(
        everything.credentials(IssuedCredential.objects.all()),
        everything.completions(PathwayCompletion.objects.all()),
    ) == metrics.CredentialFigures(issued=6, revoked=3, students=4, pathways_completed=5)


def test_period_bounds_credentials_and_completions_at_its_edges(world):
    start, end = date(2025, 3, 2), date(2025, 3, 6)
    pathway = make_pathway(world.home, "Edges")
    inside = [local(start, 0), local(end, 23, 59, 59)]
    outside = [local(start - timedelta(days=1), 23, 59, 59), local(end + timedelta(days=1), 0)]
    made = {}
    for moment in inside + outside:
        someone = UserFactory()
        made[moment] = (
            stacked(world.issued, student=someone, pathway=pathway, issued_at=moment),
            complete(pathway, someone, completed_at=moment),
        )
    period = metrics.Period(start=start, end=end)
    assert set(period.credentials(IssuedCredential.objects.all())) == {
        made[moment][0] for moment in inside
    }
    assert set(period.completions(PathwayCompletion.objects.all())) == {
        made[moment][1] for moment in inside
    }
    # From the first one: everything up to the end, so the one the day before counts too.
    since_ever = metrics.Period(start=None, end=end)
    assert since_ever.credentials(IssuedCredential.objects.filter(pathway=pathway)).count() == 3
    assert since_ever.completions(PathwayCompletion.objects.filter(pathway=pathway)).count() == 3


def test_rows_are_one_per_institution_busiest_first_in_three_queries(
    world, django_assert_num_queries
):
    period = last_30_days()
    credentials = period.credentials(IssuedCredential.objects.all())
    completions = period.completions(PathwayCompletion.objects.all())
    with django_assert_num_queries(3):
        rows = metrics.credential_rows(credentials, completions)
    assert [
        (row.institution, row.issued, row.revoked, row.students, row.pathways_completed)
        for row in rows
    ] == [(world.home, 3, 1, 2, 2), (world.away, 1, 0, 1, 1)]
    with django_assert_num_queries(2):
        metrics.credential_figures(credentials, completions)


def test_an_institution_with_only_completions_has_a_row(world):
    third = InstitutionFactory(name="Completions Only College")
    complete(make_pathway(third), UserFactory())
    period = last_30_days()
    rows = metrics.credential_rows(
        period.credentials(IssuedCredential.objects.all()),
        period.completions(PathwayCompletion.objects.all()),
    )
    assert rows[-1].institution == third
    assert (rows[-1].issued, rows[-1].students, rows[-1].pathways_completed) == (0, 0, 1)


# --- Who sees which figures ------------------------------------------------------------------


def test_scoped_reads_give_each_reader_only_what_they_may_count(world, platform_staff):
    def seen(user, institution):
        return (
            metrics.dashboard_credentials(user=user, institution=institution).count(),
            metrics.dashboard_completions(user=user, institution=institution).count(),
        )

    assert seen(world.office, world.home) == (4, 3)  # its own, old ones included
    assert seen(platform_staff, world.home) == (4, 3)
    assert seen(platform_staff, None) == (6, 5)
    assert seen(world.away_office, world.home) == (0, 0)
    assert seen(world.office, None) == (0, 0)  # the platform's figures: staff only
    assert seen(world.researcher, world.home) == (0, 0)
    assert seen(world.student, world.home) == (0, 0)


def test_each_office_sees_only_its_institutions_counts(client, world):
    client.force_login(world.office)
    response = client.get(dashboard_url(world, world.home))
    assert response.context["credential_figures"] == metrics.CredentialFigures(3, 1, 2, 2)
    assert response.context["credential_rows"] == []
    client.force_login(world.away_office)
    response = client.get(dashboard_url(world, world.away))
    assert response.context["credential_figures"] == metrics.CredentialFigures(1, 0, 1, 1)
    assert world.home.name not in response.content.decode()
    # Another institution's office cannot open this one's dashboard at all.
    assert client.get(dashboard_url(world, world.home)).status_code == 404


@pytest.mark.parametrize("fmt", ["", "&format=csv"])
def test_researchers_and_students_are_refused_as_before(client, world, fmt):
    student_member = InstitutionMembershipFactory(
        institution=world.home, role=InstitutionMembership.Role.STUDENT
    ).user
    for user in (world.researcher, student_member):
        client.force_login(user)
        assert client.get(dashboard_url(world, world.home) + fmt).status_code == 403
        assert client.get(dashboard_url(world) + fmt).status_code == 403


# --- The pages -------------------------------------------------------------------------------


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_institution_page_shows_the_four_figures_with_what_they_count(client, world):
    client.force_login(world.office)
    html = client.get(dashboard_url(world, world.home)).content.decode()
    headline = html.split('<ul class="stats">')[1].split("</ul>")[0]
    assert re.search(r'stat-value">3</span> <span class="stat-label">Credentials issued', headline)
    part = section(html, "credentials-heading")
    assert ">Micro-credentials</h2>" in part
    facts = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd>(\d+)", part))
    assert facts == {
        "Credentials issued": "3",
        "Credentials revoked": "1",
        "Students credentialed": "2",
        "Pathways completed": "2",
    }
    assert part.count('class="help"') == 4
    assert "Each credential is counted in the state it is in today." in part
    assert "Micro-credentials by institution" not in part  # the platform's table only


def test_platform_page_lists_institutions_busiest_first_in_a_stacking_table(
    client, world, platform_staff
):
    client.force_login(platform_staff)
    html = client.get(dashboard_url(world)).content.decode()
    part = section(html, "credentials-heading")
    table = part.split("<table")[1].split("</table>")[0]
    assert 'class="table table-stack"' in part
    assert table.index(world.home.name) < table.index(world.away.name)
    cells = re.findall(r"<t[hd](?: [^>]*)?>", table.split("<tbody>")[1])
    assert cells and all("data-label=" in cell for cell in cells)
    rows = re.findall(
        r'<td data-label="Credentials issued">(\d+)</td>\s*'
        r'<td data-label="Credentials revoked">(\d+)</td>\s*'
        r'<td data-label="Students credentialed">(\d+)</td>\s*'
        r'<td data-label="Pathways completed">(\d+)</td>',
        table,
    )
    assert rows == [("3", "1", "2", "2"), ("1", "0", "1", "1")]
    home_dashboard = reverse("institution_dashboard", args=[world.home.slug])
    assert f'href="{home_dashboard}?date_from=' in table


def test_platform_page_says_when_no_institution_has_credentials(client, db, platform_staff):
    client.force_login(platform_staff)
    html = client.get(reverse("platform_dashboard")).content.decode()
    part = section(html, "credentials-heading")
    assert "No institution issued a credential or had a pathway completed in this period." in part
    assert "<table" not in part


def test_french_page_renders_the_section(client, world):
    client.force_login(world.office)
    response = client.get(
        f"/fr/manage/institutions/{world.home.slug}/dashboard/" + world.query, HTTP_HOST="localhost"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert ">Microcertifications</h2>" in section(html, "credentials-heading")


def test_page_queries_do_not_grow_with_the_number_of_institutions(client, world, platform_staff):
    client.force_login(platform_staff)
    url = dashboard_url(world)
    client.get(url)  # warm any per-process cache
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for number in range(5):
        institution = InstitutionFactory(name=f"Added College {number}")
        pathway = make_pathway(institution)
        someone = UserFactory()
        stacked(world.issued, student=someone, pathway=pathway)
        complete(pathway, someone)
    client.get(url)  # the changes made the site's cached menus stale: warm them again
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert "Added College 4" in section(html, "credentials-heading")
    assert len(after.captured_queries) == len(before.captured_queries)


# --- CSV -------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


CREDENTIAL_HEADER = [
    "Institution",
    "Credentials issued",
    "Credentials revoked",
    "Students credentialed",
    "Pathways completed",
]


def test_csv_has_the_same_figures_as_the_page(client, world):
    client.force_login(world.office)
    lines = read_csv(client.get(dashboard_url(world, world.home) + "&format=csv"))
    figures = dict(line for line in lines if len(line) == 2)
    assert (
        figures["Credentials issued"],
        figures["Credentials revoked"],
        figures["Students credentialed"],
        figures["Pathways completed"],
    ) == ("3", "1", "2", "2")
    assert CREDENTIAL_HEADER not in lines  # the per-institution block is the platform's


def test_platform_csv_has_a_block_of_credential_rows(client, world, platform_staff):
    client.force_login(platform_staff)
    lines = read_csv(client.get(dashboard_url(world) + "&format=csv"))
    figures = dict(line for line in lines if len(line) == 2)
    assert figures["Credentials issued"] == "4"
    assert figures["Pathways completed"] == "3"
    header = lines.index(CREDENTIAL_HEADER)
    assert lines[header - 1] == []
    assert lines[header + 1 : header + 3] == [
        [world.home.name, "3", "1", "2", "2"],
        [world.away.name, "1", "0", "1", "1"],
    ]
    assert lines[header + 3] == []  # then the requests
