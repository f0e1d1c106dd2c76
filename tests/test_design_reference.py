"""The design system: its colours meet WCAG 2.1 AA on white, the reference page shows every
component to platform staff only, and every table of ours stacks on a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from ocip.design import COLOUR_TOKENS

ROOT = Path(__file__).resolve().parent.parent
CSS = (ROOT / "static" / "css" / "ocip.css").read_text()


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(hex_colour: str) -> float:
    return (1.05) / (luminance(hex_colour) + 0.05)


@pytest.mark.parametrize(("token", "value", "use"), COLOUR_TOKENS)
def test_each_colour_token_is_the_stylesheets_and_meets_aa(token, value, use):
    assert re.search(rf"{re.escape(token)}:\s*{value};", CSS), f"{token} differs from ocip.css"
    # Borders that carry meaning need 3:1; text colours 4.5:1.
    assert contrast_on_white(value) >= (3 if token == "--line" else 4.5)


def test_every_table_of_ours_stacks_on_a_phone():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if text.startswith('{% extends "wagtailadmin/'):
            continue  # Wagtail's admin has its own design, and its own phone layout
        for table in re.findall(r"<table[^>]*>", text):
            assert "table-stack" in table, f"{template.relative_to(ROOT)}: {table}"


@pytest.mark.django_db
def test_the_reference_page_is_for_platform_staff(client, platform_staff, business_owner):
    url = reverse("design_reference")
    assert client.get(url).status_code == 302
    client.force_login(business_owner)
    assert client.get(url).status_code == 403
    client.force_login(platform_staff)
    page = client.get(url).content.decode()
    for component in ("page-header", "stats", "badge-danger", "table-stack", "action-panel"):
        assert component in page
    for control in ('type="tel"', 'type="date"', 'type="radio"', 'type="checkbox"', "<textarea"):
        assert control in page
    assert "error-summary" not in page
    with_errors = client.get(url, {"errors": "1"}).content.decode()
    assert 'class="error-summary"' in with_errors and 'tabindex="-1"' in with_errors
    french = client.get("/fr" + url).content.decode()
    assert 'lang="fr"' in french


@pytest.mark.django_db
def test_dashboards_open_with_headline_numbers(client, business_owner, office_staff):
    for user, label in (
        (business_owner, "open introduction requests"),
        (office_staff, "late for a first response"),
    ):
        client.force_login(user)
        page = client.get(reverse("dashboard")).content.decode()
        assert page.index('class="stats"') < page.index("<section")
        assert label in page
