"""Ranking quality on labelled challenges: nDCG@10, recall@10 and MRR, per challenge and overall.

The corpus is the active expertise profiles in the database (`load_catalogue` loads the shipped
ones), with their embeddings (passages not embedded yet are embedded first). Each challenge
becomes a needs profile the way a diagnostic does (see matching/evaluation.py for the mapping);
its `relevance` labels are read only to score. Three systems side by side: the engine, plain
BM25 (rank_bm25) and the embedding model alone. With `--folds K`, the engine ranks each
challenge with weights fitted on the other folds (engine.fitting), so that its figure is for
challenges the fit has not seen; without it, with the shipped weights (which were fitted on
the dev set).
"""

from __future__ import annotations

import json

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from matching.engine import metrics
from matching.engine.analysis import CONCEPT_PREFIX, analyze, document_language
from matching.engine.index import profile_text
from matching.engine.ranking import query_language, rank
from matching.engine.types import Query
from matching.evaluation import Corpus, read_challenges

RANKING_SIZE = 10
MEASURES = ("nDCG@10", "R@10", "MRR")


class Command(BaseCommand):
    help = "Measure matching quality on challenges with graded relevance labels."

    def add_arguments(self, parser):
        parser.add_argument("--challenges", required=True, help="A JSON-lines file of challenges.")
        parser.add_argument(
            "--folds",
            type=int,
            help="rank each challenge with weights fitted on the other folds (k-fold CV)",
        )
        parser.add_argument("--seed", type=int, default=0, help="seed of the fold assignment")
        parser.add_argument("--rankings", help="Write each challenge's engine ranking here.")

    def handle(self, *args, challenges, folds=None, seed=0, rankings=None, **options):
        try:
            corpus = Corpus(read_challenges(challenges))
        except ValueError as error:
            raise CommandError(str(error)) from error
        weights_for = self._weights(corpus, folds, seed)
        engine = {}
        for cid, query in corpus.queries.items():
            weights, cap_factor = weights_for.get(cid, (None, None))
            matches = rank(
                corpus.index,
                query,
                limit=RANKING_SIZE,
                query_vector=corpus.vectors[cid],
                weights=weights,
                cap_factor=cap_factor,
            )
            engine[cid] = [match.profile_id for match in matches]
        systems = {"engine": engine, "bm25": self._bm25(corpus)}
        if corpus.index.meaning is not None:
            systems["embedding"] = self._embedding_alone(corpus)
        else:
            self.stdout.write(
                "No embeddings (model unavailable): the embedding column is left out."
            )
        if rankings:
            with open(rankings, "w", encoding="utf-8") as out:
                for row in corpus.rows:
                    out.write(json.dumps({"id": row["id"], "ranking": engine[row["id"]]}) + "\n")
            self.stdout.write(f"Rankings written to {rankings}.")
        labelled = corpus.labelled
        if not labelled:
            self.stdout.write(
                f"{len(corpus.rows)} challenges ranked; no relevance labels were given, "
                "so no scores."
            )
            return
        how = (
            f"engine cross-validated over {folds} folds (seed {seed})"
            if folds
            else "engine with the shipped weights"
        )
        self.stdout.write(
            f"{len(labelled)} labelled challenges of {len(corpus.rows)}; "
            f"{len(corpus.profiles)} profiles; {how}."
        )
        self.stdout.write(
            f"{'challenge':<12}"
            + "".join(f"{name + ' ' + measure:>20}" for name in systems for measure in MEASURES)
        )
        totals = {name: np.zeros(len(MEASURES)) for name in systems}
        for row in labelled:
            cells = []
            for name, ranked in systems.items():
                scores = self._scores(ranked[row["id"]], corpus.grades(row))
                totals[name] += scores
                cells += [f"{score:>20.3f}" for score in scores]
            self.stdout.write(f"{row['id']:<12}" + "".join(cells))
        self.stdout.write(
            f"{'overall':<12}"
            + "".join(
                f"{total / len(labelled):>20.3f}" for name in systems for total in totals[name]
            )
        )

    def _weights(self, corpus: Corpus, folds: int | None, seed: int) -> dict:
        """{challenge id: (weights, cap factor)} fitted without its fold; {} without --folds."""
        if folds is None:
            return {}
        try:
            _, held_out = corpus.cross_validated(folds, seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        return {cid: (fit.weights, fit.cap_factor) for cid, fit in held_out.items()}

    @staticmethod
    def _scores(ranking, grades):
        return np.array(
            [
                metrics.ndcg(ranking, grades),
                metrics.recall(ranking, grades),
                metrics.reciprocal_rank(ranking, grades),
            ]
        )

    @staticmethod
    def _embedding_alone(corpus: Corpus) -> dict[str, list[str]]:
        """Profiles by the cosine of their vector with the challenge's, nothing else."""
        meaning = corpus.index.meaning
        assert meaning is not None
        ranked: dict[str, list[str]] = {}
        for cid, vector in corpus.vectors.items():
            if vector is None:
                ranked[cid] = []
                continue
            similarity = np.where(
                meaning.has_vector, meaning.similarity(meaning.reduce(vector)), -2.0
            )
            order = np.argsort(-similarity, kind="stable")[:RANKING_SIZE]
            ranked[cid] = [corpus.index.ids[i] for i in order]
        return ranked

    @staticmethod
    def _bm25(corpus: Corpus) -> dict[str, list[str]]:
        """Plain BM25 (rank_bm25's Okapi) on the same tokens: no synonyms, no structure."""
        from rank_bm25 import BM25Okapi

        profiles = corpus.profiles
        documents = [
            [
                t
                for t in analyze(profile_text(p), document_language(p.summary, p.languages))
                if not t.startswith(CONCEPT_PREFIX)
            ]
            for p in profiles
        ]
        bm25 = BM25Okapi(documents)
        ranked = {}
        for cid, query in corpus.queries.items():
            scores = bm25.get_scores(_plain_tokens(query))
            order = sorted(range(len(profiles)), key=lambda i: -scores[i])[:RANKING_SIZE]
            ranked[cid] = [profiles[i].id for i in order]
        return ranked


def _plain_tokens(query: Query) -> list[str]:
    return [
        t for t in analyze(query.text, query_language(query)) if not t.startswith(CONCEPT_PREFIX)
    ]
