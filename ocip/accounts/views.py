"""Helpers every app's thin views share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
