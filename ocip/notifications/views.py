"""The reader's notifications: list them, open one (which marks it read), mark all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ocip.pagination import paginate

from . import selectors, services


@login_required
def notification_list(request):
    page = paginate(
        request, selectors.notifications_for(request.user).order_by("-created_at", "-pk")
    )
    return render(request, "notifications/notification_list.html", {"page_obj": page})


@login_required
@require_POST
def notification_open(request, pk: int):
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    path = notification.path
    # Paths come from reverse(), so always local; the check keeps it that way if that changes.
    if path and url_has_allowed_host_and_scheme(
        path, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(path)
    return redirect("notification_list")


@login_required
@require_POST
def notifications_mark_read(request):
    count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    return redirect("notification_list")
