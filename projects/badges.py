"""Badge images: a micro-credential's own (uploaded PNG) or its generated default, in the
reader's language, and a credential baked into them (PNG iTXt chunk, SVG element), always from
the signed text as stored."""

from __future__ import annotations

from django.core.cache import cache

from .credentials import badge_image, baking
from .models import CredentialDefinition, IssuedCredential

CACHE_SECONDS = 24 * 3600


def _cache_key(definition: CredentialDefinition, language: str, kind: str) -> str:
    stamp = int(definition.updated_at.timestamp()) if definition.updated_at else 0
    return f"badge:{kind}:{definition.pk}:{language}:{stamp}"


def _uploaded(definition: CredentialDefinition) -> bytes | None:
    if not definition.image:
        return None
    with definition.image.open("rb") as image:
        return image.read()


def _label(definition: CredentialDefinition, language: str) -> tuple[str, str]:
    return definition.title(language), definition.institution.name


def badge_png(definition: CredentialDefinition, language: str) -> bytes:
    uploaded = _uploaded(definition)
    if uploaded is not None:
        return uploaded
    key = _cache_key(definition, language, "png")
    image = cache.get(key)
    if image is None:
        image = badge_image.default_png(*_label(definition, language))
        cache.set(key, image, CACHE_SECONDS)
    return image


def badge_svg(definition: CredentialDefinition, language: str) -> bytes:
    title, institution = _label(definition, language)
    uploaded = _uploaded(definition)
    if uploaded is not None:
        return badge_image.svg_around_png(uploaded, title).encode("utf-8")
    return badge_image.default_svg(title, institution, language).encode("utf-8")


def baked_png(credential: IssuedCredential) -> bytes:
    return baking.bake_png(
        badge_png(credential.definition, credential.language), credential.signed_text
    )


def baked_svg(credential: IssuedCredential) -> bytes:
    return baking.bake_svg(
        badge_svg(credential.definition, credential.language), credential.signed_text
    )
