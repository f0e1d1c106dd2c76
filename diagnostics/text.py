"""Reading a challenge written in English or French: language, words, capability areas.

Pure Python (no Django). Words are lower-cased, stripped of accents and then stemmed with
Snowball for their language (in that order, or "données" and "donnees" would stem apart), so
"données", "Donnees" and "donnée" meet, as do "forecasting" and "forecast".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import snowballstemmer
import yaml

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "capability_lexicon.yaml"
LANGUAGES = {"en": "english", "fr": "french"}
WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits: "as9100" is one word
# The most frequent words of each language: enough to tell the two apart in a paragraph.
STOP_WORDS = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "a",
            "in",
            "is",
            "it",
            "that",
            "we",
            "our",
            "for",
            "with",
            "on",
            "are",
            "this",
            "be",
            "as",
            "have",
            "not",
            "at",
            "by",
            "from",
            "they",
            "you",
            "but",
            "or",
            "an",
            "was",
            "would",
            "which",
            "their",
            "has",
            "what",
            "can",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "et",
            "des",
            "de",
            "du",
            "un",
            "une",
            "est",
            "nous",
            "notre",
            "nos",
            "pour",
            "dans",
            "que",
            "qui",
            "sur",
            "pas",
            "au",
            "aux",
            "avec",
            "ce",
            "cette",
            "sont",
            "en",
            "ou",
            "mais",
            "par",
            "plus",
            "elle",
            "il",
            "leur",
            "ont",
            "être",
        ]
    ),
}
MAX_SUGGESTIONS = 5
# Short stems of the other language collide with common words ("données" → "don" ~ "don't").
MIN_FOREIGN_STEM = 5


def fold(text: str) -> str:
    """Lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def detect_language(text: str) -> str | None:
    """ "en" or "fr" by counting each language's commonest words; None when there are none."""
    tokens = words(text)
    counts = {code: sum(token in stop for token in tokens) for code, stop in STOP_WORDS.items()}
    if not any(counts.values()):
        return None
    return max(counts, key=lambda code: counts[code])


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(LANGUAGES[language])


def stems(text: str, language: str) -> list[str]:
    return _stemmer(language).stemWords([fold(word) for word in words(text)])


@dataclass(frozen=True)
class Suggestion:
    area: str
    score: float
    terms: tuple[str, ...]  # the lexicon entries found in the text, for the "why"


@cache
def _lexicon() -> dict[str, dict[str, list[tuple[tuple[str, ...], str]]]]:
    """{language: {area: [(stemmed phrase, original phrase)]}}."""
    with open(LEXICON_PATH, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return {
        language: {
            area: [(tuple(stems(term, language)), term) for term in entries.get(language, [])]
            for area, entries in raw.items()
        }
        for language in LANGUAGES
    }


def _occurrences(phrase: tuple[str, ...], tokens: list[str]) -> int:
    size = len(phrase)
    if not size:
        return 0
    return sum(tuple(tokens[i : i + size]) == phrase for i in range(len(tokens) - size + 1))


def suggest_capability_areas(text: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Areas the text points to, best first, with the words that point there.

    Both languages' word lists are tried, each on the text stemmed its own way, because French
    challenges borrow English terms ("machine learning") and the reverse; the other language's
    short single words are skipped. A phrase counts double
    (it is more specific than a word) and a term counts at most twice (repetition is not
    evidence). Areas scoring under a third of the best one are left out as noise.
    """
    scores: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    text_language = detect_language(text)
    for language, areas in _lexicon().items():
        tokens = stems(text, language)
        foreign = text_language is not None and language != text_language
        for area, entries in areas.items():
            for phrase, term in entries:
                if foreign and len(phrase) == 1 and len(phrase[0]) < MIN_FOREIGN_STEM:
                    continue
                hits = min(_occurrences(phrase, tokens), 2)
                if hits:
                    scores[area] = scores.get(area, 0.0) + hits * (2.0 if len(phrase) > 1 else 1.0)
                    if term not in found.setdefault(area, []):
                        found[area].append(term)
    if not scores:
        return []
    best = max(scores.values())
    ranked = sorted(scores, key=lambda area: (-scores[area], area))
    return [
        Suggestion(area=area, score=scores[area], terms=tuple(found[area]))
        for area in ranked[:limit]
        if scores[area] >= max(2.0, best / 3)
    ]
