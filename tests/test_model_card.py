"""CI re-evaluates the committed model on the test split; the card must match within 0.01."""

import pytest

from coach.data import load_split
from coach.evaluation import Scored, evaluate
from coach.model import EmpathyClassifier
from eval.model_card import card_metrics, read_card_metrics


@pytest.mark.slow
def test_model_card_metrics_match_a_fresh_evaluation(model_dir):
    test = load_split("test")
    classifier = EmpathyClassifier.load(model_dir)
    probs = classifier.predict_proba([r["reply"] for r in test], [r["client"] for r in test])
    fresh = card_metrics(evaluate(Scored(model_dir.name, test, probs, classifier.thresholds)))
    card = read_card_metrics(model_dir / "README.md")
    assert set(card) == set(fresh)
    for key, value in card.items():
        assert fresh[key] == pytest.approx(value, abs=0.01), key


@pytest.mark.slow
def test_model_beats_both_baselines_in_the_committed_report(model_dir):
    import json

    from coach.paths import REPORTS_DIR

    metrics = json.loads((REPORTS_DIR / model_dir.name / "metrics.json").read_text())
    assert set(metrics["baselines"]) == {"lexicon", "embedding-logreg"}
    for baseline in metrics["baselines"].values():
        assert metrics["macro_f1"] > baseline["macro_f1"]


def test_readme_results_are_the_ones_the_commands_wrote(model_dir):
    from coach.paths import REPO_ROOT
    from eval.model_card import RESULTS_END, RESULTS_START, results_block

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    shown = RESULTS_START + readme.split(RESULTS_START, 1)[1].split(RESULTS_END, 1)[0] + RESULTS_END
    assert shown == results_block(model_dir)
    assert "macro-F1" in shown and "kappa" in shown


def test_model_card_is_what_the_generator_writes_now(model_dir):
    from eval.model_card import render_card

    assert (model_dir / "README.md").read_text(encoding="utf-8") == render_card(model_dir)
