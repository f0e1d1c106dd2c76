"""Fit the ranking's weights and cap factor on labelled challenges, with cross-validation.

    python manage.py fit_matching_weights --challenges tests/data/challenges_dev.jsonl --write

Ranks against the active profiles in the database (`load_catalogue` loads the shipped ones),
embedding any passage not embedded yet. Prints the k-fold cross-validated nDCG@10 of the fitting
procedure (each fold ranked with weights fitted on the others) beside the figure on the
challenges it was fitted on; `--write` keeps the fit over all challenges in
matching/engine/data/fitted_weights.json, which the engine reads.
"""

from __future__ import annotations

import json
import statistics

from django.core.management.base import BaseCommand, CommandError

from matching.engine import fitting
from matching.engine.ranking import FITTED_PATH, fitted
from matching.evaluation import Corpus, read_challenges


class Command(BaseCommand):
    help = "Fit the matching weights and cap on labelled challenges (k-fold cross-validated)."

    def add_arguments(self, parser):
        parser.add_argument("--challenges", required=True, help="A JSON-lines file of challenges.")
        parser.add_argument("--folds", type=int, default=5, help="folds for cross-validation")
        parser.add_argument("--seed", type=int, default=0, help="seed of the fold assignment")
        parser.add_argument(
            "--write", action="store_true", help=f"keep the fit in {FITTED_PATH.name}"
        )

    def handle(self, *args, challenges, folds, seed, write, **options):
        try:
            corpus = Corpus(read_challenges(challenges))
        except ValueError as error:
            raise CommandError(str(error)) from error
        if len(corpus.labelled) < 2:
            raise CommandError("Fitting needs at least two labelled challenges.")
        try:
            labelled, held_out = corpus.cross_validated(folds, seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if corpus.index.meaning is None:
            self.stderr.write("No embeddings: fitting without the meaning signal.")
        cross_validated = statistics.fmean(
            fitting.ndcg(c, held_out[c.id].weights, held_out[c.id].cap_factor) for c in labelled
        )
        result = fitting.fit(labelled)
        current = fitted()
        self.stdout.write(
            f"{len(labelled)} labelled challenges, {len(corpus.profiles)} profiles, "
            f"{folds} folds (seed {seed})."
        )
        self.stdout.write(
            f"nDCG@10 now (shipped weights): "
            f"{fitting.mean_ndcg(labelled, current.weights, current.cap_factor):.3f}"
        )
        self.stdout.write(f"nDCG@10 cross-validated: {cross_validated:.3f}")
        self.stdout.write(f"nDCG@10 fitted on all (optimistic): {result.ndcg:.3f}")
        self.stdout.write(
            "weights: " + ", ".join(f"{name} {value:g}" for name, value in result.weights.items())
        )
        self.stdout.write(f"cap factor: {result.cap_factor:g}")
        if write:
            FITTED_PATH.write_text(
                json.dumps(
                    {
                        "weights": result.weights,
                        "cap_factor": result.cap_factor,
                        "fitted_on": {
                            "challenges": len(labelled),
                            "profiles": len(corpus.profiles),
                            "meaning_model": corpus.index.meaning.model
                            if corpus.index.meaning
                            else "",
                            "folds": folds,
                            "seed": seed,
                            "ndcg_cross_validated": round(cross_validated, 4),
                            "ndcg_fitted": round(result.ndcg, 4),
                        },
                    },
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
            fitted.cache_clear()
            self.stdout.write(f"Written to {FITTED_PATH}.")
