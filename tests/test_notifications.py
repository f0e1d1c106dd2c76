"""In-app notifications: recorded once per event, emailed once in the reader's language, listed
to their owner only, opened (which marks them read) and marked read all at once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from diagnostics.services import diagnostic_start
from matching.models import InstitutionMembership, IntroductionRequest
from ocip.mail.models import OutboundEmail
from ocip.notifications import services
from ocip.notifications.models import Notification
from ocip.notifications.tasks import notification_email

from .factories import InstitutionMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MESSAGE = gettext_noop("%(company)s asks to be introduced to %(target)s.")
PARAMS = {"company": "Acme", "target": "Robotics Lab"}
TEXT = "Acme asks to be introduced to Robotics Lab."


def _notify(user, key="event-1", url_name="profile", email=False) -> Notification:
    services.notify(
        users=[user], key=key, message=MESSAGE, params=PARAMS, url_name=url_name, email=email
    )
    return Notification.objects.get(user=user, key=key)


# --- Recording and emailing once -------------------------------------------------------------


def test_the_same_event_twice_notifies_and_emails_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(users=[user, user], key="event-1", message=MESSAGE, params=PARAMS)
        second = services.notify(users=[user], key="event-1", message=MESSAGE, params=PARAMS)
    assert len(first) == 1 and second == []
    assert Notification.objects.filter(user=user).count() == 1
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert TEXT in mail.outbox[0].subject and TEXT in mail.outbox[0].body


def test_inactive_users_are_not_notified():
    assert services.notify(users=[UserFactory(is_active=False)], key="k", message=MESSAGE) == []
    assert not Notification.objects.exists()


def test_the_email_task_run_twice_sends_one_email(django_capture_on_commit_callbacks):
    notification = _notify(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        notification_email(notification.pk)
        notification_email(notification.pk)
        assert services.notification_email_send(notification_id=notification.pk) is False
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_email_is_in_the_readers_language(django_capture_on_commit_callbacks):
    base = settings.OCIP_BASE_URL.rstrip("/")
    french, english = UserFactory(language="fr"), UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[french, english], key="k", message=MESSAGE, url_name="profile")
    body = {message.to[0]: message.body for message in mail.outbox}
    assert f"{base}/fr/profile/" in body[french.email]
    assert f"{base}/profile/" in body[english.email]
    assert "/fr/" not in body[english.email]


def test_the_email_of_a_notification_without_a_page_has_no_link(
    django_capture_on_commit_callbacks,
):
    notification = _notify(UserFactory(), url_name="no_such_page")
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_email_send(notification_id=notification.pk)
    assert TEXT in mail.outbox[0].body
    assert "See it on OCIP" not in mail.outbox[0].body


# --- The list page ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    notification = _notify(UserFactory())
    login = reverse("account_login")
    assert client.get(reverse("notification_list"))["Location"].startswith(login)
    for url in [
        reverse("notification_open", kwargs={"pk": notification.pk}),
        reverse("notifications_mark_read"),
    ]:
        assert client.post(url)["Location"].startswith(login)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_list_shows_only_the_readers_own_notifications(client):
    reader, other = UserFactory(), UserFactory()
    _notify(reader)
    services.notify(
        users=[other],
        key="secret",
        message=gettext_noop("Other business: %(company)s"),
        params={"company": "Hidden Corp"},
    )
    client.force_login(reader)
    page = client.get(reverse("notification_list")).content.decode()
    assert TEXT in page
    assert "Hidden Corp" not in page
    assert reverse("notification_open", kwargs={"pk": reader.notifications.get().pk}) in page


def test_the_list_is_newest_first_and_paginated(client, settings):
    settings.OCIP_PAGE_SIZE = 2
    reader = UserFactory()
    for number in range(3):
        services.notify(
            users=[reader],
            key=f"event-{number}",
            message=gettext_noop("Event %(n)s"),
            params={"n": number},
            email=False,
        )
    client.force_login(reader)
    first = client.get(reverse("notification_list")).content.decode()
    assert first.index("Event 2") < first.index("Event 1")
    assert "Event 0" not in first and "Page 1 of 2" in first
    assert "Event 0" in client.get(reverse("notification_list") + "?page=2").content.decode()


def test_the_empty_state(client):
    client.force_login(UserFactory())
    page = client.get(reverse("notification_list")).content.decode()
    assert "You have no notifications yet." in page
    assert "Mark all as read" not in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client):
    reader = UserFactory()
    notification = _notify(reader)
    client.force_login(reader)
    url = reverse("notification_open", kwargs={"pk": notification.pk})
    assert client.get(url).status_code == 405  # a state change: POST only
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    notification.refresh_from_db()
    assert notification.read_at is not None
    # Once read, the list links straight to the page.
    page = client.get(reverse("notification_list")).content.decode()
    assert f'<a href="{reverse("profile")}">{TEXT}</a>' in page


def test_a_french_reader_is_sent_to_the_french_page(client):
    reader = UserFactory(language="fr")
    notification = _notify(reader)
    client.force_login(reader)
    response = client.post(f"/fr/notifications/{notification.pk}/open/")
    assert response["Location"] == "/fr/profile/"


def test_another_users_notification_cannot_be_opened(client):
    notification = _notify(UserFactory())
    client.force_login(UserFactory())
    response = client.post(reverse("notification_open", kwargs={"pk": notification.pk}))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_never_follows_a_path_to_another_site(client, monkeypatch):
    reader = UserFactory()
    notification = _notify(reader)
    monkeypatch.setattr(Notification, "path", property(lambda self: "https://evil.example/"))
    client.force_login(reader)
    response = client.post(reverse("notification_open", kwargs={"pk": notification.pk}))
    assert response["Location"] == reverse("notification_list")


def test_a_notification_whose_page_is_gone_shows_without_a_link(client):
    reader = UserFactory()
    notification = _notify(reader, url_name="no_such_page")
    client.force_login(reader)
    page = client.get(reverse("notification_list")).content.decode()
    assert TEXT in page and "Mark as read" in page
    assert 'href=""' not in page
    response = client.post(reverse("notification_open", kwargs={"pk": notification.pk}))
    assert response["Location"] == reverse("notification_list")
    page = client.get(reverse("notification_list")).content.decode()
    assert TEXT in page and "Mark as read" not in page and 'href=""' not in page


def test_mark_all_as_read_marks_only_the_readers_notifications(client):
    reader, other = UserFactory(), UserFactory()
    _notify(reader, key="a")
    _notify(reader, key="b")
    _notify(other, key="a")
    client.force_login(reader)
    assert (
        "You have 2 unread notifications."
        in client.get(reverse("notification_list")).content.decode()
    )
    assert client.get(reverse("notifications_mark_read")).status_code == 405
    response = client.post(reverse("notifications_mark_read"), follow=True)
    page = response.content.decode()
    assert "2 notifications marked as read." in page
    assert "You have read all your notifications." in page
    assert not reader.notifications.filter(read_at__isnull=True).exists()
    assert other.notifications.get().read_at is None


def test_the_navigation_shows_the_unread_count(client):
    reader = UserFactory()
    client.force_login(reader)
    page = client.get(reverse("profile")).content.decode()
    assert f'<a href="{reverse("notification_list")}">Notifications</a>' in page
    _notify(reader, key="a")
    _notify(reader, key="b")
    page = client.get(reverse("profile")).content.decode()
    assert 'Notifications (2<span class="visually-hidden"> unread</span>)' in page
    page = client.get(reverse("notification_list")).content.decode()
    assert f'<a href="{reverse("notification_list")}" aria-current="page">' in page


def test_the_navigation_has_no_notifications_for_anonymous_visitors(client):
    page = client.get(reverse("account_login")).content.decode()
    assert reverse("notification_list") not in page


def test_platform_staff_see_notifications_in_a_read_only_admin(client, platform_staff):
    notification = _notify(UserFactory())
    client.force_login(platform_staff)
    changelist = client.get(reverse("admin:notifications_notification_changelist"))
    assert changelist.status_code == 200 and TEXT in changelist.content.decode()
    change = reverse("admin:notifications_notification_change", args=[notification.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"message": "Edited"}).status_code == 403
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403


# --- The dashboard's ways into requests, projects and review dashboards -----------------------


def _request(company, institution, **fields) -> IntroductionRequest:
    owner = company.memberships.get().user
    diagnostic, _created = diagnostic_start(actor=owner, company=company)
    return IntroductionRequest.objects.create(
        company=company,
        diagnostic=diagnostic,
        institution=institution,
        message="Hello",
        **fields,
    )


def test_the_business_dashboard_counts_open_requests_and_those_waiting_on_it(
    client, business_owner, company, institution
):
    _request(company, institution, status=IntroductionRequest.Status.INFO_REQUESTED)
    other = InstitutionMembershipFactory().institution
    _request(
        company,
        other,
        status=IntroductionRequest.Status.DECLINED,
        decline_reason="other",
        closed_at=timezone.now(),
    )
    client.force_login(business_owner)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("request_list") in page and reverse("project_list") in page
    assert "1 open" in page and "1 waiting for your answer" in page


def test_the_office_dashboard_counts_the_queue_and_late_requests(
    client, company, office_staff, institution
):
    _request(company, institution, sla_flagged_at=timezone.now())
    client.force_login(office_staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("request_queue", kwargs={"slug": institution.slug}) in page
    assert reverse("institution_dashboard", kwargs={"slug": institution.slug}) in page
    assert reverse("request_assigned") in page and reverse("project_list") in page
    assert "1 open" in page and "1 late for a first response" in page


def test_a_researcher_sees_the_requests_assigned_to_them(client, company, institution):
    researcher = InstitutionMembershipFactory(
        institution=institution, role=InstitutionMembership.Role.RESEARCHER
    ).user
    _request(company, institution, assigned_to=researcher)
    client.force_login(researcher)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("request_assigned") in page and "Requests assigned to you" in page
    assert "1 open" in page
    assert reverse("request_queue", kwargs={"slug": institution.slug}) not in page
    assert reverse("institution_dashboard", kwargs={"slug": institution.slug}) not in page


def test_platform_staff_see_the_escalated_requests(client, company, institution, platform_staff):
    _request(company, institution, sla_flagged_at=timezone.now(), sla_escalated_at=timezone.now())
    client.force_login(platform_staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("platform_dashboard") in page
    assert "1 escalated request still waits for a first response." in page
