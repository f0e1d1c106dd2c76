"""Text analysis for ranking: English and French words to comparable tokens.

Words are lower-cased, stripped of stop words, folded (accents removed) and stemmed with
Snowball for their language, reusing the diagnostic's reading of text. A domain synonym list
(data/synonyms.yaml) adds one concept token ("~machine-vision") wherever any of a group's
phrases occurs, in either language: that is what lets a French challenge meet an English
profile on its topic, and "computer vision" meet "machine vision".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

from diagnostics.text import LANGUAGES, detect_language, fold, words

DATA_DIR = Path(__file__).resolve().parent / "data"
CONCEPT_PREFIX = "~"
# A one-word phrase of the other language must be at least this long once stemmed, or it
# collides with ordinary words ("pain" is bread in French).
MIN_FOREIGN_STEM = 5


@cache
def stop_words() -> dict[str, frozenset[str]]:
    with open(DATA_DIR / "stopwords.yaml", encoding="utf-8") as handle:
        # Every word as text: YAML would read "no", "on" and "off" as booleans.
        raw = yaml.load(handle, Loader=yaml.BaseLoader)  # noqa: S506 (it builds only str)
    return {language: frozenset(fold(word) for word in raw[language]) for language in LANGUAGES}


@cache
def _stemmer(language: str):
    import snowballstemmer  # PyStemmer's C stemmer when installed

    return snowballstemmer.stemmer(LANGUAGES[language])


_stem_cache: dict[tuple[str, str], str] = {}


def stem(word: str, language: str) -> str:
    key = (word, language)
    found = _stem_cache.get(key)
    if found is None:
        # Folded first: stemming "données" and "donnees" must give the same stem.
        found = _stemmer(language).stemWord(fold(word))
        if len(_stem_cache) < 500_000:  # bounded: synthetic corpora invent words
            _stem_cache[key] = found
    return found


def stem_all(text: str, language: str) -> list[str]:
    return [stem(word, language) for word in words(text)]


@cache
def synonym_groups() -> dict[str, dict[str, list[str]]]:
    """{group id: {"en": [phrases], "fr": [phrases]}} from data/synonyms.yaml."""
    path = DATA_DIR / "synonyms.yaml"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    return {
        str(group): {lang: [str(p) for p in entry.get(lang, [])] for lang in LANGUAGES}
        for group, entry in raw.items()
    }


@cache
def _phrase_table() -> dict[str, dict[str, list[tuple[tuple[str, ...], str]]]]:
    """{language: {first stem: [(stemmed phrase, group)]}}, longest phrases first."""
    table: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {
        language: {} for language in LANGUAGES
    }
    for group, by_language in synonym_groups().items():
        for language, entries in by_language.items():
            for phrase in entries:
                stems = tuple(stem_all(phrase, language))
                if stems:
                    table[language].setdefault(stems[0], []).append((stems, group))
    for by_first in table.values():
        for candidates in by_first.values():
            candidates.sort(key=lambda entry: -len(entry[0]))
    return table


def concepts(stems: list[str], language: str, *, foreign: bool = False) -> list[str]:
    """The synonym groups whose phrases occur in `stems` (stemmed in `language`), in order."""
    found: list[str] = []
    table = _phrase_table()[language]
    i = 0
    while i < len(stems):
        step = 1
        for phrase, group in table.get(stems[i], ()):
            size = len(phrase)
            if tuple(stems[i : i + size]) != phrase:
                continue
            if foreign and size == 1 and len(phrase[0]) < MIN_FOREIGN_STEM:
                continue
            found.append(group)
            step = size
            break
        i += step
    return found


def document_language(text: str, languages: Iterable[str]) -> str:
    """The language a profile is written in: its only language, or the one its text reads as."""
    languages = [language for language in languages if language in LANGUAGES]
    if len(languages) == 1:
        return languages[0]
    return detect_language(text) or "en"


def analyze(text: str, language: str | None) -> list[str]:
    """Tokens for BM25: stemmed content words of `language`, then concept tokens.

    Phrases of both languages are looked for, because French challenges borrow English terms
    and the reverse; the other language's short one-word phrases are skipped.
    """
    language = language if language in LANGUAGES else (detect_language(text) or "en")
    stop = stop_words()[language]
    text_words = words(text)  # lower case already: only non-ASCII words need folding
    stems = [stem(word, language) for word in text_words]
    tokens = [
        token
        for word, token in zip(text_words, stems, strict=True)
        if (word if word.isascii() else fold(word)) not in stop and len(token) > 1
    ]
    found = concepts(stems, language)
    for other in LANGUAGES:
        if other != language:
            other_stems = [stem(word, other) for word in text_words]
            found += concepts(other_stems, other, foreign=True)
    return tokens + [CONCEPT_PREFIX + group for group in found]
