"""Helpers every app's thin views share, and the account pages' own view (sending the
confirmation email again)."""

from __future__ import annotations

import math

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.internal.stagekit import unstash_login
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import parse_rates
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST


def form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    title: str,
    submit_label: str,
    cancel_url: str,
    intro: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "submit_label": submit_label,
            "cancel_url": cancel_url,
            "intro": intro,
        },
        status=status,
    )


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    submit_label: str,
    cancel_url: str,
    danger: bool = True,
) -> HttpResponse:
    return render(
        request,
        "confirm_page.html",
        {
            "title": title,
            "question": question,
            "submit_label": submit_label,
            "cancel_url": cancel_url,
            "danger": danger,
        },
    )


def add_service_error(form: BaseForm, error: ValidationError) -> None:
    """Show a service's validation error on the form (per field where it names one)."""
    if hasattr(error, "error_dict"):
        known = {k: v for k, v in error.error_dict.items() if k in form.fields}
        for field, errors in error.error_dict.items():
            form.add_error(field if field in known else None, errors)
    else:
        form.add_error(None, error)


# --- Account pages ---------------------------------------------------------------------------


@require_POST
def verification_resend(request: HttpRequest) -> HttpResponse:
    """Sends the confirmation email again, from the page that asks to confirm one's address: to
    whoever is signing up or logging in in this browser (allauth keeps that pending login in the
    session), or to a logged-in person whose address is not confirmed. allauth's "confirm_email"
    rate limit applies (one email per address per few minutes): then the page says so."""
    login = unstash_login(request, peek=True)
    signup = bool(login and login.signup)
    user = request.user if request.user.is_authenticated else login and login.user
    if user:
        addresses = EmailAddress.objects.filter(user=user)
        if login is not None and login.email:
            addresses = addresses.filter(email__iexact=login.email)
        address = addresses.order_by("verified", "-primary").first()  # unconfirmed first
    elif login is not None and login.email:
        # Someone signed up with an address that has an account: allauth answers as if it were
        # new (and writes to the address's owner instead), and so does sending it again.
        address = EmailAddress(user=None, email=login.email)
    else:
        messages.error(
            request,
            _(
                "We no longer know which address to write to. Log in with your email address "
                "and password: while your address is not confirmed, logging in sends a new "
                "confirmation email."
            ),
        )
        return redirect("account_login")
    if address is None or address.verified:
        messages.info(request, _("Your email address is already confirmed: you can log in."))
        return redirect("account_login")
    # allauth adds its own "Confirmation email sent to …" message when it sends one.
    if not send_verification_email_to_address(request, address, signup=signup):
        minutes = _confirm_email_wait_minutes()
        messages.error(
            request,
            ngettext(
                "We already sent you a confirmation email less than a minute ago. Look for it "
                "in your inbox and your spam or junk folder; you can ask for another one in a "
                "minute.",
                "We already sent you a confirmation email less than %(minutes)s minutes ago. "
                "Look for it in your inbox and your spam or junk folder; you can ask for another "
                "one in a few minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
    return redirect("account_email_verification_sent")


def _confirm_email_wait_minutes() -> int:
    """How long allauth's "confirm_email" rate limit makes one wait, at most, in minutes."""
    rates = parse_rates(account_settings.RATE_LIMITS.get("confirm_email"))
    return max((math.ceil(rate.duration / 60) for rate in rates), default=1)
