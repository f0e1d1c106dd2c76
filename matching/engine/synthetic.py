"""Synthetic expertise profiles and challenges, for benchmarking the engine at scale.

Pure Python (no Django) and deterministic for a seed. The vocabulary is the platform's own:
capability areas, sectors, R&D stages and innovation types from the taxonomy, the words of the
diagnostic's capability lexicon (English and French), and the keywords, sentences, equipment
and past projects of the shipped expertise profiles (matching/data/expertise.jsonl), recombined
with connective text. Partner names and equipment model numbers add the rare words a large real
corpus has. Profiles belong to a fixed list of 56 invented institutions spread over the regions.

About one profile in ten is French-speaking and written in French; about 15% of the
challenges are in French.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from diagnostics.text import LEXICON_PATH, detect_language
from ocip.taxonomy import regions, taxonomy

from .types import Profile, Query

EXPERTISE_PATH = Path(__file__).resolve().parent.parent / "data" / "expertise.jsonl"
LANGS = ("en", "fr")
FRENCH_PROFILE_SHARE = 0.10
FRENCH_QUERY_SHARE = 0.15
SUMMARY_WORDS = (60, 120)
QUERY_WORDS = (80, 200)

# (slug, name, kind, region, languages): invented, about as many as the real catalogue.
INSTITUTIONS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("harbourfront", "Harbourfront College", "college", "Toronto", ("en",)),
    ("don-valley", "Don Valley College", "college", "Toronto", ("en",)),
    ("rouge-river", "Rouge River College", "college", "Toronto", ("en",)),
    ("etobicoke-poly", "Etobicoke Polytechnic", "college", "Toronto", ("en",)),
    ("ashbridge", "Ashbridge College", "college", "Toronto", ("en",)),
    ("queen-street", "Queen Street University", "university", "Toronto", ("en",)),
    ("lakeview", "Lakeview University", "university", "Toronto", ("en",)),
    ("high-park-tech", "High Park Institute of Technology", "university", "Toronto", ("en",)),
    ("universite-du-lac", "Université du Lac", "university", "Toronto", ("fr",)),
    (
        "carrying-place",
        "Carrying Place Indigenous Institute",
        "indigenous_institute",
        "Toronto",
        ("en",),
    ),
    ("rideau", "Rideau College", "college", "Ottawa", ("en",)),
    ("college-riviere", "Collège de la Rivière", "college", "Ottawa", ("fr",)),
    ("kanata-poly", "Kanata Polytechnic", "college", "Ottawa", ("en",)),
    ("bytown", "Bytown University", "university", "Ottawa", ("en", "fr")),
    ("champlain-u", "Champlain University", "university", "Ottawa", ("en",)),
    (
        "ottawa-river-ii",
        "Ottawa River Indigenous Institute",
        "indigenous_institute",
        "Ottawa",
        ("en",),
    ),
    ("limestone", "Limestone College", "college", "Kingston-Pembroke", ("en",)),
    ("pembroke-valley", "Pembroke Valley College", "college", "Kingston-Pembroke", ("en",)),
    ("frontenac", "Frontenac University", "university", "Kingston-Pembroke", ("en",)),
    ("thousand-islands", "Thousand Islands University", "university", "Kingston-Pembroke", ("en",)),
    (
        "quinte-ii",
        "Bay of Quinte Indigenous Institute",
        "indigenous_institute",
        "Kingston-Pembroke",
        ("en",),
    ),
    ("kawartha-lakes", "Kawartha Lakes College", "college", "Muskoka-Kawarthas", ("en",)),
    ("muskoka", "Muskoka College", "college", "Muskoka-Kawarthas", ("en",)),
    ("trent-highlands", "Trent Highlands University", "university", "Muskoka-Kawarthas", ("en",)),
    (
        "haliburton-ii",
        "Haliburton Indigenous Institute",
        "indigenous_institute",
        "Muskoka-Kawarthas",
        ("en",),
    ),
    (
        "grand-river-poly",
        "Grand River Polytechnic",
        "college",
        "Kitchener-Waterloo-Barrie",
        ("en",),
    ),
    ("kempenfelt", "Kempenfelt College", "college", "Kitchener-Waterloo-Barrie", ("en",)),
    ("laurel-creek", "Laurel Creek University", "university", "Kitchener-Waterloo-Barrie", ("en",)),
    ("huron-road", "Huron Road University", "university", "Kitchener-Waterloo-Barrie", ("en",)),
    (
        "speed-river-tech",
        "Speed River Institute of Technology",
        "university",
        "Kitchener-Waterloo-Barrie",
        ("en",),
    ),
    (
        "speed-river-ii",
        "Speed River Indigenous Institute",
        "indigenous_institute",
        "Kitchener-Waterloo-Barrie",
        ("en",),
    ),
    ("escarpment", "Escarpment College", "college", "Hamilton-Niagara Peninsula", ("en",)),
    ("niagara-bench", "Niagara Bench College", "college", "Hamilton-Niagara Peninsula", ("en",)),
    (
        "harbour-city",
        "Harbour City University",
        "university",
        "Hamilton-Niagara Peninsula",
        ("en",),
    ),
    (
        "welland-canal",
        "Welland Canal University",
        "university",
        "Hamilton-Niagara Peninsula",
        ("en",),
    ),
    (
        "burlington-bay",
        "Burlington Bay Polytechnic",
        "college",
        "Hamilton-Niagara Peninsula",
        ("en",),
    ),
    (
        "two-rivers-ii",
        "Two Rivers Indigenous Institute",
        "indigenous_institute",
        "Hamilton-Niagara Peninsula",
        ("en",),
    ),
    ("forest-city", "Forest City College", "college", "London", ("en",)),
    ("middlesex-poly", "Middlesex Polytechnic", "college", "London", ("en",)),
    ("thames-valley", "Thames Valley University", "university", "London", ("en",)),
    (
        "thames-river-ii",
        "Thames River Indigenous Institute",
        "indigenous_institute",
        "London",
        ("en",),
    ),
    ("detroit-river", "Detroit River College", "college", "Windsor-Sarnia", ("en",)),
    ("st-clair-shores", "St. Clair Shores College", "college", "Windsor-Sarnia", ("en",)),
    ("bluewater", "Bluewater University", "university", "Windsor-Sarnia", ("en",)),
    (
        "lambton-shores-ii",
        "Lambton Shores Indigenous Institute",
        "indigenous_institute",
        "Windsor-Sarnia",
        ("en",),
    ),
    ("nickel-belt", "Nickel Belt College", "college", "Northeast", ("en",)),
    ("college-du-nord", "Collège du Nord", "college", "Northeast", ("fr",)),
    ("temiskaming", "Temiskaming College", "college", "Northeast", ("en",)),
    ("grands-lacs", "Université des Grands Lacs", "university", "Northeast", ("en", "fr")),
    ("algoma-highlands", "Algoma Highlands University", "university", "Northeast", ("en",)),
    (
        "james-bay-ii",
        "James Bay Indigenous Institute",
        "indigenous_institute",
        "Northeast",
        ("en",),
    ),
    ("manitou-ii", "Manitou Indigenous Institute", "indigenous_institute", "Northeast", ("en",)),
    ("superior-north", "Superior North College", "college", "Northwest", ("en",)),
    ("kaministiquia", "Kaministiquia University", "university", "Northwest", ("en",)),
    ("rainy-river", "Rainy River University", "university", "Northwest", ("en",)),
    (
        "sioux-lookout-ii",
        "Sioux Lookout Indigenous Institute",
        "indigenous_institute",
        "Northwest",
        ("en",),
    ),
)
# Bigger regions hold more of the research capacity: weight of an institution's region.
REGION_WEIGHT = {"Toronto": 3.0, "Ottawa": 2.0, "Kitchener-Waterloo-Barrie": 2.0}
KIND_WEIGHTS = {"researcher": 45, "centre": 20, "lab": 15, "facility": 11, "program": 9}
CAPACITY_WEIGHTS = {None: 5, 0: 8, 1: 17, 2: 48, 3: 21, 4: 6}

TOWNS = (
    "Barrie",
    "Belleville",
    "Brantford",
    "Brockville",
    "Cambridge",
    "Chatham",
    "Cobourg",
    "Cornwall",
    "Elliot Lake",
    "Guelph",
    "Hamilton",
    "Hearst",
    "Huntsville",
    "Kapuskasing",
    "Kenora",
    "Kingston",
    "Kitchener",
    "Leamington",
    "London",
    "Markham",
    "Midland",
    "Mississauga",
    "Niagara Falls",
    "North Bay",
    "Oakville",
    "Orillia",
    "Oshawa",
    "Ottawa",
    "Owen Sound",
    "Pembroke",
    "Peterborough",
    "Sarnia",
    "Sault Ste. Marie",
    "St. Catharines",
    "Stratford",
    "Sudbury",
    "Thunder Bay",
    "Timmins",
    "Toronto",
    "Waterloo",
    "Welland",
    "Windsor",
    "Woodstock",
    "Hawkesbury",
    "Timiskaming Shores",
    "Dryden",
    "Fort Frances",
    "Collingwood",
)
FIRST_NAMES = (
    "Aisha",
    "Amir",
    "Ana",
    "Ben",
    "Carmen",
    "Chen",
    "Daniel",
    "Deepa",
    "Elena",
    "Emeka",
    "Farah",
    "Gabriel",
    "Hana",
    "Ian",
    "Isabelle",
    "Jamal",
    "Jin",
    "Karen",
    "Kwame",
    "Laila",
    "Liam",
    "Lucia",
    "Marc",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Noah",
    "Olivia",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Samuel",
    "Sofia",
    "Tariq",
    "Thomas",
    "Valérie",
    "Wei",
    "Yusuf",
    "Zoé",
    "Hélène",
    "Mathieu",
    "Geneviève",
    "Étienne",
    "Chloé",
    "Louis",
    "Amélie",
)
LAST_NAMES = (
    "Abara",
    "Bélanger",
    "Brathwaite",
    "Castillo",
    "Chaudhry",
    "Cote",
    "Das",
    "Dubois",
    "Fernandes",
    "Fraser",
    "Gagnon",
    "Ghosh",
    "Greenbird",
    "Haddad",
    "Ivanova",
    "Jacobs",
    "Kaboré",
    "Kowalski",
    "Lam",
    "Lavoie",
    "Lefebvre",
    "MacLeod",
    "Mahmoud",
    "Martel",
    "Mensah",
    "Moreau",
    "Nakamura",
    "Nguyen",
    "Okafor",
    "Ouellette",
    "Patel",
    "Pelletier",
    "Quinn",
    "Ramirez",
    "Rossi",
    "Roy",
    "Sandhu",
    "Santos",
    "Sauvé",
    "Singh",
    "Sokolov",
    "Tremblay",
    "Van Dyk",
    "Wabasse",
    "Whitecrow",
    "Wong",
    "Yamamoto",
    "Zhang",
    "Kapoor",
    "Moose",
    "Lindqvist",
    "Oduya",
    "Brisebois",
    "Halvorsen",
    "Achterberg",
    "Petrakis",
    "Nowak",
    "Ferreira",
)
COMPANY_SUFFIXES = (
    "Tooling",
    "Foods",
    "Systems",
    "Manufacturing",
    "Labs",
    "Technologies",
    "Farms",
    "Logistics",
    "Design",
    "Energy",
    "Fabrication",
    "Analytics",
    "Robotics",
    "Bioscience",
    "Plastics",
    "Precision",
    "Water",
    "Builders",
    "Health",
    "Media",
    "Outfitters",
    "Organics",
)
EQUIPMENT_BRANDS = (
    "Keyence",
    "Haas",
    "Mazak",
    "Zeiss",
    "Agilent",
    "Thermo",
    "Bruker",
    "Fanuc",
    "Universal",
    "Stratasys",
    "Formlabs",
    "Instron",
    "Mettler",
    "Shimadzu",
    "Bosch",
    "Siemens",
    "Rockwell",
    "Tektronix",
    "Keysight",
    "Olympus",
    "Nikon",
    "Trumpf",
    "Renishaw",
    "Hexagon",
    "Waters",
)
CLIENTS = {
    "en": (
        "food processor",
        "tool and die shop",
        "software start-up",
        "First Nation community",
        "regional hospital",
        "craft brewery",
        "home builder",
        "trucking company",
        "greenhouse grower",
        "non-profit",
        "mining contractor",
        "municipal utility",
        "medical device start-up",
        "family-owned manufacturer",
        "logistics provider",
        "credit union",
        "tourism operator",
        "engineering firm",
        "cosmetics brand",
        "auto parts supplier",
        "dairy farm",
        "sawmill",
        "game studio",
        "retail chain",
    ),
    "fr": (
        "transformateur alimentaire",
        "atelier d'outillage",
        "entreprise en démarrage",
        "communauté des Premières Nations",
        "hôpital régional",
        "microbrasserie",
        "constructeur d'habitations",
        "entreprise de camionnage",
        "serriculteur",
        "organisme à but non lucratif",
        "entrepreneur minier",
        "service public municipal",
        "fabricant familial",
        "coopérative",
        "caisse populaire",
        "pourvoirie",
        "firme d'ingénierie",
        "équipementier automobile",
        "ferme laitière",
        "scierie",
        "studio de jeux vidéo",
        "chaîne de magasins",
    ),
}


@dataclass(frozen=True)
class _Pools:
    """Per-area vocabulary, in both languages."""

    phrases: dict[tuple[str, str], tuple[str, ...]]  # (area, lang) → profile phrases
    lexicon: dict[tuple[str, str], tuple[str, ...]]  # (area, lang) → lexicon words
    sentences: dict[tuple[str, str], tuple[str, ...]]  # (area, lang) → real summary sentences
    equipment: dict[tuple[str, str], tuple[str, ...]]
    projects: dict[tuple[str, str], tuple[str, ...]]
    sectors: dict[str, tuple[tuple[str, ...], tuple[int, ...]]]  # area → codes, weights
    related: dict[str, tuple[tuple[str, ...], tuple[int, ...]]]  # area → co-occurring areas
    trl_pairs: tuple[tuple[tuple[int, int], ...], tuple[int, ...]]
    areas: tuple[str, ...]


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@cache
def _pools() -> _Pools:
    with open(LEXICON_PATH, encoding="utf-8") as handle:
        lexicon_raw = yaml.safe_load(handle)
    areas = tuple(taxonomy()["capability_areas"])
    known_sectors = set(taxonomy()["sectors"])
    phrases: dict[tuple[str, str], list[str]] = {(a, g): [] for a in areas for g in LANGS}
    sentences: dict[tuple[str, str], list[str]] = {(a, g): [] for a in areas for g in LANGS}
    equipment: dict[tuple[str, str], list[str]] = {(a, g): [] for a in areas for g in LANGS}
    projects: dict[tuple[str, str], list[str]] = {(a, g): [] for a in areas for g in LANGS}
    sectors: dict[str, Counter[str]] = {a: Counter() for a in areas}
    related: dict[str, Counter[str]] = {a: Counter() for a in areas}
    trl_pairs: Counter[tuple[int, int]] = Counter()
    with open(EXPERTISE_PATH, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    for row in rows:
        lang = detect_language(row.get("summary", "")) or "en"
        lang = lang if lang in LANGS else "en"
        row_areas = [a for a in row.get("capability_areas", []) if (a, "en") in phrases]
        if row.get("trl_min") and row.get("trl_max") and row["trl_min"] <= row["trl_max"]:
            trl_pairs[(int(row["trl_min"]), int(row["trl_max"]))] += 1
        for area in row_areas:
            key = (area, lang)
            phrases[key].extend(str(k) for k in row.get("keywords", []))
            sentences[key].extend(
                s for s in _SENTENCE.split(row.get("summary", "")) if 6 <= len(s.split()) <= 32
            )
            equipment[key].extend(str(e) for e in row.get("equipment", []))
            projects[key].extend(
                p
                for p in row.get("past_projects", [])
                if (detect_language(p) or lang) == lang and len(p.split()) <= 40
            )
            sectors[area].update(c for c in row.get("sectors", []) if c in known_sectors)
            related[area].update(a for a in row_areas if a != area)
    lexicon: dict[tuple[str, str], tuple[str, ...]] = {}
    for area in areas:
        for lang in LANGS:
            words_ = tuple(dict.fromkeys(lexicon_raw.get(area, {}).get(lang, [])))
            lexicon[(area, lang)] = words_ or tuple(taxonomy()["capability_areas"][area][lang])
            phrases[(area, lang)].extend(words_)

    def weighted(counter: Counter, fallback: tuple) -> tuple[tuple, tuple[int, ...]]:
        if not counter:
            return fallback, (1,) * len(fallback)
        items = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        return tuple(k for k, _ in items), tuple(v for _, v in items)

    def unique(pools: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], tuple[str, ...]]:
        return {key: tuple(dict.fromkeys(values)) for key, values in pools.items()}

    return _Pools(
        phrases=unique(phrases),
        lexicon=lexicon,
        sentences=unique(sentences),
        equipment=unique(equipment),
        projects=unique(projects),
        sectors={a: weighted(sectors[a], ("54",)) for a in areas},
        related={a: weighted(related[a], areas) for a in areas},
        trl_pairs=weighted(trl_pairs, ((2, 6), (4, 8))),
        areas=areas,
    )


# Connective text. {p} placeholders take phrases of the profile's areas, {client} a client.
OPENERS = {
    "en": {
        "researcher": (
            "Researches {p}, {p} and {p}, with current work on {p}.",
            "Works with companies on {p} and {p}, from early feasibility questions to pilots.",
            "Applied research covers {p}, {p} and {p} for small and medium-sized firms.",
        ),
        "lab": (
            "The lab develops and tests {p} and {p} with industry partners.",
            "An applied research lab focused on {p}, {p} and {p}.",
        ),
        "centre": (
            "The centre helps small and medium-sized firms adopt {p} and {p}, from first "
            "assessment to pilot.",
            "An applied research centre that takes on industry projects in {p}, {p} and {p}.",
        ),
        "facility": (
            "The facility offers fee-for-service testing in {p} and {p}, with quick turnaround "
            "for small firms.",
            "A shared facility for {p} and {p}, open to companies by the day or by the project.",
        ),
        "program": (
            "Student teams in this program take on short projects in {p} and {p} for local "
            "businesses.",
            "A student project program pairing final-year students with companies on {p} and {p}.",
        ),
    },
    "fr": {
        "researcher": (
            "Étudie {p}, {p} et {p}, avec des travaux en cours sur {p}.",
            "Travaille avec des entreprises sur {p} et {p}, de l'étude de faisabilité au projet "
            "pilote.",
            "Ses recherches appliquées portent sur {p}, {p} et {p} pour les PME.",
        ),
        "lab": (
            "Le laboratoire conçoit et met à l'essai des solutions en {p} et {p} avec ses "
            "partenaires industriels.",
            "Un laboratoire de recherche appliquée consacré à {p}, {p} et {p}.",
        ),
        "centre": (
            "Le centre aide les PME à adopter {p} et {p}, du diagnostic initial au projet pilote.",
            "Un centre de recherche appliquée qui mène des projets industriels en {p}, {p} et {p}.",
        ),
        "facility": (
            "L'installation offre des services d'essais en {p} et {p}, avec des délais courts "
            "pour les petites entreprises.",
            "Une installation partagée pour {p} et {p}, ouverte aux entreprises à la journée ou "
            "au projet.",
        ),
        "program": (
            "Des équipes étudiantes réalisent de courts projets en {p} et {p} pour des "
            "entreprises de la région.",
            "Un programme de projets étudiants qui jumelle des finissants et des entreprises sur "
            "{p} et {p}.",
        ),
    },
}
MIDDLES = {
    "en": (
        "Typical projects involve {p}, {p} and {p}.",
        "Partners come to the team for help with {p} and {p}.",
        "Services include {p}, {p} and {p}, delivered in short sprints with regular check-ins.",
        "Recent work includes {p} for a {client} and {p} for a {client}.",
        "The team combines expertise in {p} with hands-on experience in {p}.",
        "Projects often start with a feasibility study of {p} and move on to {p}.",
        "Methods range from {p} to {p} and {p}.",
        "Clients have included a {client} in {town} and a {client} in {town}.",
    ),
    "fr": (
        "Les projets typiques portent sur {p}, {p} et {p}.",
        "Les partenaires font appel à l'équipe pour {p} et {p}.",
        "Les services comprennent {p}, {p} et {p}, en courts sprints avec des suivis réguliers.",
        "Parmi les travaux récents : {p} pour un {client} et {p} pour un {client}.",
        "L'équipe allie une expertise en {p} à une expérience pratique en {p}.",
        "Les projets commencent souvent par une étude de faisabilité sur {p}, puis passent à {p}.",
        "Les méthodes vont de {p} à {p} et {p}.",
        "Les clients comprennent un {client} de {town} et un {client} de {town}.",
    ),
}
SHORT = {
    "en": ("It also works on {p}.", "Other topics include {p}.", "Work on {p} continues."),
    "fr": (
        "Il travaille aussi sur {p}.",
        "Autre thème : {p}.",
        "Les travaux sur {p} se poursuivent.",
    ),
}
CLOSERS = {
    "en": (
        "Typical projects last {a} to {b} months.",
        "Most collaborations are funded through matching grants.",
        "Results come as a written report with recommendations the partner can act on.",
        "Students join most projects under faculty supervision.",
    ),
    "fr": (
        "Les projets durent habituellement de {a} à {b} mois.",
        "La plupart des collaborations sont financées par des subventions de contrepartie.",
        "Les résultats sont remis dans un rapport écrit avec des recommandations concrètes.",
        "Des étudiantes et étudiants participent à la plupart des projets.",
    ),
}
TITLES = {
    "en": {
        "researcher": (
            "Professor",
            "Associate Professor",
            "Assistant Professor",
            "Professor and Research Chair",
            "Faculty Researcher",
            "Applied Research Lead",
        ),
        "lab": ("Applied research lab", "University research lab"),
        "centre": ("College applied research centre", "University research centre"),
        "facility": ("Testing facility", "Prototyping facility", "Shared equipment facility"),
        "program": ("Student project program",),
    },
    "fr": {
        "researcher": (
            "Professeure agrégée",
            "Professeur titulaire",
            "Professeure adjointe",
            "Chercheur en recherche appliquée",
            "Titulaire de chaire de recherche",
        ),
        "lab": ("Laboratoire de recherche appliquée", "Laboratoire de recherche"),
        "centre": ("Centre de recherche appliquée", "Centre collégial de recherche"),
        "facility": ("Installation d'essais", "Installation de prototypage"),
        "program": ("Programme de projets étudiants",),
    },
}
UNIT_NAMES = {
    "en": {
        "lab": "{label} Lab",
        "centre": "Centre for {label}",
        "facility": "{label} Facility",
        "program": "{label} Student Projects",
    },
    "fr": {
        "lab": "Laboratoire en {label}",
        "centre": "Centre de {label}",
        "facility": "Installation en {label}",
        "program": "Projets étudiants en {label}",
    },
}
EQUIPMENT_FR = (
    "Banc d'essai pour {p}",
    "Laboratoire de {p}",
    "Plateforme de {p}",
    "Poste de travail dédié à {p}",
)
PROJECTS = {
    "en": (
        "Helped a {client} in {town} with {p}, cutting {metric} by about {n}%.",
        "Worked with {company} on {p} and {p}.",
        "Ran a {n}-week pilot of {p} with a {client} and reported on {p}.",
        "Developed a prototype for {p} with {company}, now in field trials.",
    ),
    "fr": (
        "A aidé un {client} de {town} en {p}, réduisant {metric_fr} d'environ {n} %.",
        "A travaillé avec {company} sur {p} et {p}.",
        "A mené un projet pilote de {n} semaines sur {p} avec un {client}.",
        "A conçu un prototype pour {p} avec {company}, maintenant à l'essai.",
    ),
}
METRICS = ("costs", "scrap", "downtime", "lead times", "energy use", "errors", "waste")
METRICS_FR = (
    "les coûts",
    "les rebuts",
    "les arrêts",
    "les délais",
    "la consommation",
    "le gaspillage",
)


def _fill(template: str, rng: random.Random, phrases: tuple[str, ...], lang: str) -> str:
    """`template` with its placeholders filled; distinct phrases where the pool allows."""
    wanted = template.count("{p}")
    if len(phrases) >= wanted:
        picked = rng.sample(phrases, wanted)
    else:
        picked = [rng.choice(phrases) for _ in range(wanted)]
    out = template
    for phrase in picked:
        out = out.replace("{p}", phrase, 1)
    if "{" not in out:
        return out
    fillers = {
        "{client}": lambda: rng.choice(CLIENTS[lang]),
        "{town}": lambda: rng.choice(TOWNS),
        "{company}": lambda: _company(rng),
        "{business}": lambda: rng.choice(BUSINESSES[lang]),
        "{size}": lambda: str(rng.randint(4, 250)),
        "{n}": lambda: str(rng.randint(2, 40)),
        "{a}": lambda: str(rng.randint(2, 5)),
        "{b}": lambda: str(rng.randint(6, 12)),
        "{metric}": lambda: rng.choice(METRICS),
        "{metric_fr}": lambda: rng.choice(METRICS_FR),
    }
    for placeholder, make in fillers.items():
        while placeholder in out:
            out = out.replace(placeholder, make(), 1)
    return out


def _company(rng: random.Random) -> str:
    return f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANY_SUFFIXES)}"


def _words(text: str) -> int:
    return len(text.split())


def _assemble(
    rng: random.Random,
    first: str,
    closer: str,
    middles: tuple[str, ...],
    shorts: tuple[str, ...],
    phrases: tuple[str, ...],
    real: tuple[str, ...],
    lang: str,
    low: int,
    high: int,
    real_share: float,
) -> str:
    """Sentences from `first` to `closer`, between `low` and `high` words long."""
    target = rng.randint(low, high - 15)
    parts = [first]
    count = _words(first) + _words(closer)
    templates: list[str] = []  # each template once before any comes back
    while count < target:
        if real and rng.random() < real_share:
            sentence = rng.choice(real)
        else:
            if not templates:
                templates = rng.sample(middles, len(middles))
            sentence = _fill(templates.pop(), rng, phrases, lang)
        if count + _words(sentence) > high:
            sentence = _fill(rng.choice(shorts), rng, phrases, lang)
            if count + _words(sentence) > high:
                break
        parts.append(sentence)
        count += _words(sentence)
    parts.append(closer)
    return " ".join(parts)


def _weighted(rng: random.Random, pair: tuple[tuple, tuple[int, ...]]):
    return rng.choices(pair[0], weights=pair[1])[0]


def _pick_areas(rng: random.Random, pools: _Pools, most: int) -> tuple[str, ...]:
    count = rng.choices((1, 2, 3), weights=(30, 45, 25))[0]
    areas = [rng.choice(pools.areas)]
    for _ in range(min(count, most) - 1):
        for _attempt in range(4):
            if rng.random() < 0.7:
                candidate = _weighted(rng, pools.related[areas[0]])
            else:
                candidate = rng.choice(pools.areas)
            if candidate not in areas:
                areas.append(candidate)
                break
    return tuple(areas)


def _area_pool(pools: _Pools, table: dict, areas: tuple[str, ...], lang: str) -> tuple[str, ...]:
    if len(areas) == 1:
        return table[(areas[0], lang)]
    out: list[str] = []
    for area in areas:
        out.extend(table[(area, lang)])
    return tuple(out)


def _distinct(rng: random.Random, pool: tuple[str, ...], count: int) -> tuple[str, ...]:
    """`count` different items of `pool` (which may repeat some), fewer if it has fewer."""
    picked = dict.fromkeys(rng.sample(pool, min(count, len(pool))))
    for _attempt in range(50):
        if len(picked) >= count:
            break
        picked[rng.choice(pool)] = None
    return tuple(picked)


@cache
def _institutions_by_language() -> tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...]]:
    """(English-speaking institutions, their weights, French-speaking institutions)."""
    english = tuple(i for i, row in enumerate(INSTITUTIONS) if "en" in row[4])
    weights = tuple(REGION_WEIGHT.get(INSTITUTIONS[i][3], 1.0) for i in english)
    french = tuple(i for i, row in enumerate(INSTITUTIONS) if "fr" in row[4])
    return english, weights, french


def _profile(rng: random.Random, pools: _Pools, number: int) -> Profile:
    french = rng.random() < FRENCH_PROFILE_SHARE
    lang = "fr" if french else "en"
    english, weights, francophone = _institutions_by_language()
    if french and rng.random() < 0.75:
        slug, _, institution_kind, region, _ = INSTITUTIONS[rng.choice(francophone)]
    else:
        slug, _, institution_kind, region, _ = INSTITUTIONS[
            rng.choices(english, weights=weights)[0]
        ]
    kind = rng.choices(tuple(KIND_WEIGHTS), weights=tuple(KIND_WEIGHTS.values()))[0]
    areas = _pick_areas(rng, pools, 3)
    labels = taxonomy()["capability_areas"]
    phrases = _area_pool(pools, pools.phrases, areas, lang)
    head = labels[areas[0]][lang]

    if kind == "researcher":
        prefix = rng.choice(("Dr.", "Prof.") if lang == "en" else ("Dre", "Dr", "Prof."))
        name = f"{prefix} {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        title = f"{rng.choice(TITLES[lang][kind])}, {head}"
    else:
        name = UNIT_NAMES[lang][kind].format(label=head)
        title = f"{rng.choice(TITLES[lang][kind])}, {rng.choice(phrases)}"

    closer = _fill(rng.choice(CLOSERS[lang]), rng, phrases, lang)
    summary = _assemble(
        rng,
        _fill(rng.choice(OPENERS[lang][kind]), rng, phrases, lang),
        closer,
        MIDDLES[lang],
        SHORT[lang],
        phrases,
        _area_pool(pools, pools.sentences, areas, lang),
        lang,
        *SUMMARY_WORDS,
        real_share=0.4,
    )
    keywords = _distinct(rng, phrases, rng.randint(5, 8))

    sectors: list[str] = []
    for area in areas:
        code = _weighted(rng, pools.sectors[area])
        if code not in sectors:
            sectors.append(code)
    if rng.random() < 0.4:
        code = _weighted(rng, pools.sectors[rng.choice(areas)])
        if code not in sectors:
            sectors.append(code)

    trl_min, trl_max = _weighted(rng, pools.trl_pairs)
    if trl_max <= 4:
        stages = ["basic-research", "applied-research"]
    elif trl_min >= 5:
        stages = ["experimental-development", "adoption"]
    else:
        stages = ["applied-research", "experimental-development"]
    rd_stages = tuple(rng.sample(stages, rng.randint(1, 2)))
    innovation_types = tuple(rng.sample(tuple(taxonomy()["innovation_types"]), rng.randint(1, 2)))

    equipment_pool = _area_pool(pools, pools.equipment, areas, lang)
    equipment: list[str] = []
    for _ in range(rng.randint(2, 3)):
        if equipment_pool and rng.random() < 0.7:
            item = rng.choice(equipment_pool)
            if rng.random() < 0.35:
                model = f"{rng.choice('ABCDEFGHKMNRSTVXZ')}{rng.randint(100, 9999)}"
                item = f"{item} ({rng.choice(EQUIPMENT_BRANDS)} {model})"
        elif lang == "fr":
            item = _fill(rng.choice(EQUIPMENT_FR), rng, phrases, lang)
        else:
            item = f"{rng.choice(EQUIPMENT_BRANDS)} {rng.choice(phrases)} station"
        equipment.append(item)

    project_pool = _area_pool(pools, pools.projects, areas, lang)
    past_projects = tuple(
        rng.choice(project_pool)
        if project_pool and rng.random() < 0.5
        else _fill(rng.choice(PROJECTS[lang]), rng, phrases, lang)
        for _ in range(rng.randint(1, 2))
    )

    if french:
        languages: tuple[str, ...] = ("fr",) if rng.random() < 0.4 else ("en", "fr")
    else:
        languages = ("en", "fr") if rng.random() < 0.04 else ("en",)
    accepts_students = rng.random() < (0.95 if kind == "program" else 0.8)
    if not accepts_students:
        student_levels: tuple[str, ...] = ()
    elif institution_kind == "university":
        student_levels = ("undergraduate", "graduate")
    else:
        student_levels = ("college",)
    capacity = rng.choices(tuple(CAPACITY_WEIGHTS), weights=tuple(CAPACITY_WEIGHTS.values()))[0]
    load = rng.randint(0, capacity) if capacity else 0
    return Profile(
        id=f"syn-{number:06d}",
        institution=slug,
        institution_kind=institution_kind,
        region=region,
        kind=kind,
        name=name,
        title=title,
        summary=summary,
        keywords=keywords,
        capability_areas=areas,
        sectors=tuple(sectors),
        trl_min=trl_min,
        trl_max=trl_max,
        rd_stages=rd_stages,
        innovation_types=innovation_types,
        equipment=tuple(equipment),
        accepts_students=accepts_students,
        student_levels=student_levels,
        languages=languages,
        capacity=capacity,
        load=load,
        past_projects=past_projects,
    )


def synthetic_profiles(n: int, seed: int = 7) -> list[Profile]:
    """`n` realistic expertise profiles, the same ones for the same seed."""
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = random.Random(seed)
    pools = _pools()
    return [_profile(rng, pools, number) for number in range(1, n + 1)]


# Challenges: a business describing its problem, what it tried and what it wants.
BUSINESSES = {
    "en": (
        "machine shop",
        "bakery",
        "software company",
        "greenhouse",
        "trucking firm",
        "home builder",
        "craft brewery",
        "clinic",
        "mining services company",
        "sawmill",
        "cosmetics maker",
        "non-profit",
        "distribution centre",
        "plastics moulder",
        "game studio",
        "tour operator",
        "dairy processor",
        "engineering consultancy",
    ),
    "fr": (
        "atelier d'usinage",
        "boulangerie",
        "entreprise de logiciels",
        "serre",
        "entreprise de camionnage",
        "constructeur d'habitations",
        "microbrasserie",
        "clinique",
        "entreprise de services miniers",
        "scierie",
        "fabricant de cosmétiques",
        "organisme sans but lucratif",
        "centre de distribution",
        "studio de jeux vidéo",
        "transformateur laitier",
        "firme de génie-conseil",
    ),
}
QUERY_OPENERS = {
    "en": (
        "We are a {size}-person {business} in {town}.",
        "Our company, {company}, is a {business} with {size} employees based in {town}.",
        "We run a {business} near {town} and employ about {size} people.",
    ),
    "fr": (
        "Nous sommes une entreprise de {size} personnes, un {business} situé à {town}.",
        "Notre entreprise, {company}, est un {business} de {size} employés établi à {town}.",
        "Nous exploitons un {business} près de {town} et comptons environ {size} employés.",
    ),
}
QUERY_MIDDLES = {
    "en": (
        "Our biggest problem is {p}, which costs us about {n}% of our margin.",
        "We have been struggling with {p} and {p} for the past {n} months.",
        "Right now we rely on {p}, and it means we lose customers to larger competitors.",
        "We tried {p} ourselves, but it did not solve the underlying issue with {p}.",
        "Our customers keep asking about {p}, and we do not have anyone in-house who knows it.",
        "A competitor recently introduced {p}, and we are falling behind.",
        "Every week we spend hours on {p} that should be automated.",
        "We suspect the real cause is {p}, but we cannot prove it without proper testing.",
        "Last year a {client} asked us for {p} and we had to turn the contract down.",
        "Our team has ideas about {p} but no time or equipment to test them.",
    ),
    "fr": (
        "Notre plus gros problème, c'est {p}, qui nous coûte environ {n} % de notre marge.",
        "Nous avons de la difficulté avec {p} et {p} depuis {n} mois.",
        "Nous dépendons actuellement de {p}, et nous perdons des clients au profit de plus "
        "gros concurrents.",
        "Nous avons essayé {p} nous-mêmes, mais le problème de {p} n'est pas réglé.",
        "Nos clients nous posent des questions sur {p}, et personne chez nous ne maîtrise le "
        "sujet.",
        "Un concurrent a récemment lancé {p}, et nous prenons du retard.",
        "Chaque semaine, nous passons des heures sur {p} alors que cela devrait être automatisé.",
        "Nous pensons que la cause est {p}, mais nous ne pouvons pas le prouver sans essais.",
        "L'an dernier, un {client} nous a demandé {p} et nous avons dû refuser le contrat.",
    ),
}
QUERY_SHORT = {
    "en": ("We also worry about {p}.", "There is also {p}."),
    "fr": ("Il y a aussi {p}.", "Nous pensons aussi à {p}."),
}
QUERY_OUTCOMES = {
    "en": (
        "We would like a partner who understands {p} to help us get to a working solution within "
        "{n} months.",
        "Ideally we would end up with a tested prototype and a clear plan for {p}.",
        "We want an expert assessment of {p} and practical recommendations we can afford.",
    ),
    "fr": (
        "Nous cherchons un partenaire qui connaît {p} pour arriver à une solution fonctionnelle "
        "d'ici {n} mois.",
        "Idéalement, nous aurions un prototype mis à l'essai et un plan clair pour {p}.",
        "Nous voulons une évaluation de {p} par des experts et des recommandations abordables.",
    ),
}
QUERY_FACTS = {
    "en": {
        "students": "We would be happy to host students for the project.",
        "onsite": "Someone would need to come to our site to see the problem first-hand.",
    },
    "fr": {
        "students": "Nous serions heureux d'accueillir des stagiaires pour ce projet.",
        "onsite": "Il faudrait que quelqu'un vienne sur place pour constater le problème.",
    },
}


def _query(rng: random.Random, pools: _Pools) -> Query:
    lang = "fr" if rng.random() < FRENCH_QUERY_SHARE else "en"
    areas = _pick_areas(rng, pools, 2)
    related: tuple[str, ...] = ()
    if rng.random() < 0.3:
        candidate = _weighted(rng, pools.related[areas[0]])
        if candidate not in areas:
            related = (candidate,)
    words = _area_pool(pools, pools.lexicon, areas, lang)
    keywords = _area_pool(pools, pools.phrases, areas, lang)
    phrases = words + keywords[: len(words) // 3] if keywords else words
    onsite = rng.choices((True, False, None), weights=(40, 40, 20))[0]
    students = rng.choices((True, False, None), weights=(40, 40, 20))[0]
    opener = _fill(rng.choice(QUERY_OPENERS[lang]), rng, phrases, lang)
    closing = [_fill(rng.choice(QUERY_OUTCOMES[lang]), rng, phrases, lang)]
    if students:
        closing.append(QUERY_FACTS[lang]["students"])
    if onsite:
        closing.append(QUERY_FACTS[lang]["onsite"])
    text = _assemble(
        rng,
        opener,
        " ".join(closing),
        QUERY_MIDDLES[lang],
        QUERY_SHORT[lang],
        phrases,
        (),
        lang,
        *QUERY_WORDS,
        real_share=0.0,
    )
    region = rng.choice(tuple(regions()))
    sector = _weighted(rng, pools.sectors[areas[0]])
    return Query(
        text=text,
        language=lang if rng.random() < 0.9 else None,
        capability_areas=areas,
        related_capability_areas=related,
        sector=sector,
        trl=rng.randint(2, 8) if rng.random() < 0.85 else None,
        rd_stage=rng.choice(tuple(taxonomy()["rd_stages"])) if rng.random() < 0.6 else None,
        wants_students=students,
        student_levels=("college",) if students and rng.random() < 0.5 else (),
        onsite_needed=onsite,
        region=region,
        neighbouring_regions=tuple(regions()[region]),
    )


def synthetic_queries(q: int, seed: int = 11) -> list[Query]:
    """`q` challenge-like queries of 80–200 words, the same ones for the same seed."""
    if q < 0:
        raise ValueError("q must be >= 0")
    rng = random.Random(seed)
    pools = _pools()
    return [_query(rng, pools) for _ in range(q)]
