"""The ``coach`` command: analyse, score files, evaluate on labelled data, score transcripts."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from coach.io import InputError
from coach.paths import DEFAULT_MODEL_DIR, REPORTS_DIR
from coach.schema import LABEL_NAMES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coach", description="Empathy Coach: offline empathy feedback on replies.")
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR), help="model directory (default: the shipped model)")
    parser.add_argument("--backend", default="auto", choices=["auto", "onnx", "torch"], help="inference runtime")
    commands = parser.add_subparsers(dest="command", required=True)

    analyze = commands.add_parser("analyze", help="analyse one reply and print the feedback")
    analyze.add_argument("reply")
    analyze.add_argument("--client", default="", help="the client statement the reply answers")
    analyze.add_argument("--json", action="store_true", help="print the full analysis as JSON")

    score = commands.add_parser("score", help="score a CSV/JSONL file of replies")
    score.add_argument("input", type=Path, help="CSV or JSONL with a 'reply' column (and optionally 'client')")
    score.add_argument("-o", "--output", type=Path, required=True, help="output .csv or .jsonl")
    score.add_argument("--force", action="store_true", help="replace the output if it exists")
    score.add_argument("--quiet", action="store_true", help="no progress bar")

    evaluate = commands.add_parser("eval", help="evaluate the model on a labelled file")
    evaluate.add_argument(
        "--data",
        type=Path,
        required=True,
        nargs="+",
        help="labelled CSV/JSONL (reply, client, any label columns), EPITOME CSVs or ESConv JSON",
    )
    evaluate.add_argument("--format", default="auto", choices=["auto", "records", "epitome", "esconv"])
    evaluate.add_argument("-o", "--output-dir", type=Path, help="report folder (default: eval/reports/data-<name>)")

    try:
        from coach.transcripts import add_transcripts_command
    except ImportError:  # the transcripts module is optional while it is being built
        pass
    else:
        add_transcripts_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (InputError, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def run_analyze(args) -> int:
    from coach.analysis import Analyzer

    result = Analyzer.load(args.model, args.backend).analyze(args.reply, args.client or None)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return 0
    for name in LABEL_NAMES:
        print(f"{name:<20} {'yes' if result.labels[name] else 'no ':<4} {result.scores[name]:.2f}")
    print()
    print(result.feedback.summary)
    for note in result.feedback.strengths + result.feedback.missing + result.feedback.focus:
        print(f"- {note}")
    return 0


def run_score(args) -> int:
    from coach.analysis import Analyzer
    from coach.scoring import check_output, score_file

    check_output(args.input, args.output, args.force)  # before the model loads: fail fast
    count = score_file(
        Analyzer.load(args.model, args.backend),
        args.input,
        args.output,
        args.force,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    print(f"scored {count} rows -> {args.output}")
    return 0


def run_eval(args) -> int:
    from coach.adapters import read_labelled
    from coach.analysis import Analyzer
    from coach.evaluation import Scored, evaluate, metrics_table, write_report

    records = read_labelled(args.data, args.format)
    if not records:
        raise ValueError(f"{args.data[0]}: no labelled rows found")
    analyzer = Analyzer.load(args.model, args.backend)
    probs = analyzer.classifier.predict_proba([r["reply"] for r in records], [r.get("client") for r in records])
    result = evaluate(Scored(Path(args.model).name, records, probs, analyzer.classifier.thresholds))
    out = args.output_dir or REPORTS_DIR / f"data-{args.data[0].stem}"
    write_report(out, result, title=f"Evaluation on {', '.join(str(p) for p in args.data)}")
    print(metrics_table([result]))
    print(f"\nreport: {out / 'report.md'}")
    return 0


def run_transcripts(args) -> int:
    from coach.transcripts import run_transcripts_command

    return run_transcripts_command(args)


COMMANDS = {"analyze": run_analyze, "score": run_score, "eval": run_eval, "transcripts": run_transcripts}

if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
