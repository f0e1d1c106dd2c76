"""The documents OCIP signs (pure): an Open Badges 3.0 `OpenBadgeCredential` for a student's
assessed micro-credential, the business's `EndorsementCredential` about it, and an institution's
`BitstringStatusListCredential`. Plain data in, JSON-LD out; signing is data_integrity's."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import contexts

ESCO = "ESCO"
STACKED_PART = "ceterms:Credential"  # OB 3.0 alignment targetType of a stacked credential's parts


@dataclass(frozen=True)
class Skill:
    uri: str  # an ESCO concept URI
    label: str


@dataclass(frozen=True)
class Level:
    id: str
    name: str


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class StackedPart:
    """A micro-credential a stacked achievement is made of."""

    url: str  # its achievement id
    name: str


@dataclass(frozen=True)
class Achievement:
    id: str
    name: str  # in the student's language
    description: str
    criteria: str  # how it is earned, in words
    language: str
    skills: tuple[Skill, ...] = ()
    rubric: tuple[Criterion, ...] = ()
    credits: float | None = None
    workload_hours: float | None = None
    type_of_assessment: str = ""
    form_of_participation: str = ""
    quality_assurance: str = ""
    eqf_level: int | None = None
    level_description: str = ""  # when no EQF level applies, why, or the level it has
    prerequisites: str = ""
    supervision: str = ""  # supervision and identity verification during assessment
    image: str = ""  # the badge image's URL
    # OB 3.0 has no stacking field: a stacked micro-credential names the micro-credentials it
    # is made of as alignments of targetType ceterms:Credential (a CTDL credential).
    stacks: tuple[StackedPart, ...] = ()


@dataclass(frozen=True)
class Issuer:
    id: str  # the institution's did:web
    name: str
    url: str = ""
    country_code: str = "CA"


@dataclass(frozen=True)
class Evidence:
    name: str
    description: str
    url: str = ""


@dataclass(frozen=True)
class StatusEntry:
    list_url: str
    index: int


@dataclass(frozen=True)
class Award:
    """What the student earned: the results by rubric criterion id (the level id reached)."""

    credential_id: str
    recipient_email: str
    salt: str
    valid_from: str
    results: dict[str, str] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    valid_until: str | None = None


def hashed_identity(email: str, salt: str) -> dict:
    """The recipient without their address: `sha256$` + hex(SHA-256(email + salt)), the address
    trimmed and lowercased first (the platform compares addresses without case)."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "salt": salt,
    }


def _profile(issuer: Issuer) -> dict:
    profile = {
        "id": issuer.id,
        "type": ["Profile"],
        "name": issuer.name,
        "address": {"type": ["Address"], "addressCountryCode": issuer.country_code},
    }
    if issuer.url:
        profile["url"] = issuer.url
    return profile


def _achievement(achievement: Achievement) -> dict:
    document: dict = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria},
        "inLanguage": achievement.language,
    }
    if achievement.image:
        document["image"] = {"id": achievement.image, "type": "Image", "caption": achievement.name}
    alignments = [
        {
            "type": ["Alignment"],
            "targetName": skill.label,
            "targetUrl": skill.uri,
            "targetFramework": ESCO,
            "targetType": "ext:ESCOSkill",
        }
        for skill in achievement.skills
    ] + [
        {
            "type": ["Alignment"],
            "targetName": part.name,
            "targetUrl": part.url,
            "targetType": STACKED_PART,
        }
        for part in achievement.stacks
    ]
    if alignments:
        document["alignment"] = alignments
    if achievement.rubric:
        document["resultDescription"] = [
            {
                "id": criterion.id,
                "type": ["ResultDescription"],
                "name": criterion.name,
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {"id": level.id, "type": ["RubricCriterionLevel"], "name": level.name}
                    for level in criterion.levels
                ],
            }
            for criterion in achievement.rubric
        ]
    if achievement.credits is not None:
        document["creditsAvailable"] = achievement.credits
    eu = {
        "typeOfAssessment": achievement.type_of_assessment,
        "formOfParticipation": achievement.form_of_participation,
        "qualityAssurance": achievement.quality_assurance,
        "eqfLevel": achievement.eqf_level,
        "levelDescription": achievement.level_description,
        "prerequisites": achievement.prerequisites,
        "supervisionAndIdentityVerification": achievement.supervision,
    }
    document |= {name: value for name, value in eu.items() if value}
    if achievement.workload_hours is not None:
        document["notionalWorkloadHours"] = achievement.workload_hours
    return document


def achievement_credential(
    *,
    issuer: Issuer,
    achievement: Achievement,
    award: Award,
    extension_context: str,
    status: StatusEntry | None = None,
    endorsements: Sequence[dict] = (),
) -> dict:
    """The unsigned OpenBadgeCredential; `extension_context` is the URL of OCIP's EU context."""
    subject: dict = {
        "type": ["AchievementSubject"],
        "identifier": [hashed_identity(award.recipient_email, award.salt)],
        "achievement": _achievement(achievement),
    }
    if award.results:
        subject["result"] = [
            {"type": ["Result"], "resultDescription": criterion, "achievedLevel": level}
            for criterion, level in award.results.items()
        ]
    credential: dict = {
        "@context": [contexts.CREDENTIALS_V2, contexts.OPEN_BADGES_V3, extension_context],
        "id": award.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": _profile(issuer),
        "validFrom": award.valid_from,
        "name": achievement.name,
        "credentialSubject": subject,
    }
    if award.valid_until:
        credential["validUntil"] = award.valid_until
    if award.evidence:
        credential["evidence"] = [
            {"type": ["Evidence"], "name": item.name, "description": item.description}
            | ({"id": item.url} if item.url else {})
            for item in award.evidence
        ]
    if endorsements:
        credential["endorsement"] = list(endorsements)
    if status is not None:
        credential["credentialStatus"] = status_entry(status)
    return credential


def endorsement_credential(
    *,
    credential_id: str,
    endorser: Issuer,
    endorsed_id: str,
    comment: str,
    valid_from: str,
    name: str = "",
) -> dict:
    """The business's endorsement of one student's credential (`endorsed_id`), issued by the
    business's own profile: a did:web under the platform's address whose key the platform holds
    and signs with on the business's behalf, so the endorsement verifies on its own."""
    return {
        "@context": [contexts.CREDENTIALS_V2, contexts.OPEN_BADGES_V3],
        "id": credential_id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": name or f"Endorsement by {endorser.name}",
        "issuer": _profile(endorser),
        "validFrom": valid_from,
        "credentialSubject": {
            "id": endorsed_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    }


def status_entry(status: StatusEntry) -> dict:
    return {
        "id": f"{status.list_url}#{status.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(status.index),
        "statusListCredential": status.list_url,
    }


def status_list_credential(*, url: str, issuer_id: str, encoded_list: str, valid_from: str) -> dict:
    return {
        "@context": [contexts.CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }
