"""evaluate_matching: scores with labels, rankings without them, clear errors."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DEV_SET = "tests/data/challenges_dev.jsonl"


def test_scores_every_challenge_and_the_baseline(catalogue, tmp_path, capsys):
    rankings = tmp_path / "rankings.jsonl"
    call_command("evaluate_matching", challenges=DEV_SET, rankings=str(rankings))
    out = capsys.readouterr().out
    overall = next(line for line in out.splitlines() if line.startswith("overall")).split()
    scores = [float(value) for value in overall[1:]]
    assert len(scores) == 9  # engine, BM25, embedding alone: nDCG@10, recall@10, MRR
    assert all(0 <= score <= 1 for score in scores)
    lines = [json.loads(line) for line in rankings.read_text().splitlines()]
    assert len(lines) == 35
    assert all(len(line["ranking"]) == 10 for line in lines)


def test_challenges_without_labels_get_rankings_and_a_notice(catalogue, tmp_path, capsys):
    source = tmp_path / "held_out.jsonl"
    row = json.loads(Path(DEV_SET).read_text(encoding="utf-8").splitlines()[0])
    source.write_text(json.dumps({**row, "relevance": {}}) + "\n")
    rankings = tmp_path / "out.jsonl"
    call_command("evaluate_matching", challenges=str(source), rankings=str(rankings))
    assert "no relevance labels were given" in capsys.readouterr().out
    assert json.loads(rankings.read_text())["id"] == row["id"]


def test_bad_files_are_refused(catalogue, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("evaluate_matching", challenges=str(tmp_path / "missing.jsonl"))
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("evaluate_matching", challenges=str(broken))


def test_without_profiles_it_says_what_to_run(db, tmp_path):
    with pytest.raises(CommandError, match="load_catalogue"):
        call_command("evaluate_matching", challenges=DEV_SET)


def test_cross_validated_figures_fit_on_the_other_folds(catalogue, capsys):
    call_command("evaluate_matching", challenges=DEV_SET, folds=3)
    out = capsys.readouterr().out
    assert "engine cross-validated over 3 folds" in out
    overall = next(line for line in out.splitlines() if line.startswith("overall")).split()
    assert len(overall) == 10 and all(0 <= float(value) <= 1 for value in overall[1:])
    for folds in (0, 1, 99):
        with pytest.raises(CommandError, match="--folds must be between 2"):
            call_command("evaluate_matching", challenges=DEV_SET, folds=folds)


def test_without_a_model_the_embedding_column_is_left_out(catalogue, settings, capsys):
    settings.MATCHING_EMBEDDER = ""
    call_command("evaluate_matching", challenges=DEV_SET)
    out = capsys.readouterr().out
    assert "the embedding column is left out" in out
    overall = next(line for line in out.splitlines() if line.startswith("overall")).split()
    assert len(overall) == 7


def test_fitting_reports_cross_validated_figures_and_writes_only_when_asked(
    catalogue, tmp_path, monkeypatch, capsys
):
    from matching.engine import ranking
    from matching.management.commands import fit_matching_weights

    target = tmp_path / "fitted_weights.json"
    monkeypatch.setattr(fit_matching_weights, "FITTED_PATH", target)
    call_command("fit_matching_weights", challenges=DEV_SET, folds=3)
    out = capsys.readouterr().out
    assert "35 labelled challenges, 415 profiles, 3 folds (seed 0)." in out
    cross_validated = float(
        next(line for line in out.splitlines() if "cross-validated" in line).split()[-1]
    )
    assert 0 <= cross_validated <= 1
    assert not target.exists()
    try:
        call_command("fit_matching_weights", challenges=DEV_SET, folds=3, write=True)
        written = json.loads(target.read_text())
    finally:
        ranking.fitted.cache_clear()  # the next test reads the shipped file again
    assert set(written["weights"]) == set(ranking.SIGNALS) and written["weights"]["text"] == 1.0
    assert 0 < written["cap_factor"] <= 1
    assert written["fitted_on"]["challenges"] == 35 and written["fitted_on"]["folds"] == 3
    assert written["fitted_on"]["ndcg_cross_validated"] == pytest.approx(cross_validated, abs=1e-3)
    for folds in (1, 36):
        with pytest.raises(CommandError, match="--folds must be between 2"):
            call_command("fit_matching_weights", challenges=DEV_SET, folds=folds)
