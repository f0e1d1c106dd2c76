"""A request of a business accepted as a project at the first matched institution."""

import pytest
from django.utils import timezone

from matching import services as request_services
from matching.models import FundingProgram
from projects import services
from tests.matching.conftest import _fresh_index, catalogue, review, run  # noqa: F401


@pytest.fixture
def intro(review, business_owner):  # noqa: F811
    """A request of the business to the first match at the first institution."""
    match = review.first_match_at(review.institutions[0])
    (created,) = request_services.request_create(
        actor=business_owner,
        run=review.run,
        profile_ids=[match["profile"]],
        message="Can you help us stop the chatter?",
        hopes=["project"],
        contact_preference="email",
    )
    return created


@pytest.fixture
def project(review, intro):  # noqa: F811
    programs = list(FundingProgram.objects.filter(slug__in=["mitacs-accelerate", "nrc-irap"]))
    return services.project_start(
        actor=review.offices[0],
        request=intro,
        expected_version=intro.version,
        title="Chatter-free housings",
        scope="Find the cutting parameters that stop the chatter.",
        lead=review.researchers[0],
        start_date=timezone.localdate(),
        programs=programs,
    )
