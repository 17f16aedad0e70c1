"""What the input budget and the encoder depth cost in accuracy, and what they buy in speed.

    python -m eval.speed_options contexts [--model models/empathy-coach]
    python -m eval.speed_options depths [--layers 3,4] [--epochs 6]

``contexts`` scores one model with its client statements cut to several token
budgets (no retraining). ``depths`` trains models that keep only the base
encoder's first N layers, with the shipped training config otherwise, into
``runs/depth/<N>`` and scores them beside the shipped model. Each option gets
macro-F1 on the validation split and on the challenge set (the model's own
thresholds), and batch throughput on the test split with client statements
(int8 ONNX where the model has it), all measured in the same run so that the
ratios compare. The held-out set is left out on purpose: it is kept for the
final report only. Results go to ``eval/reports/speed_options.json``, which
the model card shows.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from coach.data import load_split, read_records
from coach.evaluation import Scored, evaluate
from coach.io import write_json
from coach.model import EmpathyClassifier
from coach.paths import DATA_DIR, DEFAULT_MODEL_DIR, REPO_ROOT, REPORTS_DIR
from eval.benchmark import batch_rate

SPEED_OPTIONS_FILE = REPORTS_DIR / "speed_options.json"
CONTEXT_BUDGETS = (48, 32, 24, 16, 0)


def _sets() -> dict[str, list[dict]]:
    return {
        "validation": load_split("validation"),
        "challenge": read_records(DATA_DIR / "challenge" / "challenge.jsonl"),
        "test": load_split("test"),
    }


def score_option(classifier: EmpathyClassifier, sets: dict[str, list[dict]]) -> dict:
    """Validation and challenge macro-F1, and test-split batch replies/s with client statements."""
    row = {}
    for name in ("validation", "challenge"):
        records = sets[name]
        probs = classifier.predict_proba([r["reply"] for r in records], [r.get("client") for r in records])
        row[f"{name}_macro_f1"] = evaluate(Scored(name, records, probs, classifier.thresholds))["macro_f1"]
    test = sets["test"]
    row["batch_replies_per_second"] = batch_rate(
        classifier.predict_proba, [r["reply"] for r in test], [r["client"] for r in test]
    )
    row["backend"] = classifier.backend
    return row


def _update(section: str, value: dict) -> dict:
    report = json.loads(SPEED_OPTIONS_FILE.read_text()) if SPEED_OPTIONS_FILE.exists() else {}
    report[section] = value
    write_json(SPEED_OPTIONS_FILE, report)
    return report


def contexts(model_dir: Path, budgets: tuple[int, ...] = CONTEXT_BUDGETS) -> dict:
    classifier = EmpathyClassifier.load(model_dir)
    shipped = classifier.spec.max_context_tokens
    sets = _sets()
    rows = {}
    for budget in budgets:
        classifier.spec = dataclasses.replace(classifier.spec, max_context_tokens=budget)
        rows[str(budget)] = score_option(classifier, sets)
    return _update("contexts", {"model": model_dir.name, "shipped_budget": shipped, "budgets": rows})


def depths(
    model_dir: Path, layers: tuple[int, ...], epochs: int, runs_dir: Path = REPO_ROOT / "runs" / "depth"
) -> dict:
    """Train shallower variants with the shipped config and compare them with the shipped model."""
    from train.config import TrainConfig
    from train.train import train

    shipped_config = json.loads((model_dir / "training_config.json").read_text())["config"]
    fields = {f.name for f in dataclasses.fields(TrainConfig)} - {"notes", "output_dir", "num_layers", "epochs"}
    base_config = {k: v for k, v in shipped_config.items() if k in fields}
    sets = _sets()
    shipped_layers = json.loads((model_dir / "config.json").read_text())["num_hidden_layers"]
    shipped = {"epochs": shipped_config["epochs"], "shipped": True}
    rows = {str(shipped_layers): {**score_option(EmpathyClassifier.load(model_dir), sets), **shipped}}
    for n in layers:
        out = Path(runs_dir) / str(n)
        train(TrainConfig(**base_config, num_layers=n, epochs=epochs, output_dir=str(out)))
        seconds = json.loads((out / "training_config.json").read_text())["train_seconds"]
        rows[str(n)] = {**score_option(EmpathyClassifier.load(out), sets), "epochs": epochs, "train_seconds": seconds}
    full = rows[str(shipped_layers)]
    for row in rows.values():
        row["speedup"] = round(row["batch_replies_per_second"] / full["batch_replies_per_second"], 2)
        row["validation_change"] = round(row["validation_macro_f1"] - full["validation_macro_f1"], 4)
        row["challenge_change"] = round(row["challenge_macro_f1"] - full["challenge_macro_f1"], 4)
    return _update("depths", {"model": model_dir.name, "layers": rows})


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["contexts", "depths"])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--layers", default="3,4", help="comma-separated encoder depths to train (depths)")
    parser.add_argument("--epochs", type=int, default=6, help="epochs for the shallower models (depths)")
    args = parser.parse_args(argv)
    if args.what == "contexts":
        return contexts(args.model)
    return depths(args.model, tuple(int(n) for n in args.layers.split(",")), args.epochs)


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
