"""Generate the model card (``models/<model>/README.md``) from files the repo's commands wrote.

Nothing here is typed by hand: metrics come from ``eval/reports/<model>/metrics.json``
(``python -m eval.evaluate``), speed from ``eval/reports/benchmark.json``
(``python -m eval.benchmark``), the base comparison from
``eval/reports/base_comparison.json`` (``python -m train.compare_bases``), the
context and depth options from ``eval/reports/speed_options.json``
(``python -m eval.speed_options``), and training details from the model directory's ``training_config.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from coach.evaluation import metrics_table
from coach.io import write_text
from coach.paths import REPORTS_DIR
from coach.schema import LABELS

METRICS_START, METRICS_END = "<!-- metrics:start -->", "<!-- metrics:end -->"


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def card_metrics(metrics: dict) -> dict:
    """The numbers CI re-checks against a fresh evaluation (see tests/test_model_card.py)."""
    return {
        "macro_f1": metrics["macro_f1"],
        **{f"{name}_f1": m["f1"] for name, m in metrics["labels"].items()},
        **{f"{name}_roc_auc": m["roc_auc"] for name, m in metrics["labels"].items()},
    }


def read_card_metrics(card: Path) -> dict:
    text = card.read_text(encoding="utf-8")
    block = text.split(METRICS_START, 1)[1].split(METRICS_END, 1)[0]
    return json.loads(block.strip().removeprefix("```json").removesuffix("```"))


def speed_section(bench: dict | None) -> list[str]:
    if not bench:
        return ["Not measured yet: run `python -m eval.benchmark`."]
    lines = [
        f"Measured by `python -m eval.benchmark` on {bench['machine']['cpu_count']} CPU cores "
        f"({bench['machine']['processor']}), {bench['replies']} test-split replies with their client statements.",
        "",
        "| runtime | classifier, one reply (p50 / p95 ms) | full analysis, one reply (p50 / p95 ms) "
        "| batch, replies/s (with client) | batch, replies/s (reply only) |",
        "|---|---|---|---|---|",
    ]
    for name, b in bench["backends"].items():
        c, f = b["classifier_one_reply"], b["full_analysis_one_reply"]
        lines.append(
            f"| {name} | {c['p50_ms']} / {c['p95_ms']} | {f['p50_ms']} / {f['p95_ms']} | "
            f"{b['batch_replies_per_second']} | {b['batch_reply_only_per_second']} |"
        )
    if "onnx" in bench["backends"]:
        o = bench["backends"]["onnx"]
        checks = [
            ("classifier p50 <= 10 ms", o["classifier_one_reply"]["p50_ms"] <= 10),
            ("full analysis p50 <= 50 ms", o["full_analysis_one_reply"]["p50_ms"] <= 50),
            (">= 500 replies/s in batch (with client statements)", o["batch_replies_per_second"] >= 500),
        ]
        lines += [
            "",
            "Targets (int8 ONNX): " + "; ".join(f"{name}: {'met' if ok else 'not met'}" for name, ok in checks) + ".",
        ]
    one_session = bench["backends"].get("onnx", {}).get("batch_one_session_replies_per_second")
    if one_session:
        o = bench["backends"]["onnx"]
        lines += [
            "",
            f"Batch scoring shares its batches among {o['workers']} one-thread ONNX sessions: "
            f"{o['batch_replies_per_second']} replies/s, against {one_session} on one session using every core "
            f"in the same run ({o['batch_replies_per_second'] / one_session:.2f}x).",
        ]
    if "onnx_speedup" in bench:
        s = bench["onnx_speedup"]
        lines += [
            "",
            f"int8 ONNX vs PyTorch in the same run: {s['classifier_p50']}x faster per reply, {s['batch']}x in batch.",
        ]
    return lines


EXTRA_SETS = {
    "challenge": "independent challenge set (guided one round of corpus additions)",
    "heldout": "held-out set (written last, used only for this report)",
}


def extra_sets_section(model_name: str, reports_dir: Path = REPORTS_DIR) -> list[str]:
    """Model and baselines on the independently written sets in data/challenge/."""
    lines = [
        "Two sets written apart from the corpus (`data/challenge/README.md`), scored by `python -m eval.evaluate`:",
        "",
    ]
    for name, what in EXTRA_SETS.items():
        metrics = _load(reports_dir / f"{model_name}-{name}" / "metrics.json")
        if metrics:
            lines += [
                f"**{name}**: {what}, {metrics['n_records']} replies.",
                "",
                metrics_table([metrics, *metrics.get("baselines", {}).values()]),
                "",
            ]
    first = _load(reports_dir / "first-model-challenge" / "metrics.json")
    if first:
        lines += [
            f"Before the corpus additions, the first shipped model scored macro-F1 {first['macro_f1']:.3f} on "
            "the challenge set (`eval/reports/first-model-challenge/`).",
            "",
        ]
    return lines


def comparison_section(comparison: dict | None) -> list[str]:
    if not comparison:
        return ["Not run yet: `python -m train.compare_bases`."]
    lines = [
        "Run once by `python -m train.compare_bases`, before the second corpus batch was added, with the "
        "same training config for both bases. " + comparison.get("summary", ""),
        "",
        "| base | parameters | validation macro-F1 | classifier p50 ms (PyTorch, one reply) | train seconds |",
        "|---|---|---|---|---|",
    ]
    for name, row in comparison["bases"].items():
        lines.append(
            f"| {name} | {row['parameters']:,} | {row['validation_macro_f1']:.3f} | {row['p50_ms']} | "
            f"{row['train_seconds']} |"
        )
    return lines


def speed_options_section(report: dict | None, shipped_epochs: int | str = "?") -> list[str]:
    """Context budgets and encoder depths against accuracy (``python -m eval.speed_options``)."""
    if not report:
        return ["Not run yet: `python -m eval.speed_options contexts` and `... depths`."]
    lines = []
    if "contexts" in report:
        ctx = report["contexts"]
        lines += [
            f"Client-context budget, `python -m eval.speed_options contexts` (model {ctx['model']}, no retraining, "
            "one run; batch rate on the test split with client statements):",
            "",
            "| context tokens | validation macro-F1 | challenge macro-F1 | batch replies/s |",
            "|---|---|---|---|",
        ]
        for budget, row in ctx["budgets"].items():
            mark = " (shipped)" if int(budget) == ctx["shipped_budget"] else ""
            lines.append(
                f"| {budget}{mark} | {row['validation_macro_f1']:.3f} | {row['challenge_macro_f1']:.3f} | "
                f"{row['batch_replies_per_second']} |"
            )
        lines.append("")
    if "depths" in report:
        lines += [
            "Encoder depth, `python -m eval.speed_options depths` (the base's first N layers, the shipped config "
            "otherwise, trained and measured in one run):",
            "",
            "| layers | epochs | validation macro-F1 | challenge macro-F1 | batch replies/s | speed-up | train seconds |",
            "|---|---|---|---|---|---|---|",
        ]
        rows = report["depths"]["layers"]
        for layers, row in rows.items():
            mark = " (shipped)" if row.get("shipped") else ""
            lines.append(
                f"| {layers}{mark} | {row.get('epochs', shipped_epochs)} | {row['validation_macro_f1']:.3f} | "
                f"{row['challenge_macro_f1']:.3f} | {row['batch_replies_per_second']} | {row['speedup']}x | "
                f"{row.get('train_seconds', '')} |"
            )
        shallow = [row for row in rows.values() if not row.get("shipped")]
        if shallow:
            lines += [
                "",
                "The shallower encoders buy "
                + " and ".join(f"{row['speedup']}x" for row in shallow)
                + " the batch rate for validation changes of "
                + " and ".join(f"{row['validation_change']:+.3f}" for row in shallow)
                + " and challenge changes of "
                + " and ".join(f"{row['challenge_change']:+.3f}" for row in shallow)
                + " macro-F1.",
            ]
        lines.append("")
    return lines


def render_card(model_dir: Path, reports_dir: Path = REPORTS_DIR) -> str:
    metrics = _load(reports_dir / model_dir.name / "metrics.json")
    if metrics is None:
        raise FileNotFoundError(f"{reports_dir / model_dir.name}/metrics.json: run `python -m eval.evaluate` first")
    training = _load(model_dir / "training_config.json") or {}
    config = training.get("config", {})
    served = (_load(model_dir / "coach_config.json") or {}).get("input", {})
    baselines = list(metrics.get("baselines", {}).values())
    agreement = metrics.get("onnx_int8_vs_torch")
    label_lines = [f"- `{label.name}`: {label.definition}" for label in LABELS]
    parts = [
        "---",
        "library_name: transformers",
        "pipeline_tag: text-classification",
        "language: en",
        "license: mit",
        "base_model: sentence-transformers/all-MiniLM-L6-v2",
        "tags: [empathy, counselling, multi-label]",
        "---",
        "",
        f"# {model_dir.name}",
        "",
        "A multi-label classifier that tags a helper's reply to a client (with the client statement as context "
        "when there is one) with three empathy components and an over-identification flag. Labels follow "
        "`data/CODEBOOK.md`, which follows the article \u201cThe Neuroscience of Empathy: Implications for "
        "Therapy\u201d (Mental Health Academy).",
        "",
        *label_lines,
        "",
        "Four sigmoid outputs (`problem_type: multi_label_classification`); per-label decision thresholds, chosen "
        "on the validation split, are in `coach_config.json`:",
        "",
        "```json",
        json.dumps({n: m["threshold"] for n, m in metrics["labels"].items()}),
        "```",
        "",
        "## Use",
        "",
        "```python",
        "from transformers import pipeline",
        f'clf = pipeline("text-classification", model="models/{model_dir.name}", top_k=None)',
        'clf("That sounds terrifying. I\'m here with you.")',
        "```",
        "",
        "The pipeline scores a reply alone. `coach.analysis.Analyzer` adds the client statement as context, the "
        "validation thresholds, sentence-level tags and coaching feedback, and uses the int8 ONNX copy in `onnx/`.",
        "",
        "## Training",
        "",
        f"Fine-tuned from `{config.get('base', '?')}` on the train split of the team-written corpus "
        f"(`data/README.md`), {config.get('epochs', '?')} epochs, learning rate {config.get('learning_rate', '?')}, "
        f"batch {config.get('batch_size', '?')}, the client statement's last {config.get('max_context_tokens', '?')} "
        f"tokens as context, dropped for {config.get('context_dropout', '?')} of pairs, seed "
        f"{config.get('seed', '?')}. Served with the last {served.get('max_context_tokens', '?')} tokens of the client "
        f"statement (see Speed against accuracy). Wall time: {training.get('train_seconds', '?')} s on "
        f"{training.get('torch_threads', '?')} CPU threads. Full config: `training_config.json`.",
        "",
        f"## Evaluation on the test split ({metrics['n_records']} replies)",
        "",
        "Produced by `python -m eval.evaluate` (report, plots and the most confident errors in "
        f"`eval/reports/{model_dir.name}/`). Baselines are scored by the same code on the same split.",
        "",
        metrics_table([metrics, *baselines]),
        "",
        METRICS_START,
        "```json",
        json.dumps(card_metrics(metrics), indent=1),
        "```",
        METRICS_END,
        "",
    ]
    if agreement:
        parts += [
            f"int8 ONNX vs PyTorch on the test split: {agreement['decisions_identical']:.2%} of decisions "
            f"identical (needs at least 99%), largest probability difference "
            f"{agreement['max_probability_difference']}.",
            "",
        ]
    alone = metrics.get("single_vs_batch")
    if alone:
        parts += [
            "Dynamic int8 quantisation scales activations per batch, so a reply's scores depend on the replies "
            f"batched with it: scored one reply per call and in the test split's batches, "
            f"{alone['decisions_identical']:.2%} of decisions are identical, largest probability difference "
            f"{alone['max_probability_difference']}.",
            "",
        ]
    parts += [
        "## Beyond the test split",
        "",
        *extra_sets_section(model_dir.name, reports_dir),
        "## Speed",
        "",
        *speed_section(_load(reports_dir / "benchmark.json")),
        "",
        "## Base encoder comparison",
        "",
        *comparison_section(_load(reports_dir / "base_comparison.json")),
        "",
        "## Speed against accuracy",
        "",
        *speed_options_section(_load(reports_dir / "speed_options.json"), config.get("epochs", "?")),
        "## Limitations",
        "",
        "- Trained on a corpus written by the project team, not on real sessions: real transcripts are "
        "messier, and accuracy on them will be lower than on this test split. Check on your own labelled "
        "data with `coach eval --data FILE`.",
        "- English only. The client statement is truncated to its last "
        f"{served.get('max_context_tokens', '?')} tokens and the reply to {served.get('max_reply_tokens', '?')}.",
        "- A training aid, not a clinical assessment: it does not judge risk and must not be used to grade "
        "clinicians without a human reading the replies.",
        "",
    ]
    return "\n".join(parts)


def write_model_card(model_dir: Path, reports_dir: Path = REPORTS_DIR) -> Path:
    target = Path(model_dir) / "README.md"
    write_text(target, render_card(Path(model_dir), reports_dir))
    return target


RESULTS_START, RESULTS_END = "<!-- results:start -->", "<!-- results:end -->"


def results_block(model_dir: Path, reports_dir: Path = REPORTS_DIR) -> str:
    """The README's Results section, from the same files as the model card."""
    from coach.paths import DATA_DIR

    metrics = _load(reports_dir / model_dir.name / "metrics.json")
    lines = [RESULTS_START, ""]
    if metrics:
        baselines = metrics.get("baselines", {})
        lines += [
            f"Test split ({metrics['n_records']} replies), `python -m eval.evaluate`:",
            "",
            "| scorer | macro-F1 | " + " | ".join(f"{n} F1" for n in metrics["labels"]) + " |",
            "|---|---|" + "---|" * len(metrics["labels"]),
        ]
        for result in [metrics, *baselines.values()]:
            lines.append(
                f"| {result['scorer']} | {result['macro_f1']:.3f} | "
                + " | ".join(f"{m['f1']:.3f}" for m in result["labels"].values())
                + " |"
            )
        lines.append("")
    for name, what in EXTRA_SETS.items():
        extra = _load(reports_dir / f"{model_dir.name}-{name}" / "metrics.json")
        if extra:
            lines += [
                f"On the {what}: macro-F1 {extra['macro_f1']:.3f} ("
                + ", ".join(f"{n} {m['f1']:.3f}" for n, m in extra["labels"].items())
                + f") over {extra['n_records']} replies.",
                "",
            ]
    kappa = _load(DATA_DIR / "agreement" / "kappa.json")
    if kappa:
        lines += [
            "Label agreement, blind second pass on 10% (`python -m eval.agreement kappa`): Cohen's kappa "
            + ", ".join(f"{n} {k['kappa']:.2f}" for n, k in kappa["labels"].items())
            + ".",
            "",
        ]
    training = _load(model_dir / "training_config.json")
    if training:
        lines += [
            f"Training time (`python -m train.train`): {training['train_seconds']:.0f} s on "
            f"{training['torch_threads']} CPU threads.",
            "",
        ]
    bench = _load(reports_dir / "benchmark.json")
    if bench and "onnx" in bench["backends"]:
        o = bench["backends"]["onnx"]
        lines += [
            f"Speed on {bench['machine']['cpu_count']} cores, int8 ONNX (`python -m eval.benchmark`): classifier "
            f"p50 {o['classifier_one_reply']['p50_ms']} ms per reply, full analysis p50 "
            f"{o['full_analysis_one_reply']['p50_ms']} ms, batch {o['batch_replies_per_second']} replies/s "
            f"with client statements ({o['batch_reply_only_per_second']} replies/s reply only).",
            "",
        ]
    load = _load(reports_dir / "load_test.json")
    if load:
        lines += [
            f"App load test (`python -m eval.load_test`): {load['clients']} clients x "
            f"{load['requests_per_client']} analyses, {load['errors']} errors, latency p50 "
            f"{load['p50_s'] * 1000:.0f} ms, p95 {load['p95_s'] * 1000:.0f} ms (clients and app on the same "
            f"{load['cpus']} cores); the app answered {load['startup_s']} s after `python app.py` started.",
            "",
        ]
    transcripts = _load(reports_dir / "bench_transcripts.json")
    if transcripts:
        lines += [
            f"Transcripts (`python -m eval.bench_transcripts`): {transcripts.get('therapist_turns')} "
            f"therapist turns in {transcripts.get('total_seconds')} s end to end, "
            f"{transcripts.get('therapist_turns_per_second')} therapist turns/s.",
            "",
        ]
    return "\n".join([*lines, RESULTS_END])


def update_readme(model_dir: Path, readme: Path | None = None) -> Path:
    from coach.paths import REPO_ROOT

    readme = readme or REPO_ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(RESULTS_START, 1)
    write_text(readme, head + results_block(Path(model_dir)) + rest.split(RESULTS_END, 1)[1])
    return readme


if __name__ == "__main__":
    import sys

    from coach.paths import DEFAULT_MODEL_DIR

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MODEL_DIR
    print(write_model_card(target))
    print(update_readme(target))
