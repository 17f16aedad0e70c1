"""The canonical record shape and loading of the labelled corpus.

A record is a dict ``{id, client, reply, <one key per label>, context, source}``
with boolean labels (``None`` where a label is unknown, as in trainers' files
that label only some components). Training, evaluation and scoring only ever
see records; raw formats are converted once, by ``train/prepare.py`` for the
corpus and by ``coach.adapters`` for other datasets' files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from coach.io import InputError, read_table
from coach.paths import SPLITS, SPLITS_DIR
from coach.schema import LABEL_NAMES

TRUE_WORDS = {"1", "true", "yes", "y", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "f"}


def parse_label(value, path=None, line=None, column=""):
    """Turn a cell (bool, 0/1, "true"/"no", empty) into True, False or None (unknown)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text == "":
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise InputError(
        path or "input",
        line,
        f"has '{value}' in column '{column}'",
        "use true/false, yes/no or 1/0, or leave the cell empty if unknown",
    )


def record_from_row(row: dict, path=None, line=None) -> dict:
    """Normalise one input row to a record; label columns missing from the row become None."""
    reply = row.get("reply")
    if not isinstance(reply, str):
        raise InputError(path or "input", line, "has no text in 'reply'", "put the reply text in a 'reply' column")
    client = row.get("client") or ""
    record = {"id": str(row.get("id", line or "")), "client": str(client), "reply": reply}
    for name in LABEL_NAMES:
        record[name] = parse_label(row.get(name), path, line, name)
    for key in ("context", "source"):
        if key in row:
            record[key] = row[key]
    return record


def read_records(path: str | os.PathLike) -> list[dict]:
    """Read a labelled CSV/JSONL file (``reply``, optional ``client``, any label columns)."""
    return [record_from_row(row, path, number) for number, row in read_table(path, required=("reply",))]


def split_path(split: str, splits_dir: Path = SPLITS_DIR) -> Path:
    if split not in SPLITS:
        raise ValueError(f"unknown split '{split}'; expected one of {', '.join(SPLITS)}")
    return Path(splits_dir) / f"{split}.jsonl"


def load_split(split: str, splits_dir: Path = SPLITS_DIR) -> list[dict]:
    """Return the records of one corpus split (train, validation or test)."""
    with open(split_path(split, splits_dir), encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_corpus(splits_dir: Path = SPLITS_DIR) -> dict[str, list[dict]]:
    """Return ``{split: records}`` for the whole corpus."""
    return {split: load_split(split, splits_dir) for split in SPLITS}


def load_corpus_dataset(splits_dir: Path = SPLITS_DIR):
    """Return the corpus as a ``datasets.DatasetDict`` (loaded with the "json" builder)."""
    from datasets import load_dataset

    files = {split: str(split_path(split, splits_dir)) for split in SPLITS}
    return load_dataset("json", data_files=files)


def label_vector(record: dict) -> list:
    """The record's labels in schema order (True/False/None)."""
    return [record.get(name) for name in LABEL_NAMES]


ADJUDICATED_FILE = "agreement/adjudicated.jsonl"


def load_adjudications(data_dir: Path | None = None) -> dict[str, dict]:
    """Final labels decided after the blind second pass, ``{item id: {label: bool}}``."""
    from coach.paths import DATA_DIR

    path = Path(data_dir or DATA_DIR) / ADJUDICATED_FILE
    if not path.exists():
        return {}
    final = {}
    for _, row in read_table(path, required=("id",)):
        final[row["id"]] = {name: bool(row[name]) for name in LABEL_NAMES if name in row}
    return final
