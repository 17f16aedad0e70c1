"""Benchmark ``coach transcripts`` end to end on synthetic sessions.

Generates a set of sessions (plain-text files, one multi-session CSV and one multi-session
JSONL) in a temporary folder, scores them with ``coach.transcripts.score_transcripts``
(parsing, inference, per-turn files, plots and summaries all included) and writes the
timings to ``eval/reports/bench_transcripts.json``. Loading the model is timed apart: it is
paid once per run, whatever the size.

    python -m eval.bench_transcripts                 # 10,000 turns, the shipped model
    python -m eval.bench_transcripts --turns 1000 --model /tmp/dev/model --report /tmp/bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from coach.io import write_json, write_table
from coach.paths import DATA_DIR, DEFAULT_MODEL_DIR, REPORTS_DIR
from coach.transcripts import DEFAULT_BATCH_SIZE, TranscriptOptions, score_transcripts

TARGET_THERAPIST_TURNS_PER_SECOND = 500
# Used when the corpus is not there, so the benchmark still runs on a bare checkout.
FALLBACK_CLIENT = [
    "I haven't slept properly in weeks and work keeps piling up.",
    "My sister says I should be over it by now.",
    "I don't know why I even came today.",
]
FALLBACK_REPLY = [
    "It sounds like you're running on empty.",
    "What was that like for you?",
    "Would it help to look at this week together?",
    "I had the exact same thing happen to me.",
]


class TimedAnalyzer:
    """Wraps an Analyzer and adds up the seconds spent in ``classify`` (the model's share)."""

    def __init__(self, analyzer):
        self.analyzer, self.seconds, self.calls = analyzer, 0.0, 0

    def classify(self, replies, clients=None):
        start = time.perf_counter()
        try:
            return self.analyzer.classify(replies, clients)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1

    @property
    def classifier(self):
        return self.analyzer.classifier


def corpus_texts(corpus_dir: Path = DATA_DIR / "corpus") -> tuple[list[str], list[str]]:
    """Client statements and replies from the corpus: real lengths make the timing realistic."""
    clients, replies = set(), set()
    for path in sorted(corpus_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            clients.add(" ".join(str(row.get("client", "")).split()))
            replies.add(" ".join(str(row.get("reply", "")).split()))
    clients.discard("")
    replies.discard("")
    return sorted(clients) or FALLBACK_CLIENT, sorted(replies) or FALLBACK_REPLY


def synthetic_session(rng: random.Random, turns: int, clients: list[str], replies: list[str]) -> list[tuple]:
    """``(speaker, text)`` pairs: mostly alternating, sometimes two client turns in a row."""
    session, speaker = [], "Client"
    while len(session) < turns:
        session.append((speaker, rng.choice(clients if speaker == "Client" else replies)))
        speaker = "Client" if speaker == "Therapist" or rng.random() < 0.1 else "Therapist"
    return session


def generate(folder: Path, total_turns: int, session_turns: int, seed: int = 0) -> dict:
    """Write sessions adding up to ``total_turns``: half as .txt files, a quarter each in one CSV and one JSONL."""
    rng, (clients, replies) = random.Random(seed), corpus_texts()
    sizes = [session_turns] * (total_turns // session_turns)
    if total_turns % session_turns:
        sizes.append(total_turns % session_turns)
    sessions = [synthetic_session(rng, n, clients, replies) for n in sizes]
    folder.mkdir(parents=True, exist_ok=True)
    table_rows = {"csv": [], "jsonl": []}
    for i, session in enumerate(sessions):
        if i % 2 == 0:
            _write_txt(folder / f"session_{i:05d}.txt", session)
        else:
            kind = "csv" if i % 4 == 1 else "jsonl"
            table_rows[kind] += [
                {"session_id": f"s{i:05d}", "turn": t, "speaker": s, "text": x}
                for t, (s, x) in enumerate(session, start=1)
            ]
    _write_tables(folder, table_rows)
    return {
        "sessions": len(sessions),
        "turns": sum(sizes),
        "therapist_turns": sum(s == "Therapist" for session in sessions for s, _ in session),
    }


def _write_txt(path: Path, session: list[tuple]) -> None:
    lines = []
    for speaker, text in session:
        head, _, tail = text.partition(". ")  # a continuation line now and then, as in real transcripts
        if ":" in " ".join(tail.split()[:4]):
            head, tail = text, ""  # "First question: ..." on its own line would read as a speaker prefix
        lines += [f"{speaker}: {head}." if tail else f"{speaker}: {text}"] + ([tail] if tail else [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_tables(folder: Path, table_rows: dict) -> None:
    for kind, rows in table_rows.items():
        if rows:
            write_table(folder / f"many_sessions.{kind}", rows)


def run_benchmark(args) -> dict:
    """Generate, load, score; return the report."""
    from coach.analysis import Analyzer

    start = time.perf_counter()
    analyzer = TimedAnalyzer(Analyzer.load(args.model, args.backend))
    load_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="bench_transcripts_") as tmp:
        counts = generate(Path(tmp) / "in", args.turns, args.session_turns, args.seed)
        options = TranscriptOptions(output_format=args.format, quiet=True, batch_size=args.batch_size)
        start = time.perf_counter()
        result = score_transcripts([Path(tmp) / "in"], Path(tmp) / "out", lambda: analyzer, options)
        seconds = time.perf_counter() - start
    rate = result.scored_turns / seconds
    return {
        "turns": counts["turns"],
        "therapist_turns": result.scored_turns,
        "sessions": result.scored_sessions,
        "session_turns": args.session_turns,
        "therapist_turns_per_second": round(rate, 1),
        "turns_per_second": round(counts["turns"] / seconds, 1),
        "total_seconds": round(seconds, 2),
        "model_seconds": round(analyzer.seconds, 2),
        "other_seconds": round(seconds - analyzer.seconds, 2),
        "model_load_seconds": round(load_seconds, 2),
        "classify_calls": analyzer.calls,
        "cores": os.cpu_count(),
        "backend": analyzer.classifier.backend,
        "model": str(args.model),
        "output_format": args.format,
        "batch_size": args.batch_size,
        "target_therapist_turns_per_second": TARGET_THERAPIST_TURNS_PER_SECOND,
        "meets_target": rate >= TARGET_THERAPIST_TURNS_PER_SECOND,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "note": "total_seconds covers parsing, inference and writing every output (plots included); "
        "model_load_seconds is paid once and not in the rate",
    }


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=10_000, help="turns in the generated set (default 10,000)")
    parser.add_argument("--session-turns", type=int, default=60, help="turns per session (about a 50-minute session)")
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR), help="model directory")
    parser.add_argument("--backend", default="auto", choices=["auto", "onnx", "torch"])
    parser.add_argument("--format", default="jsonl", choices=["jsonl", "csv"])
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report", type=Path, default=REPORTS_DIR / "bench_transcripts.json")
    args = parser.parse_args(argv)
    if args.turns < 1 or args.session_turns < 2:
        parser.error("--turns must be at least 1 and --session-turns at least 2")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    report = run_benchmark(args)
    write_json(args.report, report)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
