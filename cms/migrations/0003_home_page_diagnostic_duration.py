"""The home pages no longer name the diagnostic's duration in their text: the template says it,
from the one estimate in diagnostics/effort.py (so it cannot drift from the questionnaire)."""

from django.db import migrations

REPLACEMENTS = (
    (
        "A ten-minute innovation diagnostic, in your own words,",
        "An innovation diagnostic, in your own words,",
    ),
    (
        "Un diagnostic d'innovation de dix minutes, dans vos propres mots,",
        "Un diagnostic d'innovation, dans vos propres mots,",
    ),
)


def _without_duration(body: str) -> str:
    for old, new in REPLACEMENTS:
        body = body.replace(old, new)
    return body


def remove_duration(apps, schema_editor):
    HomePage = apps.get_model("cms.HomePage")
    Revision = apps.get_model("wagtailcore.Revision")
    for page in HomePage.objects.all():
        body = _without_duration(page.body)
        if body != page.body:
            HomePage.objects.filter(pk=page.pk).update(body=body)
    # Drafts and old revisions too, so that publishing one does not bring the number back.
    page_ids = [str(pk) for pk in HomePage.objects.values_list("pk", flat=True)]
    for revision in Revision.objects.filter(
        object_id__in=page_ids, content_type__app_label="cms", content_type__model="homepage"
    ):
        content = dict(revision.content or {})
        if isinstance(content.get("body"), str):
            body = _without_duration(content["body"])
            if body != content["body"]:
                content["body"] = body
                Revision.objects.filter(pk=revision.pk).update(content=content)


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_create_home_pages")]

    operations = [migrations.RunPython(remove_duration, migrations.RunPython.noop)]
