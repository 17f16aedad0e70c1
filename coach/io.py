"""Reading users' CSV/JSONL files and writing outputs safely.

Every reading error is an ``InputError`` that names the file, the line and the
fix, so a person can act on it. Writers are atomic: they write a temporary file
beside the target and rename it, so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

TABLE_SUFFIXES = (".csv", ".jsonl")


class InputError(ValueError):
    """A problem with a file the user gave us, with where it is and how to fix it."""

    def __init__(self, path: str | os.PathLike, line: int | None, problem: str, fix: str):
        self.path, self.line, self.problem, self.fix = str(path), line, problem, fix
        where = f"{self.path}, line {line}" if line else self.path
        super().__init__(f"{where}: {problem}. Fix: {fix}")


def decoded_lines(path: str | os.PathLike) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for a UTF-8 text file, failing clearly on binary data."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if b"\x00" in raw:
                raise InputError(
                    path,
                    number,
                    "contains binary data (NUL bytes)",
                    "give a UTF-8 text file (CSV, JSONL or plain text)",
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise InputError(
                    path, number, f"is not UTF-8 text (byte {err.start})", "re-save the file with UTF-8 encoding"
                ) from None
            if number == 1:
                text = text.removeprefix("\ufeff")
            yield number, text


def table_format(path: str | os.PathLike) -> str:
    """Return ``"csv"`` or ``"jsonl"`` from the file name, or raise an InputError."""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(path, None, f"has an unsupported extension '{suffix}'", "use a .csv or .jsonl file")
    return suffix[1:]


def read_table(path: str | os.PathLike, required: Iterable[str] = ()) -> Iterator[tuple[int, dict]]:
    """Stream ``(line_number, row)`` from a CSV or JSONL file.

    Args:
        path: a ``.csv`` (with a header row) or ``.jsonl`` (one object a line) file.
        required: columns every row must have; a missing one raises InputError.
    """
    required = tuple(required)
    rows = _read_csv(path) if table_format(path) == "csv" else _read_jsonl(path)
    seen_any = False
    for number, row in rows:
        seen_any = True
        missing = [name for name in required if name not in row]
        if missing:
            found = ", ".join(row) or "nothing"
            raise InputError(
                path,
                number,
                f"has no '{missing[0]}' field (found: {found})",
                f"add a '{missing[0]}' column or key to every row",
            )
        yield number, row
    if not seen_any:
        raise InputError(path, None, "is empty", "give a file with at least one row")


def _read_csv(path) -> Iterator[tuple[int, dict]]:
    lines = decoded_lines(path)
    numbers: list[int] = []

    def texts():
        for number, text in lines:
            numbers.append(number)
            yield text

    reader = csv.DictReader(texts())
    try:
        header = reader.fieldnames
    except csv.Error as err:
        raise InputError(path, 1, f"has a malformed header ({err})", "fix the CSV header row") from None
    if not header:
        return
    header = [name.strip() for name in header]
    reader.fieldnames = header
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise InputError(
                path, numbers[-1] if numbers else None, f"is not valid CSV ({err})", "check the quoting on that line"
            ) from None
        if None in row:
            raise InputError(
                path, reader.line_num, "has more fields than the header", "quote fields that contain commas"
            )
        yield reader.line_num, {key: ("" if value is None else value) for key, value in row.items()}


def _read_jsonl(path) -> Iterator[tuple[int, dict]]:
    for number, text in decoded_lines(path):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(path, number, f"is not valid JSON ({err.msg})", "write one JSON object per line") from None
        if not isinstance(row, dict):
            raise InputError(path, number, "is not a JSON object", "write one JSON object per line")
        yield number, row


@contextmanager
def atomic_path(target: str | os.PathLike):
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    # mkstemp creates 0600; give the file the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(path: str | os.PathLike, rows: Iterable[dict], columns: list[str] | None = None) -> int:
    """Write rows atomically as CSV or JSONL (by ``path``'s extension); return the count."""
    fmt = table_format(path)
    count = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = None
        for row in rows:
            if fmt == "jsonl":
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                if writer is None:
                    writer = csv.DictWriter(handle, fieldnames=columns or list(row), extrasaction="ignore")
                    writer.writeheader()
                writer.writerow({key: csv_cell(value) for key, value in row.items()})
            count += 1
    return count


def csv_cell(value):
    """How a value is written into a CSV cell: booleans as true/false, None as empty, lists as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_json(path: str | os.PathLike, obj) -> None:
    """Write ``obj`` as pretty JSON, atomically."""
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write text atomically."""
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
