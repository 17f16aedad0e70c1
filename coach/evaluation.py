"""Metrics and reports for any scorer on any labelled records.

One code path serves the shipped model on the test split, the baselines, and a
trainer's own file (``coach eval --data``). Unknown labels (``None``) are
skipped per label, never counted as negatives.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.io import write_json, write_text
from coach.schema import LABEL_NAMES

N_BINS = 10
N_ERRORS = 20


@dataclass
class Scored:
    """A scorer's output on some records: probabilities and the thresholds to decide with."""

    name: str
    records: list[dict]
    probs: np.ndarray
    thresholds: dict[str, float]


def gold_with_mask(records: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """``(gold, known)`` boolean matrices; ``known`` is False where a label is missing."""
    known = np.array([[r.get(n) is not None for n in LABEL_NAMES] for r in records], dtype=bool).reshape(
        -1, len(LABEL_NAMES)
    )
    gold = np.array([[bool(r.get(n)) for n in LABEL_NAMES] for r in records], dtype=bool).reshape(-1, len(LABEL_NAMES))
    return gold, known


def roc_auc(gold: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve (rank formulation); None when one class is absent."""
    pos, neg = scores[gold], scores[~gold]
    if len(pos) == 0 or len(neg) == 0:
        return None
    ranks = _average_ranks(np.concatenate([pos, neg]))
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def calibration(gold: np.ndarray, probs: np.ndarray, n_bins: int = N_BINS) -> dict:
    """Expected calibration error and the reliability-diagram bins for one label."""
    edges = np.linspace(0, 1, n_bins + 1)
    index = np.clip(np.digitize(probs, edges[1:-1]), 0, n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        members = index == b
        if not members.any():
            continue
        confidence, accuracy = float(probs[members].mean()), float(gold[members].mean())
        ece += members.mean() * abs(confidence - accuracy)
        bins.append(
            {
                "lower": float(edges[b]),
                "upper": float(edges[b + 1]),
                "count": int(members.sum()),
                "mean_probability": round(confidence, 4),
                "positive_rate": round(accuracy, 4),
            }
        )
    return {"ece": round(float(ece), 4), "bins": bins}


def label_metrics(gold: np.ndarray, probs: np.ndarray, threshold: float) -> dict:
    pred = probs >= threshold
    tp, fp = int(np.sum(gold & pred)), int(np.sum(~gold & pred))
    fn, tn = int(np.sum(gold & ~pred)), int(np.sum(~gold & ~pred))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    auc = roc_auc(gold, probs)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "roc_auc": None if auc is None else round(auc, 4),
        "support": tp + fn,
        "n": len(gold),
        "threshold": threshold,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "calibration": calibration(gold, probs),
    }


def confident_errors(
    records: list[dict], gold: np.ndarray, probs: np.ndarray, threshold: float, limit: int = N_ERRORS
) -> list[dict]:
    """The ``limit`` wrong decisions the scorer was surest about, most confident first."""
    wrong = np.flatnonzero((probs >= threshold) != gold)
    wrong = wrong[np.argsort(-np.abs(probs[wrong] - gold[wrong]))][:limit]
    return [
        {
            "id": records[i].get("id", ""),
            "client": records[i].get("client", ""),
            "reply": records[i]["reply"],
            "gold": bool(gold[i]),
            "probability": round(float(probs[i]), 4),
        }
        for i in wrong
    ]


def evaluate(scored: Scored) -> dict:
    """All metrics for one scorer: per label, macro-F1, calibration and the worst errors."""
    gold, known = gold_with_mask(scored.records)
    labels, errors = {}, {}
    for j, name in enumerate(LABEL_NAMES):
        rows = known[:, j]
        if not rows.any():
            continue
        subset = [r for r, k in zip(scored.records, rows) if k]
        labels[name] = label_metrics(gold[rows, j], scored.probs[rows, j], scored.thresholds[name])
        errors[name] = confident_errors(subset, gold[rows, j], scored.probs[rows, j], scored.thresholds[name])
    f1s = [m["f1"] for m in labels.values()]
    eces = [m["calibration"]["ece"] for m in labels.values()]
    return {
        "scorer": scored.name,
        "n_records": len(scored.records),
        "labels": labels,
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else None,
        "mean_ece": round(float(np.mean(eces)), 4) if eces else None,
        "errors": errors,
    }


def metrics_table(results: list[dict]) -> str:
    """A markdown table: one row per scorer and label, with macro-F1 rows."""
    lines = [
        "| scorer | label | precision | recall | F1 | ROC-AUC | ECE | support | n |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for name, m in result["labels"].items():
            auc = "n/a" if m["roc_auc"] is None else f"{m['roc_auc']:.3f}"
            lines.append(
                f"| {result['scorer']} | {name} | {m['precision']:.3f} | {m['recall']:.3f} | "
                f"{m['f1']:.3f} | {auc} | {m['calibration']['ece']:.3f} | {m['support']} | {m['n']} |"
            )
        lines.append(
            f"| {result['scorer']} | **macro** | | | **{result['macro_f1']:.3f}** | | {result['mean_ece']:.3f} | | |"
        )
    return "\n".join(lines)


def write_report(
    out_dir: str | Path, main: dict, others: list[dict] = (), title: str = "Evaluation", extra: dict | None = None
) -> Path:
    """Write ``metrics.json``, ``report.md`` and PNG plots for ``main`` (others shown beside it)."""
    from coach.plots import plot_confusions, plot_reliability

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payload = {**main, "baselines": {o["scorer"]: _without_errors(o) for o in others}, **(extra or {})}
    write_json(out / "metrics.json", payload)
    plot_confusions(main, out / "confusion.png")
    plot_reliability(main, out / "reliability.png")
    write_text(out / "report.md", render_markdown(main, list(others), title, extra or {}))
    return out


def _without_errors(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "errors"}


def render_markdown(main: dict, others: list[dict], title: str, extra: dict) -> str:
    parts = [
        f"# {title}",
        "",
        f"Records: {main['n_records']}. Scorer: `{main['scorer']}`.",
        "",
        "## Per-label metrics",
        "",
        metrics_table([main, *others]),
        "",
        "Thresholds come from the validation split; ECE is the expected calibration error (10 bins).",
        "",
        "## Confusion matrices",
        "",
        "![confusion](confusion.png)",
        "",
    ]
    for name, m in main["labels"].items():
        c = m["confusion"]
        parts.append(f"- **{name}**: TP {c['tp']}, FP {c['fp']}, FN {c['fn']}, TN {c['tn']}")
    parts += ["", "## Calibration", "", "![reliability](reliability.png)", ""]
    for key, value in extra.items():
        if isinstance(value, dict):
            parts += [f"## {key}", "", *[f"- {k}: {v}" for k, v in value.items()], ""]
        else:
            parts += [f"- {key}: {value}", ""]
    parts += ["## Most confident errors", ""]
    for name, errors in main["errors"].items():
        parts += [f"### {name}", "", "| p | gold | client | reply |", "|---|---|---|---|"]
        for e in errors:
            parts.append(f"| {e['probability']:.2f} | {int(e['gold'])} | {_cell(e['client'])} | {_cell(e['reply'])} |")
        parts.append("")
    return "\n".join(parts)


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
