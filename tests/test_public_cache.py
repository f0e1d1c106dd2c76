"""Public pages cached for anonymous visitors, per language and address; the members' pages
that moved under /manage/ keep their old addresses as redirects."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from cms.models import HomePage
from matching.models import ExpertiseProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_on(settings):
    settings.OCIP_PUBLIC_CACHE_SECONDS = 60


def _home_title(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _retitle_quietly(language: str, title: str) -> None:
    """Change a page behind Wagtail's back: no publish signal, so the cache is not told."""
    Page.objects.filter(locale__language_code=language, depth=2).update(title=title)


def test_an_anonymous_visitor_gets_the_cached_page_until_public_content_changes(client, cache_on):
    assert "Ontario&#x27;s front door" in _home_title(client)
    _retitle_quietly("en", "Changed quietly")
    assert "Ontario&#x27;s front door" in _home_title(client)  # served from the cache

    home = HomePage.objects.get(locale__language_code="en").specific
    home.title = "Published anew"
    home.save_revision().publish()  # page_published: every cached page goes stale
    assert "Published anew" in _home_title(client)


def test_each_language_has_its_own_cached_copy(client, cache_on):
    english = _home_title(client, "/")
    french = _home_title(client, "/fr/")
    assert '<html lang="en">' in english
    assert '<html lang="fr">' in french
    assert '<html lang="fr">' in _home_title(client, "/fr/")


def test_saving_a_profile_makes_cached_pages_stale(client, cache_on, institution):
    _home_title(client)
    _retitle_quietly("en", "Changed quietly")
    ExpertiseProfile.objects.create(
        external_id="cache-1", institution=institution, kind="lab", name="Cache lab"
    )
    assert "Changed quietly" in _home_title(client)


def test_signed_in_people_and_visitors_with_a_session_never_get_the_cached_copy(
    client, cache_on, business_owner
):
    _home_title(client)
    _retitle_quietly("en", "Changed quietly")
    client.force_login(business_owner)
    assert "Changed quietly" in _home_title(client)
    client.logout()
    client.cookies["sessionid"] = "anything"
    assert "Changed quietly" in _home_title(client)


def test_the_cache_is_off_at_zero_seconds(client, settings):
    settings.OCIP_PUBLIC_CACHE_SECONDS = 0
    _home_title(client)
    _retitle_quietly("en", "Changed quietly")
    assert "Changed quietly" in _home_title(client)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/institutions/college/edit/", "/manage/institutions/college/edit/"),
        (
            "/fr/institutions/college/requests/?status=new",
            "/fr/manage/institutions/college/requests/?status=new",
        ),
        ("/institutions/college/dashboard/", "/manage/institutions/college/dashboard/"),
        ("/expertise/mine/", "/manage/expertise/mine/"),
        ("/fr/expertise/w1-001/edit/", "/fr/manage/expertise/w1-001/edit/"),
    ],
)
def test_old_members_addresses_redirect_for_good(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_members_pages_live_under_manage(institution):
    assert reverse("institution_detail", args=[institution.slug]).startswith(
        "/manage/institutions/"
    )
    assert reverse("expertise_mine") == "/manage/expertise/mine/"


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_members_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /manage/" in lines
    assert "Disallow: /fr/manage/" in lines


def test_cached_copies_keep_the_views_headers_and_live_apart_from_the_rate_limits(client, cache_on):
    from django.core.cache import cache

    from ocip.public_cache import GENERATION_KEY, page_cache

    first = client.get("/sitemap.xml")
    again = client.get("/sitemap.xml")
    assert again.content == first.content
    assert again["X-Robots-Tag"] == first["X-Robots-Tag"]
    assert again["Content-Type"] == first["Content-Type"]
    assert page_cache().get(GENERATION_KEY) is not None
    assert cache.get(GENERATION_KEY) is None  # the default cache, the rate limits', is apart


def test_an_evicted_generation_never_brings_back_older_copies(client, cache_on):
    from ocip.public_cache import GENERATION_KEY, content_generation, page_cache

    first = content_generation()
    page_cache().delete(GENERATION_KEY)  # evicted
    assert content_generation() > first


def test_a_form_posted_to_an_old_address_is_sent_on_as_a_post(client):
    response = client.post("/institutions/college/edit/", {"website": ""})
    assert response.status_code == 308
    assert response["Location"] == "/manage/institutions/college/edit/"


def test_a_member_following_an_old_link_to_a_private_profile_reaches_the_members_page(
    client, institution, business_owner
):
    ExpertiseProfile.objects.create(
        external_id="private-1", institution=institution, kind="lab", name="Quiet lab", public=False
    )
    assert client.get("/expertise/private-1/").status_code == 404
    client.force_login(business_owner)
    response = client.get("/expertise/private-1/")
    assert response.status_code == 302
    assert response["Location"] == reverse("expertise_detail", args=["private-1"])
