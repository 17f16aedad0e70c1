"""Compare MiniLM and all-mpnet-base-v2 as the base encoder, once, on the validation split.

    python -m train.compare_bases [--epochs 6]

Trains both with the same config into ``runs/compare/<base>``, then records
validation macro-F1 (thresholds tuned on validation, as for the shipped model),
single-reply classifier latency on PyTorch and training time in
``eval/reports/base_comparison.json``, which the model card shows. The rule for
the product: ship the larger base only if it gains at least 0.02 macro-F1 and
still meets the 10 ms single-reply budget.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from coach.io import write_json
from coach.model import EmpathyClassifier
from coach.paths import REPO_ROOT, REPORTS_DIR
from train.config import TrainConfig
from train.train import train

LATENCY_BUDGET_MS = 10.0
MIN_GAIN = 0.02


def p50_latency_ms(model_dir: Path, repeats: int = 100) -> float:
    classifier = EmpathyClassifier.load(model_dir, backend="torch")
    reply, client = "That sounds exhausting. Would it help to plan the week together?", "I can't keep up at work."
    for _ in range(5):
        classifier.predict_proba([reply], [client])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        classifier.predict_proba([reply], [client])
        times.append(time.perf_counter() - start)
    return round(float(np.median(times)) * 1000, 2)


def compare(epochs: int) -> dict:
    rows = {}
    for base in ("minilm", "mpnet"):
        out = REPO_ROOT / "runs" / "compare" / base
        train(TrainConfig(base=base, output_dir=str(out), epochs=epochs, export_onnx=False))
        training = json.loads((out / "training_config.json").read_text())
        from transformers import AutoModelForSequenceClassification

        params = sum(p.numel() for p in AutoModelForSequenceClassification.from_pretrained(out).parameters())
        rows[base] = {
            "validation_macro_f1": max(h["val_macro_f1_tuned"] for h in training["history"]),
            "p50_ms": p50_latency_ms(out),
            "train_seconds": training["train_seconds"],
            "parameters": params,
            "epochs": epochs,
        }
    gain = rows["mpnet"]["validation_macro_f1"] - rows["minilm"]["validation_macro_f1"]
    pick = "mpnet" if gain >= MIN_GAIN and rows["mpnet"]["p50_ms"] <= LATENCY_BUDGET_MS else "minilm"
    summary = (
        f"mpnet changes validation macro-F1 by {gain:+.3f} at {rows['mpnet']['p50_ms'] / rows['minilm']['p50_ms']:.1f}x "
        f"the latency; rule: ship mpnet only for a gain of at least {MIN_GAIN} within {LATENCY_BUDGET_MS} ms. "
        f"Shipped: {pick}."
    )
    result = {"bases": rows, "shipped": pick, "summary": summary}
    write_json(REPORTS_DIR / "base_comparison.json", result)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    print(json.dumps(compare(parser.parse_args().epochs), indent=2))
