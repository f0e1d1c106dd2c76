"""Signing keys: sealed at rest under the environment's secret, one signing per owner, rotation
that keeps old signatures verifiable, and the institution's public DID document."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from matching.models import InstitutionMembership
from projects import selectors, services
from projects.credentials import did_web, multikey, sealing
from projects.models import SigningKey
from tests.factories import InstitutionMembershipFactory

pytestmark = pytest.mark.django_db


def test_a_key_is_made_on_first_use_sealed_and_reused(institution):
    stored, private = services.signing_key_for(institution=institution)
    again, _same = services.signing_key_for(institution=institution)
    assert again.pk == stored.pk and SigningKey.objects.count() == 1
    assert multikey.public_multibase(private.public_key()) == stored.public_multibase
    seed_hex = private.private_bytes_raw().hex()
    assert seed_hex not in stored.sealed_private_key
    with pytest.raises(sealing.SealError):
        sealing.unseal(stored.sealed_private_key, sealing.derived_secret("another secret"))


def test_no_secret_no_key(institution, settings):
    settings.OCIP_SIGNING_KEYS_SECRET = ""
    with pytest.raises(ImproperlyConfigured):
        services.signing_key_for(institution=institution)


def test_the_database_keeps_one_signing_key_per_owner(institution):
    services.signing_key_for(institution=institution)
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey.objects.create(
            institution=institution, public_multibase="z6Mkother", sealed_private_key="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey.objects.create(public_multibase="z6Mknobody", sealed_private_key="x")


def test_rotation_retires_the_old_key_and_the_did_document_keeps_it(
    institution, office_staff, client
):
    old, _ = services.signing_key_for(institution=institution)
    new = services.signing_key_rotate(actor=office_staff, institution=institution)
    current, _ = services.signing_key_for(institution=institution)
    assert current.pk == new.pk and new.pk != old.pk
    old.refresh_from_db()
    assert old.retired_at is not None

    response = client.get(reverse("institution_did", args=[institution.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json; charset=utf-8"
    document = response.json()
    did = selectors.institution_did(institution)
    assert document["id"] == did == "did:web:127.0.0.1%3A8000:institutions:college"
    assert did_web.document_url(did) == "https://127.0.0.1:8000/institutions/college/did.json"
    assert document["assertionMethod"] == [
        did_web.key_id(did, old.public_multibase),
        did_web.key_id(did, new.public_multibase),
    ]
    text = json.dumps(document)
    assert old.sealed_private_key not in text and "sealed" not in text


def test_only_the_office_rotates(institution):
    researcher = InstitutionMembershipFactory(
        institution=institution, role=InstitutionMembership.Role.RESEARCHER
    ).user
    with pytest.raises(PermissionDenied):
        services.signing_key_rotate(actor=researcher, institution=institution)


def test_an_unknown_institution_has_no_did_document(client, db):
    assert client.get("/institutions/nowhere/did.json").status_code == 404
