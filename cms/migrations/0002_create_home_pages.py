"""The site root: an English home page and its French translation, and the default Site."""

import uuid

from django.db import migrations
from django.utils import timezone

ENGLISH = {
    "slug": "home",
    "title": "Ontario's front door to applied research",
    "intro": (
        "OCIP connects Ontario's small businesses with the expertise, equipment and students of "
        "the province's colleges, universities and Indigenous institutes, and with the funding "
        "partners that can pay for the work."
    ),
    "body": (
        "<h2>How it works</h2>"
        "<ol>"
        "<li><p><b>Describe your challenge.</b> A ten-minute innovation diagnostic, in your own "
        "words, tells you how ready your project is.</p></li>"
        "<li><p><b>Meet the right experts.</b> We rank researchers, labs, applied research "
        "centres and student programs across Ontario for your challenge, and say why.</p></li>"
        "<li><p><b>Find the funding.</b> Mitacs, OCI, NRC IRAP, NSERC, SR&amp;ED and more: "
        "what you qualify for and roughly how much.</p></li>"
        "<li><p><b>Start a project.</b> Research offices answer every request, and students who "
        "work on your project earn micro-credentials you endorse.</p></li>"
        "</ol>"
    ),
}
FRENCH = {
    "slug": "accueil",
    "title": "La porte d'entrée de la recherche appliquée en Ontario",
    "intro": (
        "La PCIO relie les petites entreprises de l'Ontario à l'expertise, aux équipements et "
        "aux étudiantes et étudiants des collèges, universités et instituts autochtones de la "
        "province, ainsi qu'aux partenaires financiers qui peuvent payer les travaux."
    ),
    "body": (
        "<h2>Comment ça marche</h2>"
        "<ol>"
        "<li><p><b>Décrivez votre défi.</b> Un diagnostic d'innovation de dix minutes, dans vos "
        "propres mots, vous dit où en est votre projet.</p></li>"
        "<li><p><b>Rencontrez les bons experts.</b> Nous classons chercheurs, laboratoires, "
        "centres de recherche appliquée et programmes étudiants de tout l'Ontario selon votre "
        "défi, et nous expliquons pourquoi.</p></li>"
        "<li><p><b>Trouvez le financement.</b> Mitacs, OCI, PARI-CNRC, CRSNG, RS&amp;DE et "
        "plus : ce à quoi vous êtes admissible et pour environ combien.</p></li>"
        "<li><p><b>Lancez un projet.</b> Les bureaux de recherche répondent à chaque demande, et "
        "les étudiantes et étudiants qui travaillent à votre projet obtiennent des "
        "microcertifications que vous endossez.</p></li>"
        "</ol>"
    ),
}


def create_home_pages(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Locale = apps.get_model("wagtailcore.Locale")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("cms.HomePage")

    # wagtailcore's own migrations create a "Welcome" page and a Site pointing at it.
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore").delete()

    english, _ = Locale.objects.get_or_create(language_code="en")
    french, _ = Locale.objects.get_or_create(language_code="fr")
    content_type, _ = ContentType.objects.get_or_create(app_label="cms", model="homepage")
    translation_key = uuid.uuid4()
    now = timezone.now()
    for position, (locale, content) in enumerate(((english, ENGLISH), (french, FRENCH)), start=1):
        HomePage.objects.create(
            title=content["title"],
            draft_title=content["title"],
            intro=content["intro"],
            body=content["body"],
            # Distinct url_paths let Wagtail tell the two site roots apart.
            slug=content["slug"],
            url_path=f"/{content['slug']}/",
            content_type=content_type,
            path=f"0001{position:04d}",
            depth=2,
            numchild=0,
            live=True,
            first_published_at=now,
            last_published_at=now,
            locale=locale,
            translation_key=translation_key,
        )
    Page.objects.filter(depth=1).update(numchild=2)
    home = HomePage.objects.get(locale=english, depth=2)
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True, site_name="OCIP"
    )


def remove_home_pages(apps, schema_editor):
    apps.get_model("cms.HomePage").objects.filter(depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
    ]

    operations = [migrations.RunPython(create_home_pages, remove_home_pages)]
