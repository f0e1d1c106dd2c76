"""Micro-credentials and pathways in the reader's language, for templates."""

from django import template

from .. import selectors
from ..presentation import current_language

register = template.Library()


@register.filter
def definition_title(definition) -> str:
    return definition.title(current_language())


@register.filter
def pathway_title(pathway) -> str:
    return pathway.title(current_language())


@register.filter
def pathway_target(pathway) -> str:
    """What completing the pathway leads to: the program, or the stacked micro-credential."""
    return selectors.pathway_target_title(pathway, current_language())


@register.filter
def pathway_credit(pathway) -> str:
    """The credit or advanced standing a program grants (nothing for a stacked credential)."""
    return pathway.localized("program_credit", current_language())
