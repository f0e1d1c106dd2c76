"""The page benchmark command, run small: it seeds, times every page, prints and cleans up."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diagnostics.models import Company
from matching.management.commands.bench_pages import PAGES, PREFIX
from matching.models import Institution, IntroductionRequest, MatchRun
from matching.search import InProcessBackend
from ocip.accounts.models import User


@pytest.fixture(autouse=True)
def _fresh_index():
    """The command ranks over this database's catalogue, not another test's index."""
    InProcessBackend.forget()
    yield
    InProcessBackend.forget()


def _bench(*args: str) -> list[str]:
    out = StringIO()
    call_command("bench_pages", *args, stdout=out)
    return out.getvalue().splitlines()


def _left_behind() -> int:
    return (
        Company.objects.filter(name__startswith=PREFIX).count()
        + Institution.objects.filter(slug__startswith=PREFIX).count()
        + User.objects.filter(email__startswith=PREFIX).count()
    )


@pytest.mark.django_db
def test_every_page_is_timed_at_every_size_and_the_data_can_be_removed():
    lines = _bench(
        "--runs", "1,2", "--requests", "3", "--repeat", "2", "--warmup", "1", "--keep"
    )  # fmt: skip

    header = next(i for i, line in enumerate(lines) if line.startswith("page "))
    assert lines[header].split()[-2:] == ["x", "login"]
    rows = [line for line in lines[header + 2 :] if line and not line.startswith("Worst")]
    for page in PAGES:
        mine = [row for row in rows if row.startswith(page + " ")]
        assert [row[len(page) :].split()[:2] for row in mine] == [["1", "3"], ["2", "3"]], page
        for row in mine:
            cpu_p50, cpu_p95, wall_p50, wall_p95, queries, size, multiple = map(
                float, row[len(page) :].split()[2:]
            )
            assert 0 < cpu_p50 <= cpu_p95 and 0 < wall_p50 <= wall_p95
            assert queries >= 1 and size > 0 and multiple > 0
    assert all(row.split()[-1] == "1.00" for row in rows if row.startswith("login "))
    worst = next(line for line in lines if line.startswith("Worst multiple of login:"))
    assert all(page in worst for page in PAGES)

    # Kept: the business's three requests (one open) and its two runs, named after the prefix.
    assert any(line.startswith("Data kept under the prefix") for line in lines)
    assert IntroductionRequest.objects.count() == 3
    assert IntroductionRequest.objects.filter(status="submitted").count() == 1
    assert MatchRun.objects.count() == 2
    assert _left_behind() == 4  # the company, the institution and two people
    _bench("--clean")
    assert _left_behind() == 0
    assert not IntroductionRequest.objects.exists() and not MatchRun.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--runs", "0"),
        ("--runs", "one"),
        ("--requests", "-1"),
        ("--repeat", "0"),
    ],
)
def test_bad_arguments_are_command_errors(args):
    with pytest.raises(CommandError):
        call_command("bench_pages", *args, stdout=StringIO())
