import numpy as np
import pytest

from coach.evaluation import Scored, calibration, evaluate, roc_auc, write_report


def test_roc_auc_matches_hand_computation():
    gold = np.array([True, True, False, False])
    assert roc_auc(gold, np.array([0.9, 0.4, 0.5, 0.1])) == pytest.approx(0.75)
    assert roc_auc(np.array([True, True]), np.array([0.1, 0.2])) is None


def test_calibration_of_perfectly_calibrated_bins_is_zero():
    gold = np.array([True, False] * 50)
    assert calibration(gold, np.full(100, 0.5))["ece"] == pytest.approx(0.0)
    assert calibration(np.array([False] * 10), np.full(10, 0.9))["ece"] == pytest.approx(0.9)


def records(labels):
    return [
        {
            "id": str(i),
            "reply": f"r{i}",
            "client": "",
            "affective": a,
            "cognitive": c,
            "compassionate": None,
            "over_identification": None,
        }
        for i, (a, c) in enumerate(labels)
    ]


def test_unknown_labels_are_skipped_and_metrics_are_exact(tmp_path):
    recs = records([(True, None), (False, True), (True, False), (False, None)])
    probs = np.array([[0.9, 0, 0, 0], [0.8, 0.9, 0, 0], [0.2, 0.1, 0, 0], [0.1, 0.9, 0, 0]], dtype=float)
    result = evaluate(
        Scored("m", recs, probs, {n: 0.5 for n in ("affective", "cognitive", "compassionate", "over_identification")})
    )
    aff = result["labels"]["affective"]
    assert (aff["precision"], aff["recall"], aff["f1"], aff["support"]) == (0.5, 0.5, 0.5, 2)
    assert aff["confusion"] == {"tp": 1, "fp": 1, "fn": 1, "tn": 1}
    assert result["labels"]["cognitive"]["n"] == 2  # rows without a cognitive label are skipped
    assert set(result["labels"]) == {"affective", "cognitive"}
    assert result["macro_f1"] == pytest.approx((0.5 + 1.0) / 2)
    [worst] = [e for e in result["errors"]["affective"] if e["probability"] == 0.8]
    assert worst["gold"] is False
    out = write_report(tmp_path / "r", result, title="t")
    assert {p.name for p in out.iterdir()} >= {"metrics.json", "report.md", "confusion.png", "reliability.png"}
