"""Batch scoring of CSV/JSONL files of replies (``coach score``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from coach.io import InputError, atomic_path, csv_cell, read_table, table_format
from coach.schema import OUTPUT_COLUMNS

CHUNK = 512


def check_output(input_path: Path, output_path: Path, force: bool) -> None:
    """Refuse to overwrite the input, or an existing output unless ``force``."""
    table_format(output_path)
    if output_path.resolve() == input_path.resolve():
        raise InputError(output_path, None, "is the input file", "choose a different output path")
    if output_path.exists() and not force:
        raise InputError(output_path, None, "already exists", "choose another path or pass --force to replace it")


def score_rows(analyzer, rows: Iterator[tuple[int, dict]], chunk: int = CHUNK) -> Iterator[dict]:
    """Yield each input row with the label columns added, scoring ``chunk`` rows at a time."""
    buffer: list[tuple[int, dict]] = []
    for item in rows:
        buffer.append(item)
        if len(buffer) >= chunk:
            yield from _score_chunk(analyzer, buffer)
            buffer = []
    if buffer:
        yield from _score_chunk(analyzer, buffer)


def _score_chunk(analyzer, buffer: list[tuple[int, dict]]) -> Iterator[dict]:
    scorable = [row for _, row in buffer if str(row.get("reply") or "").strip()]
    results = iter(
        analyzer.classify([str(r["reply"]) for r in scorable], [str(r.get("client") or "") or None for r in scorable])
    )
    for line, row in buffer:
        if str(row.get("reply") or "").strip():
            yield {**row, **next(results)}
        else:
            print(f"warning: line {line} has an empty reply; its label columns are left empty", file=sys.stderr)
            yield {**row, **{column: None for column in OUTPUT_COLUMNS}}


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def score_file(
    analyzer, input_path: str | Path, output_path: str | Path, force: bool = False, progress: bool = True
) -> int:
    """Score every row of ``input_path`` into ``output_path`` (format by extension); return the row count."""
    import csv
    import json

    from tqdm import tqdm

    input_path, output_path = Path(input_path), Path(output_path)
    check_output(input_path, output_path, force)
    columns = _input_columns(input_path) + list(OUTPUT_COLUMNS)
    rows = tqdm(
        read_table(input_path, required=("reply",)),
        total=count_lines(input_path),
        unit="row",
        disable=not progress,
        file=sys.stderr,
        desc=f"scoring {input_path.name}",
    )
    count = 0
    with atomic_path(output_path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = None
        if table_format(output_path) == "csv":
            writer = csv.DictWriter(handle, fieldnames=list(dict.fromkeys(columns)), extrasaction="ignore")
            writer.writeheader()
        for row in score_rows(analyzer, rows):
            if writer:
                writer.writerow({k: csv_cell(v) for k, v in row.items()})
            else:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def _input_columns(path: Path) -> list[str]:
    """Every field name in the input, in first-seen order (a JSONL file's rows may differ)."""
    seen: dict[str, None] = {}
    for _, row in read_table(path, required=("reply",)):
        seen.update(dict.fromkeys(row))
        if table_format(path) == "csv":
            break
    return list(seen)
