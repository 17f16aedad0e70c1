"""Turn the hand-written corpus files into the fixed train/validation/test split.

    python -m train.prepare

Reads ``data/corpus/<context>.jsonl`` (written by the team, one file per
context) and ``data/agreement/adjudicated.jsonl`` (final labels after the blind
second pass), and writes ``data/splits/{train,validation,test}.jsonl`` in the
canonical record shape. The split is grouped by client statement, and replies
that are near-duplicates of each other (cosine >= 0.95 with the base encoder)
are kept only once, so that no reply or its near-twin sits in two splits.
About 10% of items have their client statement removed, so that the model and
the evaluation also cover replies scored on their own.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from coach.data import load_adjudications
from coach.io import InputError, read_table, write_table
from coach.paths import DATA_DIR, SPLITS_DIR
from coach.schema import LABEL_NAMES

CORPUS_DIR = DATA_DIR / "corpus"
NEAR_DUPLICATE = 0.95
# Shares of client statements (groups) per split.
SPLIT_SHARES = {"train": 0.70, "validation": 0.12, "test": 0.18}
REPLY_ONLY_SHARE = 0.10
RAW_FIELDS = ("statement_id", "client", "reply", *LABEL_NAMES, "context", "role", "style")


def stable_fraction(key: str) -> float:
    """A number in [0, 1) fixed by ``key``: the split never changes when files are re-read."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:12], 16) / 16**12


def read_corpus_files(corpus_dir: Path = CORPUS_DIR) -> list[dict]:
    """All hand-written items, in a fixed order, each with its file and line."""
    items = []
    for path in sorted(Path(corpus_dir).glob("*.jsonl")):
        for line, row in read_table(path, required=RAW_FIELDS):
            for name in LABEL_NAMES:
                if not isinstance(row[name], bool):
                    raise InputError(path, line, f"has a non-boolean '{name}'", "use true or false")
            items.append({**row, "_where": f"{path.name}:{line}"})
    return items


def assign_ids(items: list[dict]) -> None:
    """Ids built from the statement and the reply's position under it: stable and readable."""
    counters: dict[str, int] = {}
    for item in items:
        key = item["statement_id"]
        counters[key] = counters.get(key, 0) + 1
        item["id"] = f"{key}-r{counters[key]:02d}"


def drop_near_duplicates(items: list[dict], embeddings: np.ndarray) -> list[dict]:
    """Keep the first of every group of replies with cosine >= 0.95 (exact repeats included)."""
    similarity = embeddings @ embeddings.T
    kept = np.zeros(len(items), dtype=bool)
    for i in range(len(items)):
        kept[i] = not np.any(similarity[i, :i][kept[:i]] >= NEAR_DUPLICATE)
    return [item for item, keep in zip(items, kept) if keep]


def split_of(statement_id: str) -> str:
    fraction = stable_fraction("split:" + statement_id)
    if fraction < SPLIT_SHARES["test"]:
        return "test"
    if fraction < SPLIT_SHARES["test"] + SPLIT_SHARES["validation"]:
        return "validation"
    return "train"


def to_record(item: dict) -> dict:
    reply_only = stable_fraction("reply-only:" + item["id"]) < REPLY_ONLY_SHARE
    return {
        "id": item["id"],
        "client": "" if reply_only else item["client"],
        "reply": item["reply"],
        **{name: item[name] for name in LABEL_NAMES},
        "context": item["context"],
        "source": "team",
        "role": item["role"],
        "style": item["style"],
        "statement_id": item["statement_id"],
    }


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length base-encoder embeddings (all-MiniLM-L6-v2 from its PyPI package)."""
    from sentence_transformers import SentenceTransformer

    from coach.paths import base_encoder_path

    encoder = SentenceTransformer(str(base_encoder_path()), device="cpu")
    return encoder.encode(texts, batch_size=128, normalize_embeddings=True, convert_to_numpy=True)


def prepare(corpus_dir: Path = CORPUS_DIR, splits_dir: Path = SPLITS_DIR) -> dict[str, int]:
    """Build the splits; return how many records each got."""
    items = read_corpus_files(corpus_dir)
    assign_ids(items)
    adjudicated = load_adjudications()
    for item in items:
        item.update(adjudicated.get(item["id"], {}))
    items = drop_near_duplicates(items, embed([i["reply"] for i in items]))
    counts = {}
    for split in SPLIT_SHARES:
        records = [to_record(i) for i in items if split_of(i["statement_id"]) == split]
        counts[split] = write_table(Path(splits_dir) / f"{split}.jsonl", records)
    return counts


if __name__ == "__main__":
    print(json.dumps(prepare()))
