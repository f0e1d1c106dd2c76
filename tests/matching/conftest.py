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
