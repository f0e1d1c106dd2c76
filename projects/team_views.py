"""TODO(stub): being written."""

from django.http import Http404


def project_definitions(request, **kwargs):
    raise Http404


def student_invite(request, **kwargs):
    raise Http404


def evidence_add(request, **kwargs):
    raise Http404


def evidence_file(request, **kwargs):
    raise Http404


def evidence_share(request, **kwargs):
    raise Http404


def assessment_form(request, **kwargs):
    raise Http404


def assessment_endorse(request, **kwargs):
    raise Http404


def credential_issue(request, **kwargs):
    raise Http404
