"""The flow's steps through the real services, for tests that need an assessed, endorsed or
issued student."""

from __future__ import annotations

from projects import services


def assess(actor, project, student, definition, levels=(2, 1)):
    return services.assessment_record(
        actor=actor,
        project=project,
        student=student,
        definition=definition,
        levels=list(levels),
        criterion_comments=["Careful plan.", "Clear reports."],
        comment="Strong work.",
    )


def endorse(business_owner, assessment, endorse=True, comment="Sam made our line quieter."):
    return services.assessment_endorse(
        actor=business_owner,
        assessment=assessment,
        endorse=endorse,
        comment=comment,
        expected_version=assessment.version,
    )


def issue(office, project, student, definition, business_owner, comment="Careful work."):
    """Assessed as passed (levels 2 and 1), endorsed, issued."""
    assessment = assess(office, project, student, definition)
    endorse(business_owner, assessment, comment=comment)
    return services.credential_issue(actor=office, assessment=assessment)
