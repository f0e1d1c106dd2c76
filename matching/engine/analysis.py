"""Text analysis for ranking: English and French words to comparable tokens.

Words are lower-cased, stripped of stop words, folded (accents removed) and stemmed with
Snowball for their language, reusing the diagnostic's reading of text. A domain synonym list
(data/synonyms.yaml) adds one concept token ("~machine-vision") wherever any of a group's
phrases occurs, in either language: that is what lets a French challenge meet an English
profile on its topic, and "computer vision" meet "machine vision".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


# Caches of every word seen, read a whole text at a time (a dictionary lookup per word).
CACHE_SIZE = 500_000  # words per cache: bounded, synthetic corpora invent words
_stems: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
# {(language, its stop words): {word: its token, or "" for a stop word or a one-letter stem}}
_tokens: dict[tuple[str, frozenset[str]], dict[str, str]] = {}


def _cached(
    known: dict[str, str], text_words: list[str], compute: Callable[[list[str]], list[str]]
) -> list[str]:
    """known[word] for each of `text_words`, the words not seen yet computed all at once."""
    try:
        return list(map(known.__getitem__, text_words))
    except KeyError:
        if len(known) >= CACHE_SIZE:
            known.clear()
        new = list(set(text_words).difference(known))
        known.update(zip(new, compute(new), strict=True))
        return list(map(known.__getitem__, text_words))


def stems_of(text_words: list[str], language: str) -> list[str]:
    """The stem in `language` of each of `text_words` (lower-cased words)."""

    def compute(new: list[str]) -> list[str]:
        # Folded first: stemming "données" and "donnees" must give the same stem.
        return _stemmer(language).stemWords([fold(word) for word in new])

    return _cached(_stems[language], text_words, compute)


def _content_tokens(text_words: list[str], language: str) -> list[str]:
    """The stems of the words of `text_words` that are neither stop words nor one letter."""
    stop = stop_words()[language]

    def compute(new: list[str]) -> list[str]:
        return [
            # Words are in lower case already: only non-ASCII ones need folding.
            token if len(token) > 1 and (word if word.isascii() else fold(word)) not in stop else ""
            for word, token in zip(new, stems_of(new, language), strict=True)
        ]

    known = _tokens.setdefault((language, stop), {})
    return list(filter(None, _cached(known, text_words, compute)))


def stem(word: str, language: str) -> str:
    return stems_of([word], language)[0]


def stem_all(text: str, language: str) -> list[str]:
    return stems_of(words(text), language)


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


Phrases = list[tuple[tuple[str, ...], str]]  # [(stemmed phrase, group)]


@cache
def _phrase_table() -> dict[str, dict[str, tuple[str | None, dict[str, Phrases]]]]:
    """{language: {first stem: (the group of that one-word phrase or None, {second stem: the
    longer phrases, longest first})}}: most words that start a phrase are not followed by its
    second word, which one lookup rules out."""
    table: dict[str, dict[str, tuple[str | None, dict[str, Phrases]]]] = {
        language: {} for language in LANGUAGES
    }
    for group, by_language in synonym_groups().items():
        for language, entries in by_language.items():
            for phrase in entries:
                stems = tuple(stem_all(phrase, language))
                if not stems:
                    continue
                single, longer = table[language].get(stems[0], (None, {}))
                if len(stems) > 1:
                    longer.setdefault(stems[1], []).append((stems, group))
                elif single is None:  # a phrase listed twice belongs to the first group
                    single = group
                table[language][stems[0]] = (single, longer)
    for by_first in table.values():
        for _, longer in by_first.values():
            for candidates in longer.values():
                candidates.sort(key=lambda entry: -len(entry[0]))
    return table


def concepts(stems: list[str], language: str, *, foreign: bool = False) -> list[str]:
    """The synonym groups whose phrases occur in `stems` (stemmed in `language`), in order."""
    found: list[str] = []
    table = _phrase_table()[language]
    end = 0  # where the last phrase found ends: phrases do not overlap
    for i, first in enumerate(stems):
        entry = table.get(first)
        if entry is None or i < end:
            continue
        single, longer = entry
        following = longer.get(stems[i + 1], ()) if i + 1 < len(stems) else ()
        for phrase, group in following:
            if tuple(stems[i : i + len(phrase)]) == phrase:
                found.append(group)
                end = i + len(phrase)
                break
        else:
            if single is not None and not (foreign and len(first) < MIN_FOREIGN_STEM):
                found.append(single)
                end = i + 1
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
    text_words = words(text)
    stems = stems_of(text_words, language)
    tokens = _content_tokens(text_words, language)
    found = concepts(stems, language)
    for other in LANGUAGES:
        if other != language:
            found += concepts(stems_of(text_words, other), other, foreign=True)
    return tokens + [CONCEPT_PREFIX + group for group in found]
