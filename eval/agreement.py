"""The blind second pass: draw the sample, then measure agreement (Cohen's kappa).

    python -m eval.agreement sample   # writes data/agreement/sample.jsonl (no labels in it)
    python -m eval.agreement kappa    # compares data/agreement/blind_labels.jsonl with the team's labels

The sample is a seeded random 10% of the hand-written items, drawn per writing batch
(files added later get their own 10%). The second
annotator sees only the codebook and each item's client statement and reply.
``kappa`` writes ``data/agreement/kappa.json`` (read by the dataset card) and
``data/agreement/disagreements.jsonl`` (the items to adjudicate; final labels go
to ``data/agreement/adjudicated.jsonl``, which ``train/prepare.py`` applies).
"""

from __future__ import annotations

import json
import random
import sys

from coach.data import ADJUDICATED_FILE, load_adjudications
from coach.io import read_table, write_json, write_table
from coach.paths import DATA_DIR
from coach.schema import LABEL_NAMES
from train.prepare import assign_ids, read_corpus_files

AGREEMENT_DIR = DATA_DIR / "agreement"
SAMPLE_FILE = AGREEMENT_DIR / "sample.jsonl"
BLIND_FILE = AGREEMENT_DIR / "blind_labels.jsonl"
KAPPA_FILE = AGREEMENT_DIR / "kappa.json"
SAMPLE_SHARE, SEED = 0.10, 2026


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa for two annotators' yes/no decisions on the same items."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def team_items() -> dict[str, dict]:
    items = read_corpus_files()
    assign_ids(items)
    return {item["id"]: item for item in items}


def draw_sample() -> int:
    """Add a seeded random 10% of every corpus file that has no item in the sample yet.

    Earlier draws are kept, so files written later (a new batch of items) get a
    blind pass of their own: a random sample stratified by writing batch.
    """
    existing = [row for _, row in read_table(SAMPLE_FILE)] if SAMPLE_FILE.exists() else []
    items = team_items()
    file_of = {item_id: item["_where"].split(":")[0] for item_id, item in items.items()}
    covered = {file_of[row["id"]] for row in existing if row["id"] in file_of}
    by_file: dict[str, list[dict]] = {}
    for item in items.values():
        by_file.setdefault(file_of[item["id"]], []).append(item)
    added = []
    for name, file_items in sorted(by_file.items()):
        if name not in covered:
            added += random.Random(f"{SEED}:{name}").sample(file_items, round(SAMPLE_SHARE * len(file_items)))
    rows = existing + [{"id": i["id"], "client": i["client"], "reply": i["reply"]} for i in added]
    return write_table(SAMPLE_FILE, sorted(rows, key=lambda r: r["id"]))


def agreement() -> dict:
    team = team_items()
    blind = {row["id"]: row for _, row in read_table(BLIND_FILE, required=("id", *LABEL_NAMES))}
    ids = sorted(blind)
    result = {"items": len(ids), "share_of_corpus": round(len(ids) / len(team), 4), "labels": {}}
    disagreements = []
    for name in LABEL_NAMES:
        a = [bool(team[i][name]) for i in ids]
        b = [bool(blind[i][name]) for i in ids]
        result["labels"][name] = {
            "kappa": round(cohen_kappa(a, b), 3),
            "raw_agreement": round(sum(x == y for x, y in zip(a, b)) / len(ids), 3),
            "team_positive": sum(a),
            "blind_positive": sum(b),
        }
    adjudicated = load_adjudications()
    for i in ids:
        differs = [n for n in LABEL_NAMES if bool(team[i][n]) != bool(blind[i][n])]
        if differs:
            disagreements.append(
                {
                    "id": i,
                    "client": team[i]["client"],
                    "reply": team[i]["reply"],
                    "labels_differ": differs,
                    "team": {n: team[i][n] for n in LABEL_NAMES},
                    "blind": {n: bool(blind[i][n]) for n in LABEL_NAMES},
                }
            )
    result["items_with_a_disagreement"] = len(disagreements)
    result["adjudicated"] = sum(d["id"] in adjudicated for d in disagreements)
    result["labels_changed_by_adjudication"] = sum(
        adjudicated[i][n] != bool(team[i][n]) for i in adjudicated if i in team for n in adjudicated[i]
    )
    write_table(AGREEMENT_DIR / "disagreements.jsonl", disagreements)
    write_json(KAPPA_FILE, result)
    return result


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "kappa"
    if command == "sample":
        print(f"wrote {draw_sample()} items to {SAMPLE_FILE}")
    elif command == "kappa":
        print(json.dumps(agreement(), indent=2))
    else:
        sys.exit(f"unknown command {command}; use 'sample' or 'kappa' (adjudications: data/{ADJUDICATED_FILE})")
