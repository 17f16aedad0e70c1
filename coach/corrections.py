"""Trainees' and trainers' corrections, appended to a local JSONL file.

Each line is a record in the canonical shape (``reply``, ``client`` and the four
labels), so ``coach eval --data corrections.jsonl`` and training can use it. The
file is only ever appended to, never rewritten.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from coach.analysis import check_reply
from coach.paths import REPO_ROOT
from coach.schema import LABEL_NAMES

DEFAULT_CORRECTIONS_FILE = Path(
    os.environ.get("EMPATHY_COACH_CORRECTIONS", REPO_ROOT / "corrections" / "corrections.jsonl")
)


def record_correction(
    reply: str,
    client: str | None,
    labels: dict[str, bool],
    predicted: dict[str, bool] | None = None,
    note: str = "",
    path: str | Path = DEFAULT_CORRECTIONS_FILE,
) -> dict:
    """Append one corrected example and return it."""
    check_reply(reply)
    missing = [name for name in LABEL_NAMES if name not in labels]
    if missing:
        raise ValueError(f"a correction needs all four labels; missing: {', '.join(missing)}")
    row = {
        "reply": reply,
        "client": client or "",
        **{n: bool(labels[n]) for n in LABEL_NAMES},
        "predicted": predicted or {},
        "note": note,
        "source": "correction",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write of one line in append mode: earlier lines are never touched.
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row
