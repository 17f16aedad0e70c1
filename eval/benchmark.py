"""Speed of the shipped model on this machine, written into the model card.

    python -m eval.benchmark [--model models/empathy-coach] [--repeats 200]

Measures, for each runtime (int8 ONNX and PyTorch fp32), on test-split replies
with their client statements: classifier latency for one reply, full analysis
latency for one reply (sentences and feedback included), and batch throughput.
Writes ``eval/reports/benchmark.json``. Numbers are from one run on whatever
machine runs it; ratios between runtimes are the comparable part.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from coach.analysis import Analyzer
from coach.data import load_split
from coach.io import write_json
from coach.model import EmpathyClassifier
from coach.paths import DEFAULT_MODEL_DIR, REPORTS_DIR

BENCHMARK_FILE = REPORTS_DIR / "benchmark.json"


def percentiles(seconds: list[float]) -> dict:
    ms = np.array(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2)}


def time_each(fn, items) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return times


def batch_rate(predict, replies: list[str], clients: list[str | None] | None, rounds: int = 3) -> float:
    """Replies per second through one batched call, averaged over ``rounds`` calls."""
    predict(replies[:256], clients[:256] if clients else None)  # warm-up: worker sessions start here
    start = time.perf_counter()
    for _ in range(rounds):
        predict(replies, clients)
    return round(rounds * len(replies) / (time.perf_counter() - start), 1)


def bench_backend(model_dir: Path, backend: str, records: list[dict], repeats: int) -> dict:
    analyzer = Analyzer.load(model_dir, backend)
    sample = [records[i % len(records)] for i in range(repeats)]
    classify = analyzer.classifier.predict_proba
    time_each(lambda r: classify([r["reply"]], [r["client"]]), sample[:10])  # warm-up
    single = time_each(lambda r: classify([r["reply"]], [r["client"]]), sample)
    full = time_each(lambda r: analyzer.analyze(r["reply"], r["client"]), sample)
    replies, clients = [r["reply"] for r in records], [r["client"] for r in records]
    result = {
        "classifier_one_reply": percentiles(single),
        "full_analysis_one_reply": percentiles(full),
        "batch_replies_per_second": batch_rate(analyzer.classify, replies, clients),
        "batch_reply_only_per_second": batch_rate(analyzer.classify, replies, None, rounds=1),
    }
    if backend == "onnx":
        # The same batches on one session using every core, for the ratio to the worker sessions.
        one = Analyzer(EmpathyClassifier.load(model_dir, backend, workers=1))
        result["batch_one_session_replies_per_second"] = batch_rate(one.classify, replies, clients)
        result["workers"] = analyzer.classifier.workers
    return result


def run(model_dir: Path, repeats: int) -> dict:
    records = load_split("test")
    results = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "replies": len(records),
        "repeats": repeats,
        "backends": {},
    }
    for backend in ("onnx", "torch"):
        if backend == "onnx" and not (model_dir / "onnx" / "model_int8.onnx").exists():
            continue
        results["backends"][backend] = bench_backend(model_dir, backend, records, repeats)
    if {"onnx", "torch"} <= set(results["backends"]):
        o, t = results["backends"]["onnx"], results["backends"]["torch"]
        results["onnx_speedup"] = {
            "classifier_p50": round(t["classifier_one_reply"]["p50_ms"] / o["classifier_one_reply"]["p50_ms"], 2),
            "batch": round(o["batch_replies_per_second"] / t["batch_replies_per_second"], 2),
        }
    write_json(BENCHMARK_FILE, results)
    return results


if __name__ == "__main__":
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(run(args.model, args.repeats), indent=2))
