"""Readers for labelled data in other projects' formats, turned into canonical records.

- EPITOME (Sharma et al., 2020): one CSV per mechanism with ``seeker_post``,
  ``response_post`` and ``level`` (0-2). Emotional reactions > 0 means
  affective; interpretations or explorations > 0 means cognitive. The
  mechanism comes from the file name (or ``mechanism=``); rows for the same
  pair in several files are merged.
- ESConv (Liu et al., 2021): a JSON list of conversations whose supporter turns
  carry a strategy. "Reflection of feelings" means affective, "Restatement or
  Paraphrasing" cognitive, "Providing Suggestions" compassionate; every other
  label is unknown (None) and is skipped by the evaluation, not counted as false.
"""

from __future__ import annotations

import json
from pathlib import Path

from coach.data import read_records
from coach.io import InputError, decoded_lines, read_table
from coach.schema import LABEL_NAMES

EPITOME_COLUMNS = ("seeker_post", "response_post", "level")
EPITOME_MECHANISMS = {"emotional": "affective", "interpretation": "cognitive", "exploration": "cognitive"}
ESCONV_STRATEGIES = {
    "Reflection of feelings": "affective",
    "Restatement or Paraphrasing": "cognitive",
    "Providing Suggestions": "compassionate",
}


def detect_format(path: str | Path) -> str:
    """ "esconv" for .json, "epitome" for a CSV with EPITOME's columns, else "records"."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return "esconv"
    if path.suffix.lower() == ".csv":
        for _, text in decoded_lines(path):
            header = {c.strip() for c in text.strip().split(",")}
            return "epitome" if {"seeker_post", "response_post"} <= header else "records"
    return "records"


def read_labelled(paths: list[str | Path], fmt: str = "auto") -> list[dict]:
    """Read one or more labelled files of the same format into records."""
    fmt = detect_format(paths[0]) if fmt == "auto" else fmt
    if fmt == "epitome":
        return read_epitome(paths)
    if fmt == "esconv":
        return [record for path in paths for record in read_esconv(path)]
    if fmt == "records":
        return [record for path in paths for record in read_records(path)]
    raise ValueError(f"unknown format '{fmt}'; expected auto, records, epitome or esconv")


def epitome_mechanism(path: Path) -> str:
    name = path.name.lower()
    for key, label in EPITOME_MECHANISMS.items():
        if key in name:
            return label
    raise InputError(
        path,
        None,
        "is not named after an EPITOME mechanism",
        "keep EPITOME's file names (emotional-reactions, interpretations, explorations)",
    )


def read_epitome(paths: list[str | Path]) -> list[dict]:
    """Merge EPITOME mechanism files into records keyed by (seeker post, response)."""
    merged: dict[tuple[str, str], dict] = {}
    for path in map(Path, paths):
        label = epitome_mechanism(path)
        for line, row in read_table(path, required=EPITOME_COLUMNS):
            try:
                level = int(str(row["level"]).strip())
            except ValueError:
                raise InputError(path, line, f"has level '{row['level']}'", "use 0, 1 or 2") from None
            key = (row["seeker_post"], row["response_post"])
            record = merged.setdefault(
                key,
                {
                    "id": row.get("rp_id") or f"{path.stem}:{line}",
                    "client": key[0],
                    "reply": key[1],
                    **{n: None for n in LABEL_NAMES},
                    "source": "epitome",
                },
            )
            # Interpretations and explorations both feed cognitive: any level > 0 makes it true.
            record[label] = bool(record[label]) or level > 0
    return list(merged.values())


def read_esconv(path: str | Path) -> list[dict]:
    """Supporter turns with a mapped strategy, each with the seeker turns before it as context."""
    path = Path(path)
    text = "".join(t for _, t in decoded_lines(path))
    try:
        conversations = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(path, err.lineno, f"is not valid JSON ({err.msg})", "give ESConv's JSON file") from None
    if not isinstance(conversations, list):
        raise InputError(path, 1, "is not a JSON list of conversations", "give ESConv's JSON file")
    records = []
    for c, conversation in enumerate(conversations):
        context: list[str] = []
        previous = None
        for t, turn in enumerate(conversation.get("dialog", [])):
            speaker = turn.get("speaker")
            if speaker == "seeker":
                # A seeker turn after a supporter turn starts a new context.
                context = (
                    [*context, turn.get("content", "").strip()]
                    if previous == "seeker"
                    else [turn.get("content", "").strip()]
                )
                previous = speaker
                continue
            previous = speaker
            label = ESCONV_STRATEGIES.get((turn.get("annotation") or {}).get("strategy"))
            if label:
                records.append(
                    {
                        "id": f"{path.stem}:{c}:{t}",
                        "client": " ".join(context),
                        "reply": turn["content"],
                        **{n: (True if n == label else None) for n in LABEL_NAMES},
                        "source": "esconv",
                    }
                )
    return records
