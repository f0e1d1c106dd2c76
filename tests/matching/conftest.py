import pytest

from matching import services
from matching.search import InProcessBackend


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test sees the index of its own database, not another test's copy."""
    InProcessBackend.forget()
    yield
    InProcessBackend.forget()


@pytest.fixture
def catalogue(db):
    services.institutions_load_catalogue()
    services.expertise_load_catalogue()
    services.funding_programs_load_catalogue()


@pytest.fixture
def run(catalogue, business_owner, company, django_capture_on_commit_callbacks):
    """A submitted diagnostic of `company` and its match run over the shipped catalogue."""
    from diagnostics import services as diagnostic_services
    from tests.diagnostics.conftest import completed_draft

    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = diagnostic_services.diagnostic_submit(
            actor=business_owner, diagnostic=completed_draft(business_owner, company)
        )
    return diagnostic.match_runs.get()


@pytest.fixture
def review(run):
    """The cast of a review: the run, and for each of its first three institutions (in match
    order) an office staff member with TOTP and a researcher. Returns a namespace."""
    from types import SimpleNamespace

    from matching.models import Institution, InstitutionMembership
    from tests.factories import InstitutionMembershipFactory, enrol_totp

    slugs = list(dict.fromkeys(match["institution"] for match in run.matches))[:3]
    offices, researchers, institutions = [], [], []
    for number, slug in enumerate(slugs, start=1):
        institution = Institution.objects.get(slug=slug)
        office = InstitutionMembershipFactory(
            institution=institution,
            user__email=f"office{number}@{slug}.example",
            role=InstitutionMembership.Role.OFFICE_STAFF,
        ).user
        enrol_totp(office)
        researcher = InstitutionMembershipFactory(
            institution=institution,
            user__email=f"researcher{number}@{slug}.example",
            role=InstitutionMembership.Role.RESEARCHER,
        ).user
        institutions.append(institution)
        offices.append(office)
        researchers.append(researcher)

    def first_match_at(institution):
        return next(m for m in run.matches if m["institution"] == institution.slug)

    return SimpleNamespace(
        run=run,
        institutions=institutions,
        offices=offices,
        researchers=researchers,
        first_match_at=first_match_at,
    )
