"""The public site's demo pages, in English and French, made through Wagtail's own API.

`public_pages_load()` is idempotent: a page is found by its English slug under its parent, its
French translation by the English page's translation_key; what exists is left as it is (an
editor's change survives a second run), only what is missing is created and published.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page

from matching.models import ExpertiseProfile, Institution
from projects.models import Project

from .models import HomePage, NewsIndexPage, NewsPage, StandardPage, StoryIndexPage, StoryPage

NBSP = "\u00a0"


def french(text: str) -> str:
    """French typography: a non-breaking space before : ; ? ! and inside « »."""
    text = re.sub(r" ([:;?!])", NBSP + r"\1", text)
    text = text.replace(" %", NBSP + "%")
    return text.replace("« ", "«" + NBSP).replace(" »", NBSP + "»")


# Blocks of a page body (the raw form of cms.blocks.BodyBlock).
def heading(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def call_to_action(
    title: str, text: str, link_text: str, *, site_link: str = "", url: str = ""
) -> dict:
    return {
        "type": "call_to_action",
        "value": {
            "heading": title,
            "text": text,
            "link_text": link_text,
            "page": None,
            "site_link": site_link,
            "url": url,
        },
    }


def quote(text: str, attribution: str, role: str = "") -> dict:
    return {"type": "quote", "value": {"quote": text, "attribution": attribution, "role": role}}


def key_figures(title: str, figures: list[tuple[str, str]]) -> dict:
    return {
        "type": "key_figures",
        "value": {"heading": title, "figures": [{"value": v, "label": lbl} for v, lbl in figures]},
    }


def funding_programs(title: str, intro: str) -> dict:
    return {"type": "funding_programs", "value": {"heading": title, "intro": intro}}


@dataclass
class Text:
    """One language's version of a page."""

    slug: str
    title: str
    intro: str = ""  # the introduction, or the summary of a story or news item
    body: list[dict] = field(default_factory=list)
    search_description: str = ""
    institution_name: str = ""


@dataclass
class Spec:
    model: type[Page]
    en: Text
    fr: Text
    in_menu: bool = False
    in_footer: bool = False
    date: date | None = None
    children: list[Spec] = field(default_factory=list)


def _fr_text(text: Text) -> Text:
    """The French version with French typography everywhere."""

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return french(value)
        if isinstance(value, list):
            return [fix(item) for item in value]
        if isinstance(value, dict):
            return {
                key: fix(item) if key not in ("site_link", "url") else item
                for key, item in value.items()
            }
        return value

    return Text(
        slug=text.slug,
        title=fix(text.title),
        intro=fix(text.intro),
        body=fix(text.body),
        search_description=fix(text.search_description),
        institution_name=text.institution_name,
    )


# ---------------------------------------------------------------------------------------------
# How it works


def _how_it_works(counts: dict[str, int]) -> Spec:
    figures_en = [
        (str(counts["institutions"]), "member colleges, universities and Indigenous institutes"),
        (
            str(counts["profiles"]),
            "public expertise profiles: labs, researchers, centres, programs",
        ),
        (str(counts["programs"]), "funding programs checked for your project"),
    ]
    figures_fr = [
        (str(counts["institutions"]), "collèges, universités et instituts autochtones membres"),
        (
            str(counts["profiles"]),
            "profils d'expertise publics : laboratoires, chercheurs, centres, programmes",
        ),
        (str(counts["programs"]), "programmes de financement vérifiés pour votre projet"),
    ]
    return Spec(
        StandardPage,
        Text(
            "how-it-works",
            "How OCIP works",
            "OCIP is one front door to the applied research of Ontario's public colleges, "
            "universities and Indigenous institutes. Businesses describe a challenge once; "
            "research offices answer; students learn on real projects.",
            [
                key_figures("OCIP in figures", figures_en),
                heading("Four steps from a challenge to a project"),
                paragraph(
                    "<ol><li><p><b>Describe your challenge.</b> The innovation diagnostic asks "
                    "about your project in plain words: what you want to achieve, how far along "
                    "you are, what you can invest.</p></li>"
                    "<li><p><b>See who can help.</b> OCIP ranks the public expertise profiles of "
                    "every member institution for your challenge and says why each one fits.</p>"
                    "</li><li><p><b>Find the funding.</b> The same answers are checked against "
                    "the rules of each funding program, with an estimate of what it could pay."
                    "</p></li><li><p><b>Start the project.</b> You ask for an introduction; the "
                    "institution's research office answers within a few business days.</p></li>"
                    "</ol>"
                ),
                paragraph(
                    "<p>OCIP is free for businesses. Institutions decide what they publish, and "
                    "nothing a business writes in its diagnostic is ever shown in public.</p>"
                ),
            ],
            "How Ontario businesses reach the applied research of public colleges, "
            "universities and Indigenous institutes through OCIP.",
        ),
        Text(
            "comment-ca-marche",
            "Comment fonctionne la PCIO",
            "La PCIO est une porte d'entrée unique vers la recherche appliquée des collèges, "
            "universités et instituts autochtones publics de l'Ontario. Les entreprises décrivent "
            "leur défi une seule fois ; les bureaux de recherche répondent ; les étudiantes et "
            "étudiants apprennent sur de vrais projets.",
            [
                key_figures("La PCIO en chiffres", figures_fr),
                heading("Quatre étapes d'un défi à un projet"),
                paragraph(
                    "<ol><li><p><b>Décrivez votre défi.</b> Le diagnostic d'innovation vous "
                    "interroge sur votre projet en mots simples : ce que vous voulez accomplir, "
                    "où vous en êtes, ce que vous pouvez investir.</p></li>"
                    "<li><p><b>Voyez qui peut vous aider.</b> La PCIO classe les profils "
                    "d'expertise publics de chaque établissement membre selon votre défi et "
                    "explique pourquoi chacun convient.</p></li>"
                    "<li><p><b>Trouvez le financement.</b> Les mêmes réponses sont vérifiées "
                    "selon les règles de chaque programme de financement, avec une estimation de "
                    "ce qu'il pourrait payer.</p></li>"
                    "<li><p><b>Lancez le projet.</b> Vous demandez une mise en relation ; le "
                    "bureau de recherche de l'établissement répond en quelques jours ouvrables."
                    "</p></li></ol>"
                ),
                paragraph(
                    "<p>La PCIO est gratuite pour les entreprises. Les établissements décident de "
                    "ce qu'ils publient, et rien de ce qu'une entreprise écrit dans son diagnostic "
                    "n'est jamais rendu public.</p>"
                ),
            ],
            "Comment les entreprises de l'Ontario accèdent à la recherche appliquée des "
            "collèges, universités et instituts autochtones publics grâce à la PCIO.",
        ),
        in_menu=True,
        children=[_for_businesses(), _for_institutions(), _for_students()],
    )


def _for_businesses() -> Spec:
    return Spec(
        StandardPage,
        Text(
            "for-businesses",
            "For businesses",
            "Bring a problem you cannot solve alone: a prototype to test, a process to automate, "
            "a product to make last longer. OCIP finds the lab, the experts and the funding.",
            [
                heading("What you get"),
                paragraph(
                    "<ul><li><p>A diagnostic of your innovation project, saved as you go, that "
                    "tells you how ready it is and what to do next.</p></li>"
                    "<li><p>A ranked list of labs, researchers, applied research centres and "
                    "student programs that fit your challenge, with the reasons.</p></li>"
                    "<li><p>The funding programs you may be eligible for (Mitacs, OCI, NRC IRAP, "
                    "NSERC, SR&amp;ED and more) and roughly how much each could pay.</p></li>"
                    "<li><p>Introductions to research offices, who answer every request.</p>"
                    "</li></ul>"
                ),
                heading("What it costs"),
                paragraph(
                    "<p>Using OCIP is free. A research project has a budget you agree with the "
                    "institution; funding programs often pay half or more of it.</p>"
                ),
                call_to_action(
                    "Start with the diagnostic",
                    "Create an account for your business and describe your challenge.",
                    "Sign up as a business",
                    site_link="account_signup",
                ),
                call_to_action(
                    "Browse the expertise first",
                    "Every institution's public expertise, without an account.",
                    "Open the expertise directory",
                    site_link="directory",
                ),
            ],
        ),
        Text(
            "pour-les-entreprises",
            "Pour les entreprises",
            "Apportez un problème que vous ne pouvez pas résoudre seuls : un prototype à "
            "tester, un procédé à automatiser, un produit à conserver plus longtemps. La PCIO "
            "trouve le laboratoire, les experts et le financement.",
            [
                heading("Ce que vous obtenez"),
                paragraph(
                    "<ul><li><p>Un diagnostic de votre projet d'innovation, enregistré à mesure, "
                    "qui vous dit où il en est et quoi faire ensuite.</p></li>"
                    "<li><p>Une liste classée de laboratoires, de chercheurs, de centres de "
                    "recherche appliquée et de programmes étudiants adaptés à votre défi, avec "
                    "les raisons.</p></li>"
                    "<li><p>Les programmes de financement auxquels vous pourriez être admissible "
                    "(Mitacs, OCI, PARI-CNRC, CRSNG, RS&amp;DE et plus) et environ combien "
                    "chacun pourrait payer.</p></li>"
                    "<li><p>Des mises en relation avec les bureaux de recherche, qui répondent à "
                    "chaque demande.</p></li></ul>"
                ),
                heading("Ce que ça coûte"),
                paragraph(
                    "<p>La PCIO est gratuite. Un projet de recherche a un budget que vous "
                    "convenez avec l'établissement ; les programmes de financement en paient "
                    "souvent la moitié ou plus.</p>"
                ),
                call_to_action(
                    "Commencez par le diagnostic",
                    "Créez un compte pour votre entreprise et décrivez votre défi.",
                    "S'inscrire comme entreprise",
                    site_link="account_signup",
                ),
                call_to_action(
                    "Parcourez d'abord l'expertise",
                    "L'expertise publique de chaque établissement, sans compte.",
                    "Ouvrir le répertoire d'expertise",
                    site_link="directory",
                ),
            ],
        ),
        in_menu=True,
    )


def _for_institutions() -> Spec:
    return Spec(
        StandardPage,
        Text(
            "for-institutions",
            "For institutions",
            "Research offices publish their expertise once and receive requests from "
            "businesses whose challenge fits, already described and with the funding in view.",
            [
                heading("What your office does on OCIP"),
                paragraph(
                    "<ul><li><p>Publish expertise profiles: labs, researchers, applied research "
                    "centres, equipment and student programs. You choose what is public, and "
                    "can write each profile in English, in French or both.</p></li>"
                    "<li><p>Answer introduction requests within the service level your "
                    "institution set: accept, ask a question, refer to a colleague elsewhere or "
                    "decline with a reason.</p></li>"
                    "<li><p>Run projects with their funding applications, and issue "
                    "micro-credentials to the students who took part.</p></li></ul>"
                ),
                paragraph(
                    "<p>Public colleges, universities and Indigenous institutes of Ontario can "
                    "join. Write to us to set up your office's accounts.</p>"
                ),
                call_to_action(
                    "See the member institutions",
                    "Each member's public profiles and micro-credentials.",
                    "Member institutions",
                    site_link="public_institution_list",
                ),
            ],
        ),
        Text(
            "pour-les-etablissements",
            "Pour les établissements",
            "Les bureaux de recherche publient leur expertise une fois et reçoivent les demandes "
            "des entreprises dont le défi leur correspond, déjà décrit et avec le financement en "
            "vue.",
            [
                heading("Ce que fait votre bureau sur la PCIO"),
                paragraph(
                    "<ul><li><p>Publier des profils d'expertise : laboratoires, chercheurs, "
                    "centres de recherche appliquée, équipements et programmes étudiants. Vous "
                    "choisissez ce qui est public et pouvez rédiger chaque profil en anglais, en "
                    "français ou dans les deux langues.</p></li>"
                    "<li><p>Répondre aux demandes de mise en relation dans le délai fixé par "
                    "votre établissement : accepter, poser une question, diriger vers une ou un "
                    "collègue ailleurs ou refuser en donnant la raison.</p></li>"
                    "<li><p>Mener les projets et leurs demandes de financement, et délivrer des "
                    "microcertifications aux étudiantes et étudiants qui y ont participé.</p>"
                    "</li></ul>"
                ),
                paragraph(
                    "<p>Les collèges, universités et instituts autochtones publics de l'Ontario "
                    "peuvent adhérer. Écrivez-nous pour créer les comptes de votre bureau.</p>"
                ),
                call_to_action(
                    "Voir les établissements membres",
                    "Les profils publics et les microcertifications de chaque membre.",
                    "Établissements membres",
                    site_link="public_institution_list",
                ),
            ],
        ),
        in_menu=True,
    )


def _for_students() -> Spec:
    return Spec(
        StandardPage,
        Text(
            "for-students",
            "For students",
            "Work on a real business's project with your professors, and leave with a "
            "micro-credential the business endorses.",
            [
                heading("How students take part"),
                paragraph(
                    "<p>When a project starts, the research office invites the students who "
                    "will work on it. Each project names the skills it builds; when you "
                    "complete your part, the institution issues a micro-credential that "
                    "anyone can verify, and that you keep in your wallet on OCIP.</p>"
                ),
                paragraph(
                    "<p>Ask your institution's research office or applied research centre "
                    "which projects are recruiting.</p>"
                ),
                call_to_action(
                    "See what students earn",
                    "The catalogue of micro-credentials issued on applied research projects.",
                    "Browse the micro-credentials",
                    site_link="catalogue",
                ),
            ],
        ),
        Text(
            "pour-les-etudiants",
            "Pour les étudiantes et étudiants",
            "Travaillez au projet d'une vraie entreprise avec vos professeurs, et repartez avec "
            "une microcertification que l'entreprise endosse.",
            [
                heading("Comment les étudiantes et étudiants participent"),
                paragraph(
                    "<p>Quand un projet commence, le bureau de recherche invite les étudiantes et "
                    "étudiants qui y travailleront. Chaque projet nomme les compétences qu'il "
                    "développe ; quand vous terminez votre part, l'établissement délivre une "
                    "microcertification que tout le monde peut vérifier et que vous conservez "
                    "dans votre portefeuille sur la PCIO.</p>"
                ),
                paragraph(
                    "<p>Demandez au bureau de recherche ou au centre de recherche appliquée de "
                    "votre établissement quels projets recrutent.</p>"
                ),
                call_to_action(
                    "Voyez ce que les étudiants obtiennent",
                    "Le catalogue des microcertifications délivrées sur des projets de "
                    "recherche appliquée.",
                    "Parcourir les microcertifications",
                    site_link="catalogue",
                ),
            ],
        ),
        in_menu=True,
    )


# ---------------------------------------------------------------------------------------------
# Success stories, from the demo projects (public facts only: institution, field, outcome)

STORIES: dict[str, tuple[Text, Text]] = {
    "Drone-based inspection of machined parts": (
        Text(
            "drone-inspection-of-machined-parts",
            "A drone that inspects machined parts on the shop floor",
            "A small Ottawa robotics firm and a college's applied research team are testing "
            "automated inspection with a drone-mounted camera in two machine shops.",
            [
                heading("The challenge"),
                paragraph(
                    "<p>Checking machined parts by hand is slow, and a missed defect costs a "
                    "customer. The company wanted to know whether a camera on a small indoor "
                    "drone could inspect about 400 parts a day where they are made.</p>"
                ),
                heading("The work"),
                paragraph(
                    "<p>The college's robotics and computer vision researchers, with students "
                    "from its engineering technology programs, are building the inspection "
                    "flight paths and the image analysis, and testing them in the shops.</p>"
                ),
                quote(
                    "The research office asked the right questions before saying yes, and a "
                    "week later we had a team.",
                    "The company's founder",
                ),
            ],
        ),
        Text(
            "inspection-par-drone-de-pieces-usinees",
            "Un drone qui inspecte les pièces usinées à l'atelier",
            "Une petite entreprise de robotique d'Ottawa et l'équipe de recherche appliquée "
            "d'un collège mettent à l'essai l'inspection automatisée par une caméra montée sur "
            "drone dans deux ateliers d'usinage.",
            [
                heading("Le défi"),
                paragraph(
                    "<p>Vérifier les pièces usinées à la main est lent, et un défaut manqué coûte "
                    "un client. L'entreprise voulait savoir si une caméra sur un petit drone "
                    "d'intérieur pouvait inspecter environ 400 pièces par jour là où elles sont "
                    "fabriquées.</p>"
                ),
                heading("Le travail"),
                paragraph(
                    "<p>Les chercheurs du collège en robotique et en vision par ordinateur, avec "
                    "des étudiantes et étudiants de ses programmes de technologie du génie, "
                    "conçoivent les trajectoires de vol et l'analyse d'images, et les mettent à "
                    "l'essai dans les ateliers.</p>"
                ),
                quote(
                    "Le bureau de recherche a posé les bonnes questions avant de dire oui, et "
                    "une semaine plus tard nous avions une équipe.",
                    "Le fondateur de l'entreprise",
                ),
            ],
        ),
    ),
    "Surface defect detection on aluminium parts": (
        Text(
            "surface-defects-on-aluminium-parts",
            "Finding surface defects on small aluminium parts",
            "Referred by one college to another whose vision lab had the right equipment, a "
            "manufacturer is training a camera system to spot scratches and dents.",
            [
                heading("A referral that worked"),
                paragraph(
                    "<p>The first college the company asked did not have a machine vision lab "
                    "free, so its research office referred the request to another member "
                    "institution, where a lab with industrial cameras and lighting took it on.</p>"
                ),
                heading("The outcome so far"),
                paragraph(
                    "<p>The team has collected and labelled images of good and faulty parts and "
                    "is training a model to sort them. Students on the project earn a "
                    "micro-credential in applied machine vision.</p>"
                ),
            ],
        ),
        Text(
            "defauts-de-surface-sur-pieces-d-aluminium",
            "Détecter les défauts de surface de petites pièces d'aluminium",
            "Dirigé par un collège vers un autre dont le laboratoire de vision avait le bon "
            "équipement, un fabricant entraîne un système de caméras à repérer rayures et bosses.",
            [
                heading("Une référence qui a porté fruit"),
                paragraph(
                    "<p>Le premier collège sollicité n'avait pas de laboratoire de vision "
                    "artificielle disponible ; son bureau de recherche a donc dirigé la demande "
                    "vers un autre établissement membre, où un laboratoire doté de caméras et "
                    "d'éclairages industriels l'a prise en charge.</p>"
                ),
                heading("Les résultats à ce jour"),
                paragraph(
                    "<p>L'équipe a recueilli et annoté des images de pièces conformes et "
                    "défectueuses et entraîne un modèle pour les trier. Les étudiantes et "
                    "étudiants du projet obtiennent une microcertification en vision "
                    "artificielle appliquée.</p>"
                ),
            ],
        ),
    ),
    "Preservative-free bread": (
        Text(
            "preservative-free-bread",
            "Bread that stays fresh without preservatives",
            "A family bakery and a French-language college's food science team are working on "
            "recipes and packaging that keep bread fresh longer, naturally.",
            [
                heading("The challenge"),
                paragraph(
                    "<p>The bakery wanted its loaves to keep a few more days on store shelves "
                    "without adding preservatives its customers do not want.</p>"
                ),
                heading("The work"),
                paragraph(
                    "<p>Food science researchers and students are testing natural leavening, "
                    "baking profiles and packaging, and measuring how long each version "
                    "stays fresh. The project is run in French from start to finish.</p>"
                ),
            ],
        ),
        Text(
            "pain-sans-agents-de-conservation",
            "Un pain qui reste frais sans agents de conservation",
            "Une boulangerie familiale et l'équipe de sciences des aliments d'un collège de "
            "langue française travaillent à des recettes et des emballages qui gardent le pain "
            "frais plus longtemps, naturellement.",
            [
                heading("Le défi"),
                paragraph(
                    "<p>La boulangerie voulait que ses pains se conservent quelques jours de plus "
                    "en magasin sans ajouter d'agents de conservation dont ses clients ne veulent "
                    "pas.</p>"
                ),
                heading("Le travail"),
                paragraph(
                    "<p>Des chercheurs et des étudiantes et étudiants en sciences des aliments "
                    "mettent à l'essai le levain naturel, les profils de cuisson et les "
                    "emballages, et mesurent combien de temps chaque version reste fraîche. Le "
                    "projet se déroule en français du début à la fin.</p>"
                ),
            ],
        ),
    ),
}
STORY_TITLES_FR = {"Pain sans agents de conservation": "Preservative-free bread"}


def _stories() -> Spec:
    children = []
    projects = Project.objects.select_related("institution").order_by("start_date", "pk")
    seen = set()
    for project in projects:
        key = STORY_TITLES_FR.get(project.title, project.title)
        if key not in STORIES or key in seen:
            continue
        seen.add(key)
        en, fr = STORIES[key]
        en = Text(**{**en.__dict__, "institution_name": project.institution.name_in("en")})
        fr = Text(**{**fr.__dict__, "institution_name": project.institution.name_in("fr")})
        children.append(Spec(StoryPage, en, fr, date=project.start_date))
    return Spec(
        StoryIndexPage,
        Text(
            "success-stories",
            "Success stories",
            "Businesses and Ontario's colleges, universities and Indigenous institutes, working "
            "together on real problems.",
        ),
        Text(
            "histoires-de-reussite",
            "Histoires de réussite",
            "Des entreprises et des collèges, universités et instituts autochtones de l'Ontario "
            "qui travaillent ensemble sur de vrais problèmes.",
        ),
        in_menu=True,
        children=children,
    )


# ---------------------------------------------------------------------------------------------
# News


def _news(today: date) -> Spec:
    items = [
        (
            30,
            Text(
                "ocip-opens-to-all-ontario-businesses",
                "OCIP opens to all Ontario businesses",
                "Any Ontario business can now describe its innovation challenge and be matched "
                "with the expertise of the province's public colleges, universities and "
                "Indigenous institutes.",
                [
                    paragraph(
                        "<p>After its pilot, OCIP is open to every Ontario business, whatever "
                        "its size or sector. The innovation diagnostic is available in English "
                        "and in French, and the matches, funding estimates and introductions "
                        "are free.</p>"
                    ),
                    call_to_action(
                        "Describe your challenge",
                        "",
                        "Sign up as a business",
                        site_link="account_signup",
                    ),
                ],
            ),
            Text(
                "la-pcio-ouverte-a-toutes-les-entreprises",
                "La PCIO s'ouvre à toutes les entreprises de l'Ontario",
                "Toute entreprise de l'Ontario peut désormais décrire son défi d'innovation et "
                "être jumelée à l'expertise des collèges, universités et instituts autochtones "
                "publics de la province.",
                [
                    paragraph(
                        "<p>Après son projet pilote, la PCIO est ouverte à toutes les entreprises "
                        "de l'Ontario, quels que soient leur taille et leur secteur. Le "
                        "diagnostic d'innovation est offert en français et en anglais, et les "
                        "correspondances, les estimations de financement et les mises en "
                        "relation sont gratuites.</p>"
                    ),
                    call_to_action(
                        "Décrivez votre défi",
                        "",
                        "S'inscrire comme entreprise",
                        site_link="account_signup",
                    ),
                ],
            ),
        ),
        (
            14,
            Text(
                "public-expertise-directory",
                "The expertise directory is now public",
                "Anyone can now browse and search the expertise that member institutions "
                "publish, without an account, in English and in French.",
                [
                    paragraph(
                        "<p>Search by words in either language, capability area, sector, "
                        "region, institution or language of service. Each profile shows what "
                        "the lab or team offers, its equipment and past projects.</p>"
                    ),
                    call_to_action(
                        "Find a lab",
                        "",
                        "Open the expertise directory",
                        site_link="directory",
                    ),
                ],
            ),
            Text(
                "repertoire-d-expertise-public",
                "Le répertoire d'expertise est maintenant public",
                "Tout le monde peut maintenant parcourir et chercher l'expertise que publient "
                "les établissements membres, sans compte, en français et en anglais.",
                [
                    paragraph(
                        "<p>Cherchez par mots dans l'une ou l'autre langue, par domaine de "
                        "compétence, secteur, région, établissement ou langue de service. Chaque "
                        "profil présente ce qu'offre le laboratoire ou l'équipe, ses équipements "
                        "et ses projets passés.</p>"
                    ),
                    call_to_action(
                        "Trouver un laboratoire",
                        "",
                        "Ouvrir le répertoire d'expertise",
                        site_link="directory",
                    ),
                ],
            ),
        ),
        (
            3,
            Text(
                "funding-guide-published",
                "A plain-language funding guide",
                "One page per funding program: who it is for, what it pays, how it combines "
                "with others, and the rules our diagnostic checks.",
                [
                    paragraph(
                        "<p>The guide reads the same data as the matching engine, so what it "
                        "says is what the diagnostic applies. Program and sponsor names appear "
                        "in your language.</p>"
                    ),
                    call_to_action(
                        "Read the funding guide",
                        "",
                        "Funding guide",
                        site_link="funding_guide",
                    ),
                ],
            ),
            Text(
                "guide-du-financement-publie",
                "Un guide du financement en langage clair",
                "Une page par programme de financement : à qui il s'adresse, ce qu'il paie, "
                "comment il se combine aux autres et les règles que vérifie notre diagnostic.",
                [
                    paragraph(
                        "<p>Le guide lit les mêmes données que le moteur de jumelage : ce qu'il "
                        "dit est ce que le diagnostic applique. Les noms des programmes et des "
                        "organismes paraissent dans votre langue.</p>"
                    ),
                    call_to_action(
                        "Lire le guide du financement",
                        "",
                        "Guide du financement",
                        site_link="funding_guide",
                    ),
                ],
            ),
        ),
    ]
    return Spec(
        NewsIndexPage,
        Text("news", "News", "What is new on OCIP."),
        Text("nouvelles", "Nouvelles", "Les nouveautés de la PCIO."),
        in_menu=True,
        children=[
            Spec(NewsPage, en, fr, date=today - timedelta(days=days)) for days, en, fr in items
        ],
    )


# ---------------------------------------------------------------------------------------------
# Funding partners, accessibility, privacy, contact


def _funding_partners() -> Spec:
    return Spec(
        StandardPage,
        Text(
            "funding-partners",
            "Funding partners",
            "Federal and provincial agencies, and not-for-profit partners, pay for much of the "
            "research businesses do with Ontario's institutions.",
            [
                paragraph(
                    "<p>OCIP checks your project against the rules of each program below, from "
                    "the answers of your diagnostic. The list shows the programs whose intake is "
                    "confirmed; it is the same list the matching engine reads.</p>"
                ),
                funding_programs(
                    "Programs OCIP checks for you",
                    "Open a program for who it is for, what it pays and how it combines with "
                    "the others.",
                ),
                call_to_action(
                    "Which ones fit your project?",
                    "The diagnostic checks every program's rules against your answers.",
                    "Check my eligibility",
                    site_link="account_signup",
                ),
            ],
        ),
        Text(
            "partenaires-financiers",
            "Partenaires financiers",
            "Des organismes fédéraux et provinciaux et des partenaires sans but lucratif paient "
            "une grande part de la recherche que les entreprises mènent avec les établissements "
            "de l'Ontario.",
            [
                paragraph(
                    "<p>La PCIO vérifie votre projet selon les règles de chacun des programmes "
                    "ci-dessous, à partir des réponses de votre diagnostic. La liste présente les "
                    "programmes dont l'appel est confirmé ; c'est la liste même que lit le moteur "
                    "de jumelage.</p>"
                ),
                funding_programs(
                    "Les programmes que la PCIO vérifie pour vous",
                    "Ouvrez un programme pour savoir à qui il s'adresse, ce qu'il paie et comment "
                    "il se combine aux autres.",
                ),
                call_to_action(
                    "Lesquels conviennent à votre projet ?",
                    "Le diagnostic vérifie les règles de chaque programme selon vos réponses.",
                    "Vérifier mon admissibilité",
                    site_link="account_signup",
                ),
            ],
        ),
        in_footer=True,  # the header's "Funding" leads to the funding guide
    )


def _accessibility(email: str) -> Spec:
    mail = f'<a href="mailto:{email}">{email}</a>'
    return Spec(
        StandardPage,
        Text(
            "accessibility",
            "Accessibility statement",
            "OCIP is built to be used by everyone, including people who use a screen reader, "
            "a keyboard, magnification or voice control.",
            [
                heading("Our standard"),
                paragraph(
                    "<p>We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at "
                    "level AA, the standard the Accessibility for Ontarians with Disabilities Act "
                    "(AODA) sets for public websites. Every page is checked with automated tools "
                    "and by hand with a keyboard and a screen reader before it is released.</p>"
                ),
                heading("What you can expect"),
                paragraph(
                    "<ul><li><p>Every page works with a keyboard alone and without JavaScript."
                    "</p></li><li><p>Every page is available in English and in French, and "
                    "text in the other language is marked so screen readers pronounce it "
                    "correctly.</p></li><li><p>Pages fit a phone's screen without scrolling "
                    "sideways, and text can be enlarged to 200%.</p></li>"
                    "<li><p>Forms say what is wrong and where, in words and not only in colour."
                    "</p></li></ul>"
                ),
                heading("Known limitations"),
                paragraph(
                    "<p>Some expertise profiles are written by institutions in one language "
                    "only; they are shown in that language, marked as such. Documents that "
                    "institutions upload may not all be accessible: ask us for another format.</p>"
                ),
                heading("Report a barrier"),
                paragraph(
                    f"<p>If something on OCIP is hard or impossible for you to use, write to "
                    f"{mail}. Tell us the page and what happened. We answer within two business "
                    f"days, and we can give you the information in another format in the "
                    f"meantime.</p>"
                ),
            ],
        ),
        Text(
            "accessibilite",
            "Déclaration d'accessibilité",
            "La PCIO est conçue pour être utilisée par tout le monde, y compris les personnes "
            "qui utilisent un lecteur d'écran, un clavier, un agrandisseur ou la commande vocale.",
            [
                heading("Notre norme"),
                paragraph(
                    "<p>Nous visons la conformité aux Règles pour l'accessibilité des contenus "
                    "Web (WCAG) 2.1, niveau AA, la norme que la Loi sur l'accessibilité pour les "
                    "personnes handicapées de l'Ontario (LAPHO) fixe pour les sites Web publics. "
                    "Chaque page est vérifiée avec des outils automatisés et à la main, au "
                    "clavier et avec un lecteur d'écran, avant sa mise en ligne.</p>"
                ),
                heading("Ce à quoi vous pouvez vous attendre"),
                paragraph(
                    "<ul><li><p>Chaque page fonctionne au clavier seul et sans JavaScript.</p>"
                    "</li><li><p>Chaque page est offerte en français et en anglais, et le texte "
                    "dans l'autre langue est signalé pour que les lecteurs d'écran le prononcent "
                    "correctement.</p></li><li><p>Les pages s'adaptent à l'écran d'un téléphone "
                    "sans défilement horizontal, et le texte peut être agrandi à 200 %.</p>"
                    "</li><li><p>Les formulaires disent ce qui ne va pas et où, en mots et pas "
                    "seulement par la couleur.</p></li></ul>"
                ),
                heading("Limites connues"),
                paragraph(
                    "<p>Certains profils d'expertise sont rédigés par les établissements dans "
                    "une seule langue ; ils sont affichés dans cette langue, signalée comme "
                    "telle. Les documents que téléversent les établissements ne sont peut-être "
                    "pas tous accessibles : demandez-nous un autre format.</p>"
                ),
                heading("Signaler un obstacle"),
                paragraph(
                    f"<p>Si quelque chose sur la PCIO vous est difficile ou impossible à "
                    f"utiliser, écrivez à {mail}. Indiquez la page et ce qui s'est passé. Nous "
                    f"répondons dans un délai de deux jours ouvrables et pouvons vous fournir "
                    f"l'information dans un autre format entre-temps.</p>"
                ),
            ],
        ),
        in_footer=True,
    )


def _privacy(email: str) -> Spec:
    mail = f'<a href="mailto:{email}">{email}</a>'
    return Spec(
        StandardPage,
        Text(
            "privacy",
            "Privacy",
            "What OCIP collects, why, who sees it, how long we keep it, and your rights.",
            [
                heading("What we collect"),
                paragraph(
                    "<ul><li><p><b>Your account:</b> your name, email address, language and "
                    "password (stored only as a secure hash).</p></li>"
                    "<li><p><b>Your business and its diagnostic:</b> what you tell us about your "
                    "business and your innovation project, to match it with expertise and "
                    "funding.</p></li>"
                    "<li><p><b>Requests and projects:</b> the messages you exchange with "
                    "research offices.</p></li>"
                    "<li><p><b>Visiting the public pages:</b> nothing that identifies you. We set "
                    "no advertising or tracking cookies.</p></li></ul>"
                ),
                heading("Who sees it"),
                paragraph(
                    "<p>A diagnostic is seen by your business's own members. When you ask for an "
                    "introduction, the research office you chose sees your request and what you "
                    "decided to share with it. Nothing about a business, a request or a "
                    "diagnostic ever appears on a public page. We do not sell or rent personal "
                    "information.</p>"
                ),
                heading("Why, and on what basis"),
                paragraph(
                    "<p>We use your information only to provide the service you signed up for, "
                    "with your consent, in line with Canada's Personal Information Protection "
                    "and Electronic Documents Act (PIPEDA) and, for the institutions, Ontario's "
                    "Freedom of Information and Protection of Privacy Act (FIPPA).</p>"
                ),
                heading("How long we keep it"),
                paragraph(
                    "<p>We keep your account and your business's records while the account is "
                    "open. When you close it, we delete or anonymise your personal information "
                    "within 90 days, except what the law or a funded project's audit requires "
                    "us to keep, and only for as long as it requires.</p>"
                ),
                heading("Your rights and how to reach us"),
                paragraph(
                    f"<p>You can see and correct your information from your profile, ask for a "
                    f"copy of it or ask us to delete it. Write to our privacy officer at {mail}. "
                    f"If you are not satisfied with our answer, you can complain to the Office "
                    f"of the Privacy Commissioner of Canada.</p>"
                ),
            ],
        ),
        Text(
            "confidentialite",
            "Confidentialité",
            "Ce que la PCIO recueille, pourquoi, qui le voit, combien de temps nous le "
            "conservons, et vos droits.",
            [
                heading("Ce que nous recueillons"),
                paragraph(
                    "<ul><li><p><b>Votre compte :</b> votre nom, votre adresse courriel, votre "
                    "langue et votre mot de passe (conservé uniquement sous forme de hachage "
                    "sécurisé).</p></li>"
                    "<li><p><b>Votre entreprise et son diagnostic :</b> ce que vous nous dites de "
                    "votre entreprise et de votre projet d'innovation, pour le jumeler à de "
                    "l'expertise et à du financement.</p></li>"
                    "<li><p><b>Demandes et projets :</b> les messages que vous échangez avec les "
                    "bureaux de recherche.</p></li>"
                    "<li><p><b>Consultation des pages publiques :</b> rien qui vous identifie. "
                    "Nous n'utilisons aucun témoin publicitaire ou de suivi.</p></li></ul>"
                ),
                heading("Qui le voit"),
                paragraph(
                    "<p>Un diagnostic est vu par les membres de votre entreprise. Quand vous "
                    "demandez une mise en relation, le bureau de recherche choisi voit votre "
                    "demande et ce que vous avez décidé de lui communiquer. Rien sur une "
                    "entreprise, une demande ou un diagnostic ne paraît jamais sur une page "
                    "publique. Nous ne vendons ni ne louons aucun renseignement personnel.</p>"
                ),
                heading("Pourquoi, et sur quelle base"),
                paragraph(
                    "<p>Nous utilisons vos renseignements uniquement pour fournir le service "
                    "auquel vous vous êtes inscrit, avec votre consentement, conformément à la "
                    "Loi sur la protection des renseignements personnels et les documents "
                    "électroniques (LPRPDE) du Canada et, pour les établissements, à la Loi sur "
                    "l'accès à l'information et la protection de la vie privée (LAIPVP) de "
                    "l'Ontario.</p>"
                ),
                heading("Combien de temps nous le conservons"),
                paragraph(
                    "<p>Nous conservons votre compte et les dossiers de votre entreprise tant que "
                    "le compte est ouvert. Quand vous le fermez, nous supprimons ou anonymisons "
                    "vos renseignements personnels dans un délai de 90 jours, sauf ce que la loi "
                    "ou la vérification d'un projet financé nous oblige à garder, et seulement "
                    "pour la durée exigée.</p>"
                ),
                heading("Vos droits et comment nous joindre"),
                paragraph(
                    f"<p>Vous pouvez consulter et corriger vos renseignements dans votre profil, "
                    f"en demander une copie ou nous demander de les supprimer. Écrivez à notre "
                    f"responsable de la protection de la vie privée à {mail}. Si notre réponse "
                    f"ne vous satisfait pas, vous pouvez porter plainte auprès du Commissariat à "
                    f"la protection de la vie privée du Canada.</p>"
                ),
            ],
        ),
        in_footer=True,
    )


def _contact(email: str) -> Spec:
    mail = f'<a href="mailto:{email}">{email}</a>'
    return Spec(
        StandardPage,
        Text(
            "contact",
            "Contact us",
            "Questions about OCIP, your account, joining as an institution or an accessibility "
            "barrier: we answer within two business days, in English or in French.",
            [
                heading("Email"),
                paragraph(f"<p>{mail}</p>"),
                heading("Before you write"),
                paragraph(
                    "<ul><li><p>About a request you sent: answer it from your dashboard, where "
                    "the research office sees your message.</p></li>"
                    "<li><p>About a funding program: the funding guide explains each one's "
                    "rules.</p></li><li><p>About a micro-credential: anyone can verify one "
                    "from the link in the footer.</p></li></ul>"
                ),
            ],
        ),
        Text(
            "nous-joindre",
            "Nous joindre",
            "Des questions sur la PCIO, votre compte, l'adhésion d'un établissement ou un "
            "obstacle à l'accessibilité ? Nous répondons dans un délai de deux jours ouvrables, "
            "en français ou en anglais.",
            [
                heading("Courriel"),
                paragraph(f"<p>{mail}</p>"),
                heading("Avant d'écrire"),
                paragraph(
                    "<ul><li><p>Au sujet d'une demande que vous avez envoyée : répondez-y à "
                    "partir de votre tableau de bord, où le bureau de recherche voit votre "
                    "message.</p></li><li><p>Au sujet d'un programme de financement : le guide "
                    "du financement explique les règles de chacun.</p></li>"
                    "<li><p>Au sujet d'une microcertification : tout le monde peut la vérifier à "
                    "partir du lien en bas de page.</p></li></ul>"
                ),
            ],
        ),
        in_footer=True,
    )


def public_site() -> list[Spec]:
    """The pages under each home page, in menu order."""
    counts = {
        "institutions": Institution.objects.count(),
        "profiles": ExpertiseProfile.objects.filter(public=True, is_active=True).count(),
        "programs": _active_programs(),
    }
    email = settings.OCIP_CONTACT_EMAIL
    return [
        _how_it_works(counts),
        _stories(),
        _news(timezone.localdate()),
        _funding_partners(),
        _accessibility(email),
        _privacy(email),
        _contact(email),
    ]


def _active_programs() -> int:
    from matching.selectors import public_funding_programs

    return public_funding_programs().count()


# ---------------------------------------------------------------------------------------------
# Loading


def _fields(spec: Spec, text: Text) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": text.title,
        "slug": text.slug,
        "show_in_menus": spec.in_menu,
        "search_description": text.search_description,
    }
    if spec.model in (StoryPage, NewsPage):
        values.update(summary=text.intro, date=spec.date, body=json.dumps(text.body))
        if spec.model is StoryPage:
            values["institution_name"] = text.institution_name
    else:
        values["intro"] = text.intro
        if spec.model is StandardPage:
            values.update(body=json.dumps(text.body), show_in_footer=spec.in_footer)
    return values


def _create(parent: Page, spec: Spec, text: Text, locale: Locale, translation_key=None) -> Page:
    page = spec.model(locale=locale, **_fields(spec, text))
    if translation_key is not None:
        page.translation_key = translation_key
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _load(spec: Spec, en_parent: Page, fr_parent: Page, french_locale: Locale) -> int:
    created = 0
    en_page = en_parent.get_children().filter(slug=spec.en.slug).first()
    if en_page is None:
        en_page = _create(en_parent, spec, spec.en, en_parent.locale)
        created += 1
    fr_page = Page.objects.filter(
        translation_key=en_page.translation_key, locale=french_locale
    ).first()
    if fr_page is None:
        fr_page = _create(
            fr_parent, spec, _fr_text(spec.fr), french_locale, en_page.translation_key
        )
        created += 1
    for child in spec.children:
        created += _load(child, en_page, fr_page, french_locale)
    return created


def public_pages_load() -> int:
    """Create the public site's pages in English and French (only those missing); returns how
    many pages were created."""
    english_home = HomePage.objects.filter(locale__language_code="en").first()
    french_locale, _ = Locale.objects.get_or_create(language_code="fr")
    french_home = HomePage.objects.filter(locale=french_locale).first()
    if english_home is None or french_home is None:
        return 0
    created = 0
    with transaction.atomic():
        for spec in public_site():
            created += _load(spec, english_home, french_home, french_locale)
    return created
