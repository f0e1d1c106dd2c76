"""Ranking quality on labelled challenges: nDCG@10, recall@10 and MRR, per challenge and overall.

The corpus is the active expertise profiles in the database (`load_catalogue` loads the shipped
ones). Each challenge becomes a needs profile the way a diagnostic does (see
matching/evaluation.py for the mapping); its `relevance` labels are read only to score.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matching.engine import metrics
from matching.engine.analysis import CONCEPT_PREFIX, analyze, document_language
from matching.engine.index import ProfileIndex, profile_text
from matching.engine.needs import query_from_needs
from matching.engine.ranking import query_language, rank
from matching.engine.types import Query
from matching.evaluation import challenge_needs
from matching.search import engine_profiles

RANKING_SIZE = 10


class Command(BaseCommand):
    help = "Measure matching quality on challenges with graded relevance labels."

    def add_arguments(self, parser):
        parser.add_argument("--challenges", required=True, help="A JSON-lines file of challenges.")
        parser.add_argument(
            "--baseline", choices=["bm25"], help="Also rank by plain BM25 alone, for comparison."
        )
        parser.add_argument("--rankings", help="Write each challenge's ranking to this file.")

    def handle(self, *args, challenges, baseline=None, rankings=None, **options):
        rows = self._read(Path(challenges))
        profiles = engine_profiles()
        if not profiles:
            raise CommandError("No expertise profiles: run `manage.py load_catalogue` first.")
        index = ProfileIndex.build(profiles)
        queries = {row["id"]: self._query(row) for row in rows}
        engine = {
            cid: [match.profile_id for match in rank(index, query, limit=RANKING_SIZE)]
            for cid, query in queries.items()
        }
        systems = {"engine": engine}
        if baseline:
            systems["bm25"] = self._bm25(profiles, queries)
        if rankings:
            with open(rankings, "w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps({"id": row["id"], "ranking": engine[row["id"]]}) + "\n")
            self.stdout.write(f"Rankings written to {rankings}.")
        labelled = [row for row in rows if row.get("relevance")]
        if not labelled:
            self.stdout.write(
                f"{len(rows)} challenges ranked; no relevance labels were given, so no scores."
            )
            return
        self.stdout.write(
            f"{len(labelled)} labelled challenges of {len(rows)}; {len(profiles)} profiles."
        )
        header = f"{'challenge':<12}" + "".join(
            f"{name + ' ' + measure:>16}"
            for name in systems
            for measure in ("nDCG@10", "R@10", "MRR")
        )
        self.stdout.write(header)
        totals = {name: [0.0, 0.0, 0.0] for name in systems}
        for row in labelled:
            cells = []
            for name, ranked in systems.items():
                scores = self._scores(ranked[row["id"]], row["relevance"])
                totals[name] = [t + s for t, s in zip(totals[name], scores, strict=True)]
                cells += [f"{score:>16.3f}" for score in scores]
            self.stdout.write(f"{row['id']:<12}" + "".join(cells))
        overall = "".join(
            f"{total / len(labelled):>16.3f}" for name in systems for total in totals[name]
        )
        self.stdout.write(f"{'overall':<12}" + overall)

    @staticmethod
    def _scores(ranking, grades):
        grades = {pid: int(grade) for pid, grade in grades.items()}
        return (
            metrics.ndcg(ranking, grades),
            metrics.recall(ranking, grades),
            metrics.reciprocal_rank(ranking, grades),
        )

    def _read(self, path: Path) -> list[dict]:
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        rows = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise CommandError(f"{path}:{number}: not JSON ({error.msg}).") from error
            if not isinstance(row, dict) or "id" not in row or "challenge" not in row:
                raise CommandError(f"{path}:{number}: a challenge needs an id and a challenge.")
            rows.append(row)
        if not rows:
            raise CommandError(f"{path} holds no challenges.")
        return rows

    @staticmethod
    def _query(row: dict) -> Query:
        # Only the challenge's own fields reach the engine: never its labels.
        unlabelled = {key: value for key, value in row.items() if key != "relevance"}
        return query_from_needs(challenge_needs(unlabelled))

    @staticmethod
    def _bm25(profiles, queries: dict[str, Query]) -> dict[str, list[str]]:
        """Plain BM25 (rank_bm25's Okapi) on the same tokens: no synonyms, no structure."""
        from rank_bm25 import BM25Okapi

        corpus = [
            [
                t
                for t in analyze(profile_text(p), document_language(p.summary, p.languages))
                if not t.startswith(CONCEPT_PREFIX)
            ]
            for p in profiles
        ]
        bm25 = BM25Okapi(corpus)
        ranked = {}
        for cid, query in queries.items():
            tokens = [
                t
                for t in analyze(query.text, query_language(query))
                if not t.startswith(CONCEPT_PREFIX)
            ]
            scores = bm25.get_scores(tokens)
            order = sorted(range(len(profiles)), key=lambda i: -scores[i])[:RANKING_SIZE]
            ranked[cid] = [profiles[i].id for i in order]
        return ranked
