"""TODO(stub): being written."""

from django.http import Http404


def definition_list(request, **kwargs):
    raise Http404


def definition_create(request, **kwargs):
    raise Http404


def definition_detail(request, **kwargs):
    raise Http404


def definition_edit(request, **kwargs):
    raise Http404


def definition_publish(request, **kwargs):
    raise Http404
