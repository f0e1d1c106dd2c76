"""Pages of micro-credentials: the office's definitions, the project team's students, evidence,
assessments and issuing, the student's credentials, and the public pages that verify them."""

from django.urls import path

from . import credential_views, definition_views, team_views

urlpatterns = [
    # Research office: definitions and issued credentials.
    path(
        "manage/institutions/<slug:slug>/micro-credentials/",
        definition_views.definition_list,
        name="definition_list",
    ),
    path(
        "manage/institutions/<slug:slug>/micro-credentials/new/",
        definition_views.definition_create,
        name="definition_create",
    ),
    path(
        "manage/institutions/<slug:slug>/micro-credentials/<int:pk>/",
        definition_views.definition_detail,
        name="definition_detail",
    ),
    path(
        "manage/institutions/<slug:slug>/micro-credentials/<int:pk>/edit/",
        definition_views.definition_edit,
        name="definition_edit",
    ),
    path(
        "manage/institutions/<slug:slug>/micro-credentials/<int:pk>/image/",
        definition_views.definition_image,
        name="definition_image",
    ),
    path(
        "manage/institutions/<slug:slug>/micro-credentials/<int:pk>/publish/",
        definition_views.definition_publish,
        name="definition_publish",
    ),
    path(
        "manage/institutions/<slug:slug>/credentials/",
        credential_views.institution_credentials,
        name="institution_credentials",
    ),
    path(
        "manage/institutions/<slug:slug>/credentials/rotate-key/",
        credential_views.signing_key_rotate,
        name="signing_key_rotate",
    ),
    path(
        "credentials/<uuid:public_id>/revoke/",
        credential_views.credential_revoke,
        name="credential_revoke",
    ),
    # Project team: micro-credentials, students, evidence, assessment, endorsement, issuing.
    path(
        "projects/<int:pk>/micro-credentials/",
        team_views.project_definitions,
        name="project_definitions",
    ),
    path("projects/<int:pk>/students/invite/", team_views.student_invite, name="student_invite"),
    path("projects/<int:pk>/evidence/", team_views.evidence_add, name="evidence_add"),
    path(
        "projects/<int:pk>/evidence/<int:evidence_pk>/file/",
        team_views.evidence_file,
        name="evidence_file",
    ),
    path(
        "projects/<int:pk>/evidence/<int:evidence_pk>/share/",
        team_views.evidence_share,
        name="evidence_share",
    ),
    path(
        "projects/<int:pk>/students/<int:student_pk>/assess/<int:definition_pk>/",
        team_views.assessment_form,
        name="assessment_form",
    ),
    path(
        "projects/<int:pk>/assessments/<int:assessment_pk>/endorse/",
        team_views.assessment_endorse,
        name="assessment_endorse",
    ),
    path(
        "projects/<int:pk>/assessments/<int:assessment_pk>/issue/",
        team_views.credential_issue,
        name="credential_issue",
    ),
    # Student.
    path("my/credentials/", credential_views.student_credentials, name="student_credentials"),
    path(
        "my/credentials/<uuid:public_id>/download/",
        credential_views.credential_download,
        name="credential_download",
    ),
    path(
        "my/credentials/<uuid:public_id>/badge.<str:kind>",
        credential_views.credential_baked,
        name="credential_baked",
    ),
    path("my/credentials/export.zip", credential_views.wallet_export, name="wallet_export"),
    path(
        "my/credentials/<uuid:public_id>/share/",
        credential_views.credential_share,
        name="credential_share",
    ),
    # Anyone.
    path("verify/", credential_views.verify_page, name="credential_verify"),
    path(
        "credentials/<uuid:public_id>/",
        credential_views.credential_public,
        name="credential_public",
    ),
    path(
        "micro-credentials/<uuid:lineage>/v<int:version>/",
        credential_views.definition_public,
        name="definition_public",
    ),
    path(
        "micro-credentials/<uuid:lineage>/v<int:version>/badge-<str:language>.<str:kind>",
        credential_views.definition_badge,
        name="definition_badge",
    ),
]
