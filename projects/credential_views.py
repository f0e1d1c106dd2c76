"""TODO(stub): being written."""

from django.http import Http404


def institution_credentials(request, **kwargs):
    raise Http404


def credential_revoke(request, **kwargs):
    raise Http404


def student_credentials(request, **kwargs):
    raise Http404


def credential_download(request, **kwargs):
    raise Http404


def credential_share(request, **kwargs):
    raise Http404


def verify_page(request, **kwargs):
    raise Http404


def credential_public(request, **kwargs):
    raise Http404


def definition_public(request, **kwargs):
    raise Http404
