"""Batch scoring of whole session transcripts (coach transcripts PATH... -o OUTDIR).

Inputs (files, or folders walked recursively for ``.txt``, ``.csv`` and ``.jsonl``):

- plain text, one turn per line with a speaker prefix (``Therapist: ...``, ``Client: ...``,
  ``Member 2: ...``, case-insensitive); a line without a prefix continues the previous turn;
- CSV/JSONL with ``speaker`` and ``text`` (optionally ``session_id`` and ``turn``), several
  sessions per file; a session's rows must be contiguous (a session_id that comes back later
  is an error, because sessions are flushed as soon as their id changes);
- the ``coach score`` format: rows with ``reply`` (and optional ``client``) and no
  ``speaker``/``text``; each row is one therapist turn with its client statement.

Every therapist turn is scored with the client turns since the previous therapist turn as
context; client turns are kept in the output but not scored.

Output layout::

    OUTDIR/summary.csv                    one row per session
    OUTDIR/skipped.json                   files skipped with --skip-bad ([] when none)
    OUTDIR/sessions/<name>.turns.jsonl    every turn, input fields kept (.turns.csv with --format csv)
    OUTDIR/sessions/<name>.png            component probabilities over the session
    OUTDIR/sessions/<name>.summary.md
    OUTDIR/sessions/<name>.summary.json   written last: its presence marks the session complete

Memory: files are read as streams, twice. A first pass checks every file and counts turns,
so bad input fails before any model time is spent and the progress bar knows its total;
the second pass scores. At most one chunk of a session (``batch_size`` therapist turns)
is held at a time, so a 100,000-turn folder never sits in memory.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from coach.feedback import build_feedback, quote
from coach.io import InputError, atomic_path, decoded_lines, read_table, write_json, write_table, write_text
from coach.schema import BY_NAME, COMPONENTS, FLAGS, LABEL_NAMES, OUTPUT_COLUMNS, score_column

THERAPIST, CLIENT = "therapist", "client"
DEFAULT_THERAPIST_PREFIXES = ("therapist", "counsellor", "counselor", "t")
# Everyone else a transcript commonly names; they are context, never scored.
DEFAULT_CLIENT_PREFIXES = ("client", "c", "patient", "member", "participant", "partner")
TEXT_SUFFIX, TABLE_SUFFIXES = ".txt", (".csv", ".jsonl")
INPUT_SUFFIXES = (TEXT_SUFFIX, *TABLE_SUFFIXES)
OUTPUT_FORMATS = ("jsonl", "csv")
EXIT_OK, EXIT_BAD_INPUT, EXIT_SKIPPED = 0, 2, 3
# Big enough for length-sorted batches to pad little, small enough to bound memory.
DEFAULT_BATCH_SIZE = 256
# More points than this make an unreadable plot; longer sessions are averaged into bins.
MAX_PLOT_POINTS = 1500

# "Speaker: text" where the speaker is a short label starting with a letter. The colon must be
# followed by a space or the line end, so "10:30" and "https://" never look like speakers.
_SPEAKER = re.compile(r"^\s*([^\W\d_][\w.'\u2019 -]{0,39}?)\s*:(?:\s+|$)")
_MAX_SPEAKER_WORDS = 4  # "So what I meant was: ..." is a continuation, not a speaker
# "Member 2", "T2", "Partner A" are numbered or lettered variants of a known prefix.
_VARIANT_SUFFIX = re.compile(r"\s*\d+$|\s+[a-z]$")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class TranscriptsError(ValueError):
    """A problem with the run as a whole (paths, output folder), not with one input file."""


# --- speakers ---------------------------------------------------------------------------


def normalise_speaker(label: str) -> str:
    """Lower-case a speaker label and collapse its spaces: ``" Member  2:"`` -> ``"member 2"``."""
    return " ".join(str(label).replace("\u2019", "'").lower().split()).rstrip(":").strip()


def parse_prefixes(text: str | Iterable[str]) -> tuple[str, ...]:
    """Turn ``"therapist, Counsellor,t"`` (or a list) into normalised prefixes, dropping empties."""
    items = text.split(",") if isinstance(text, str) else text
    return tuple(dict.fromkeys(p for p in (normalise_speaker(i) for i in items) if p))


@dataclass(frozen=True)
class SpeakerRules:
    """Which speaker labels are the therapist (scored) and which are context (not scored)."""

    therapist: frozenset[str]
    client: frozenset[str]

    @classmethod
    def make(cls, therapist_prefixes: Iterable[str] | None = None, client_prefixes: Iterable[str] = ()) -> SpeakerRules:
        """Build the rules.

        Args:
            therapist_prefixes: replaces the default therapist prefixes when given.
            client_prefixes: added to the default context speakers (client, member N, ...).
        """
        given = DEFAULT_THERAPIST_PREFIXES if therapist_prefixes is None else therapist_prefixes
        therapist = frozenset(parse_prefixes(given))
        if not therapist:
            raise TranscriptsError("no therapist prefixes given. Fix: pass e.g. --therapist-prefixes therapist,t")
        # A prefix named as the therapist's wins over the default client list (e.g. "c" for counsellor).
        client = frozenset(parse_prefixes([*DEFAULT_CLIENT_PREFIXES, *client_prefixes])) - therapist
        return cls(therapist, client)

    def role(self, label: str, path, line: int | None) -> str:
        """Return THERAPIST or CLIENT for a speaker label, or raise an InputError naming it."""
        key = normalise_speaker(label)
        candidates = (key, _VARIANT_SUFFIX.sub("", key))
        if any(c in self.therapist for c in candidates):
            return THERAPIST
        if any(c in self.client for c in candidates):
            return CLIENT
        raise self._unknown(label, key, path, line)

    def _unknown(self, label: str, key: str, path, line) -> InputError:
        close = difflib.get_close_matches(key, sorted(self.therapist | self.client), n=1, cutoff=0.75)
        hint = f"did you mean '{close[0]}'? If not, " if close else ""
        return InputError(
            path,
            line,
            f"has an unknown speaker '{label}'" if key else "has a turn with no speaker",
            f"{hint}correct the speaker, or if '{label}' is the therapist add it to --therapist-prefixes "
            f"(now: {', '.join(sorted(self.therapist))}); if it is someone else add it to --client-prefixes",
        )


# --- parsing ------------------------------------------------------------------------------


@dataclass(slots=True)
class Turn:
    """One turn of a session: who spoke, what they said, and the input fields it came from."""

    session_id: str | None
    kind: str  # input format: "txt", "turns" (speaker/text table) or "replies" (coach score table)
    line: int
    speaker: str
    role: str
    text: str
    fields: dict
    number: int | None = None  # the turn number in its session (from a 'turn' column, or its position)
    context: str | None = None  # therapist turns: the client turns before it, joined


def iter_turns(path: Path, rules: SpeakerRules) -> Iterator[Turn]:
    """Stream the turns of one input file, in file order; malformed input raises InputError."""
    suffix = Path(path).suffix.lower()
    if suffix == TEXT_SUFFIX:
        return _text_turns(path, rules)
    if suffix in TABLE_SUFFIXES:
        return _table_turns(path, rules)
    raise InputError(
        path,
        None,
        f"has an unsupported extension '{suffix}'",
        f"give {', '.join(INPUT_SUFFIXES)} files (or a folder of them)",
    )


def _text_turns(path: Path, rules: SpeakerRules) -> Iterator[Turn]:
    """Turns of a plain-text transcript: ``Speaker: text`` lines, unprefixed lines continue."""
    current = None  # (line, speaker, role, [text parts]) of the turn being read
    for number, raw in decoded_lines(path):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        match = _SPEAKER.match(line)
        if match and len(match.group(1).split()) <= _MAX_SPEAKER_WORDS:
            if current:
                yield _text_turn(*current)
            speaker = match.group(1).strip()
            current = (number, speaker, rules.role(speaker, path, number), [line[match.end() :].strip()])
        elif current is None:
            raise InputError(
                path,
                number,
                "starts without a speaker prefix",
                "begin the first turn with a prefix such as 'Therapist:' or 'Client:'",
            )
        else:
            current[3].append(line.strip())
    if current is None:
        raise InputError(
            path, None, "is empty", "give a transcript with one turn per line, e.g. 'Client: ...' then 'Therapist: ...'"
        )
    yield _text_turn(*current)


def _text_turn(line: int, speaker: str, role: str, parts: list[str]) -> Turn:
    text = "\n".join(part for part in parts if part)
    return Turn(None, "txt", line, speaker, role, text, {"speaker": speaker, "text": text})


def _table_turns(path: Path, rules: SpeakerRules) -> Iterator[Turn]:
    """Turns of a CSV/JSONL file; its first row decides between speaker/text rows and reply rows."""
    kind = None
    for line, row in read_table(path):
        kind = kind or _table_kind(path, line, row)
        if kind == "turns":
            speaker = _cell_text(path, line, row, "speaker", required=True)
            yield Turn(
                _session_id(row),
                kind,
                line,
                speaker,
                rules.role(speaker, path, line),
                _cell_text(path, line, row, "text", required=True),
                row,
                _turn_number(path, line, row),
            )
        else:
            reply = _cell_text(path, line, row, "reply", required=True)
            yield Turn(
                _session_id(row),
                kind,
                line,
                "",
                THERAPIST,
                reply,
                row,
                _turn_number(path, line, row),
                context=_cell_text(path, line, row, "client"),
            )


def _table_kind(path: Path, line: int, row: dict) -> str:
    """ "turns" for speaker/text rows, "replies" for the ``coach score`` format, else an InputError."""
    keys = set(row)
    if {"speaker", "text"} <= keys:
        return "turns"
    if "reply" in keys and not keys & {"speaker", "text"}:
        return "replies"
    # A CSV's columns live in its header (line 1); a JSONL row carries its own keys.
    where = 1 if Path(path).suffix.lower() == ".csv" else line
    found = ", ".join(row) or "nothing"
    if keys & {"speaker", "text"}:
        missing = "text" if "speaker" in keys else "speaker"
        raise InputError(
            path,
            where,
            f"has no '{missing}' column (found: {found})",
            f"add a '{missing}' column: each row needs 'speaker' and 'text'",
        )
    raise InputError(
        path,
        where,
        f"has neither 'speaker' and 'text' columns nor a 'reply' column (found: {found})",
        "give one row per turn with 'speaker' and 'text' (optionally 'session_id' and 'turn'), "
        "or one row per therapist reply with 'reply' and optionally 'client'",
    )


def _cell_text(path: Path, line: int, row: dict, key: str, required: bool = False) -> str:
    """A row's text value as a string: numbers are stringified, null is empty, lists are refused."""
    if key not in row:
        if required:
            raise InputError(path, line, f"has no '{key}' field", f"give every row a '{key}' field")
        return ""
    value = row[key]
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise InputError(path, line, f"has a {type(value).__name__} in '{key}'", f"make '{key}' a plain string")
    return str(value)


def _session_id(row: dict) -> str | None:
    value = row.get("session_id")
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _turn_number(path: Path, line: int, row: dict) -> int | None:
    """The row's 'turn' as an int, None when absent, or an InputError when it is not a whole number."""
    value = row.get("turn")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise InputError(
        path,
        line,
        f"has turn '{value}', which is not a whole number",
        "number the turns 1, 2, 3... or leave the 'turn' column out",
    )


def iter_sessions(path: Path, rules: SpeakerRules) -> Iterator[tuple[str | None, Iterator[Turn]]]:
    """Yield ``(session_id, turns)`` per session, streaming; each turn has its number and context.

    Read each session's turns before asking for the next session (groupby shares one stream).
    A session's rows must be contiguous: its id coming back after another session is an error.
    """
    seen: dict[str | None, int] = {}
    for session_id, group in itertools.groupby(iter_turns(path, rules), key=lambda t: t.session_id):
        first = next(group)
        if session_id in seen:
            which = f"session '{session_id}'" if session_id is not None else "rows without a session_id"
            raise InputError(
                path,
                first.line,
                f"has {which} again after other sessions (they started on line {seen[session_id]})",
                "keep each session's rows together: sort the file by session_id, keeping turn order",
            )
        seen[session_id] = first.line
        # The group is lazy: the caller reads it before groupby moves on (it must, as documented).
        yield session_id, _numbered_with_context(itertools.chain([first], group))  # noqa: B031


def _numbered_with_context(turns: Iterable[Turn]) -> Iterator[Turn]:
    """Number turns by position (unless numbered already) and give each therapist turn its context."""
    pending: list[str] = []  # client turns since the last therapist turn
    for position, turn in enumerate(turns, start=1):
        if turn.number is None:
            turn.number = position
        if turn.role == CLIENT:
            pending.append(turn.text)
        else:
            if turn.context is None:  # the reply format brings its own context
                turn.context = " ".join(text for text in pending if text.strip())
            pending = []
        yield turn


# --- planning: names, outputs, resume ---------------------------------------------------


@dataclass
class SessionPlan:
    """One session found by the first pass, with where its outputs go."""

    source: Path
    session_id: str | None
    kind: str
    first_line: int
    turns: int = 0
    therapist_turns: int = 0
    columns: dict = field(default_factory=dict)  # input field names, first-seen order
    name: str = ""
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def fingerprint(self) -> dict:
        """What must match for --resume to trust an existing summary (same input, same reading)."""
        stat = self.source.stat()
        return {
            "source": str(self.source.resolve()),
            "session_id": self.session_id,
            "turns": self.turns,
            "therapist_turns": self.therapist_turns,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
        }


def scan_file(path: Path, rules: SpeakerRules) -> list[SessionPlan]:
    """First pass over one file: check every line and count each session's turns (nothing kept)."""
    plans = []
    for session_id, turns in iter_sessions(path, rules):
        plan = None
        for turn in turns:
            plan = plan or SessionPlan(Path(path), session_id, turn.kind, turn.line)
            plan.turns += 1
            plan.therapist_turns += turn.role == THERAPIST
            plan.columns.update(dict.fromkeys(turn.fields))
        plans.append(plan)
    return plans


def safe_name(text: str) -> str:
    """A file-name-safe version of ``text`` (letters, digits, ``._-``), never empty."""
    return _UNSAFE_NAME.sub("_", str(text)).strip("._-")[:80] or "session"


class SessionNamer:
    """Gives each session a safe output name, unique within the run (case-insensitively).

    The name is the file stem, plus ``__<session_id>`` for files holding sessions. A clash
    (``a/s1.txt`` and ``b/s1.txt``) gets a short hash of the source path, so names stay the
    same from one run to the next, which --resume relies on.
    """

    def __init__(self):
        self.taken: set[str] = set()

    def name(self, source: Path, session_id: str | None) -> str:
        base = safe_name(source.stem) if session_id is None else f"{safe_name(source.stem)}__{safe_name(session_id)}"
        name = base
        if name.casefold() in self.taken:
            digest = hashlib.sha1(f"{source.resolve()}\0{session_id}".encode()).hexdigest()[:8]
            name = f"{base}-{digest}"
        self.taken.add(name.casefold())
        return name


def session_paths(outdir: Path, name: str, output_format: str) -> dict[str, Path]:
    """Where one session's outputs go; ``summary`` is written last and marks completion."""
    folder = Path(outdir) / "sessions"
    return {
        "turns": folder / f"{name}.turns.{output_format}",
        "plot": folder / f"{name}.png",
        "markdown": folder / f"{name}.summary.md",
        "summary": folder / f"{name}.summary.json",
    }


def completed_summary(plan: SessionPlan) -> dict | None:
    """The session's summary if its outputs are complete and were made from the same input, else None."""
    try:
        summary = json.loads(plan.paths["summary"].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(summary, dict) or summary.get("fingerprint") != plan.fingerprint:
        return None  # the input changed (or another session had this name): score it again
    return summary if all(plan.paths[key].exists() for key in ("turns", "plot", "markdown")) else None


# --- scoring and summaries ----------------------------------------------------------------

_ADDED_COLUMNS = frozenset(("session", "turn", "line", "role", "context", "note", *OUTPUT_COLUMNS))


def output_columns(input_fields: Iterable[str]) -> list[str]:
    """The per-turn output columns: ours, then every input field, then context, labels and the note."""
    kept = [_input_key(key) for key in input_fields if key != "turn"]
    return ["session", "turn", "line", "role", *kept, "context", *OUTPUT_COLUMNS, "note"]


def _input_key(key: str) -> str:
    # An input column that would clash with an output column (e.g. gold labels) is kept under a new name.
    return f"input_{key}" if key in _ADDED_COLUMNS else key


def output_row(session: str, turn: Turn, result: dict | None) -> dict:
    """One output row: the turn's input fields plus its labels, scores and top note (empty for client turns)."""
    row = {"session": session, "turn": turn.number, "line": turn.line, "role": turn.role}
    row.update((_input_key(key), value) for key, value in turn.fields.items() if key != "turn")
    row["context"] = turn.context if turn.role == THERAPIST else None
    for column in OUTPUT_COLUMNS:
        row[column] = result[column] if result else None
    row["note"] = top_note(tuple(result[name] for name in LABEL_NAMES)) if result else None
    return row


@functools.lru_cache(maxsize=64)
def top_note(decisions: tuple[bool, ...]) -> str:
    """The coaching note for a combination of labels (there are only 16, so it is cached)."""
    return build_feedback(dict(zip(LABEL_NAMES, decisions)), []).top_note


def _scorable(turn: Turn) -> bool:
    # An empty therapist turn (a transcription gap) is kept in the output but not scored, as in `coach score`.
    return turn.role == THERAPIST and bool(turn.text.strip())


def scored_turns(
    turns: Iterable[Turn], analyzer, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[tuple[Turn, dict | None]]:
    """Yield ``(turn, result)`` in order; therapist turns go to ``analyzer.classify`` in batches."""
    for chunk in _chunks(turns, batch_size):
        todo = [turn for turn in chunk if _scorable(turn)]
        results = iter(analyzer.classify([t.text for t in todo], [t.context for t in todo]) if todo else ())
        for turn in chunk:
            yield turn, (next(results) if _scorable(turn) else None)


def _chunks(turns: Iterable[Turn], batch_size: int) -> Iterator[list[Turn]]:
    """Split a session into chunks of at most ``batch_size`` therapist turns (and a bounded number of others)."""
    chunk, therapist = [], 0
    for turn in turns:
        chunk.append(turn)
        therapist += turn.role == THERAPIST
        if therapist >= batch_size or len(chunk) >= 4 * batch_size:
            yield chunk
            chunk, therapist = [], 0
    if chunk:
        yield chunk


class SessionTally:
    """A session's summary numbers, updated turn by turn so the session is never held in memory."""

    def __init__(self):
        self.turns = self.therapist = self.unscored = self.no_component = 0
        self.counts = dict.fromkeys(COMPONENTS, 0)
        self.flag_counts = dict.fromkeys(FLAGS, 0)
        self.flagged: list[dict] = []
        self.run = (0, None)  # current stretch of therapist turns with no component: (length, first turn)
        self.longest = {"length": 0, "from_turn": None, "to_turn": None}
        self.points: list[tuple] = []  # (turn, component probabilities, flagged) for the plot

    def add(self, turn: Turn, result: dict | None) -> None:
        self.turns += 1
        if turn.role != THERAPIST:
            return
        if result is None:
            self.unscored += 1
            return
        self.therapist += 1
        present = [name for name in COMPONENTS if result[name]]
        for name in present:
            self.counts[name] += 1
        self._stretch(turn.number, empathic=bool(present))
        flags = [name for name in FLAGS if result[name]]
        for name in flags:
            self.flag_counts[name] += 1
        if flags:
            self.flagged.append(
                {
                    "turn": turn.number,
                    "line": turn.line,
                    "speaker": turn.speaker,
                    "text": turn.text,
                    "flags": flags,
                    "scores": {n: result[score_column(n)] for n in flags},
                }
            )
        self.points.append((turn.number, tuple(result[score_column(n)] for n in COMPONENTS), bool(flags)))

    def _stretch(self, number: int, empathic: bool) -> None:
        """Track the longest run of consecutive therapist turns with no empathic component."""
        if empathic:
            self.run = (0, None)
            return
        self.no_component += 1
        length, start = self.run
        self.run = (length + 1, start if length else number)
        if self.run[0] > self.longest["length"]:
            self.longest = {"length": self.run[0], "from_turn": self.run[1], "to_turn": number}

    def summary(self, plan: SessionPlan, model: dict) -> dict:
        """The session summary (what summary.json holds)."""

        def share(count: int) -> float | None:
            return round(count / self.therapist, 4) if self.therapist else None

        return {
            "session": plan.name,
            "source": str(plan.source),
            "session_id": plan.session_id,
            "input_format": plan.kind,
            "turns": self.turns,
            "therapist_turns": self.therapist,
            "client_turns": self.turns - self.therapist - self.unscored,
            "empty_therapist_turns": self.unscored,
            "components": {n: {"turns": self.counts[n], "share": share(self.counts[n])} for n in COMPONENTS},
            "no_component": {"turns": self.no_component, "share": share(self.no_component)},
            "flags": {n: {"turns": self.flag_counts[n], "share": share(self.flag_counts[n])} for n in FLAGS},
            "flagged": self.flagged,
            "longest_no_empathy": self.longest,
            "files": {key: path.name for key, path in plan.paths.items() if key != "summary"},
            "model": model,
            "fingerprint": plan.fingerprint,
        }


def plot_series(points: list[tuple]) -> tuple[list[int], list[dict]]:
    """Turn numbers and score dicts for ``plot_session``; long sessions are averaged into bins."""
    size = -(-len(points) // MAX_PLOT_POINTS) or 1
    turns, scores = [], []
    for start in range(0, len(points), size):
        group = points[start : start + size]
        means = [sum(p[1][i] for p in group) / len(group) for i in range(len(COMPONENTS))]
        turns.append(group[0][0])
        scores.append({**dict(zip(COMPONENTS, means)), "flagged": any(p[2] for p in group)})
    return turns, scores


def write_plot(points: list[tuple], path: Path, title: str) -> None:
    """Write the session plot atomically."""
    from coach.plots import plot_session  # matplotlib is slow to import; only load it when plotting

    turns, scores = plot_series(points)
    with atomic_path(path) as tmp:
        staged = tmp.with_name(tmp.name + ".png")  # matplotlib picks the image format from the extension
        try:
            plot_session(turns, scores, staged, title)
            os.replace(staged, tmp)
        finally:
            staged.unlink(missing_ok=True)


def session_markdown(summary: dict) -> str:
    """The human-readable session summary."""
    where = f"`{summary['source']}`" + (f", session `{summary['session_id']}`" if summary["session_id"] else "")
    lines = [
        f"# Session {summary['session']}",
        "",
        f"Source: {where}  ",
        f"Therapist turns scored: {summary['therapist_turns']} (of {summary['turns']} turns)",
        "",
    ]
    if summary["empty_therapist_turns"]:
        lines[-1:] = [f"Empty therapist turns (kept, not scored): {summary['empty_therapist_turns']}", ""]
    lines += ["| | therapist turns | share |", "|---|---:|---:|"]
    rows = [(BY_NAME[n].title, summary["components"][n]) for n in COMPONENTS]
    rows += [("No empathic component", summary["no_component"])]
    rows += [(BY_NAME[n].title, summary["flags"][n]) for n in FLAGS]
    lines += [f"| {title} | {c['turns']} | {_percent(c['share'])} |" for title, c in rows]
    lines += ["", _stretch_sentence(summary["longest_no_empathy"]), ""]
    lines += _flagged_lines(summary["flagged"])
    lines += [
        f"![components over the session]({summary['files']['plot']})",
        "",
        f"Per-turn results: `{summary['files']['turns']}`",
        "",
    ]
    return "\n".join(lines)


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def _stretch_sentence(longest: dict) -> str:
    if not longest["length"]:
        return "Every therapist turn shows at least one empathic component."
    span = (
        f"turn {longest['from_turn']}"
        if longest["from_turn"] == longest["to_turn"]
        else f"turns {longest['from_turn']}\u2013{longest['to_turn']}"
    )
    return f"Longest stretch without an empathic component: {longest['length']} therapist turn(s), {span}."


def _flagged_lines(flagged: list[dict]) -> list[str]:
    titles = " / ".join(BY_NAME[name].title.lower() for name in FLAGS)
    if not flagged:
        return [f"No turn flagged for {titles}.", ""]
    lines = [f"## Flagged for {titles} ({len(flagged)})", ""]
    for item in flagged:
        score = max(item["scores"].values())
        lines.append(f"- Turn {item['turn']} (line {item['line']}, p={score:.2f}): {quote(item['text'])}")
    return [*lines, ""]


def model_info(analyzer) -> dict:
    """Which model scored the session (recorded in each summary)."""
    classifier = getattr(analyzer, "classifier", None)
    if classifier is None:
        return {"dir": None, "backend": type(analyzer).__name__}
    return {"dir": str(classifier.model_dir), "backend": classifier.backend}


def write_session(
    plan: SessionPlan,
    turns: Iterable[Turn],
    analyzer,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_turn: Callable[[], None] = lambda: None,
) -> dict:
    """Score one session and write its four outputs; summary.json goes last. Returns the summary."""
    tally = SessionTally()

    def rows() -> Iterator[dict]:
        for turn, result in scored_turns(turns, analyzer, batch_size):
            tally.add(turn, result)
            on_turn()
            yield output_row(plan.name, turn, result)

    write_table(plan.paths["turns"], rows(), output_columns(plan.columns))
    summary = tally.summary(plan, model_info(analyzer))
    write_plot(tally.points, plan.paths["plot"], f"{plan.name} ({plan.source.name})")
    write_text(plan.paths["markdown"], session_markdown(summary))
    write_json(plan.paths["summary"], summary)  # last: its presence marks the session complete
    return summary


# --- the run ------------------------------------------------------------------------------


@dataclass
class TranscriptOptions:
    """Settings of a run (the command-line flags)."""

    output_format: str = "jsonl"
    therapist_prefixes: tuple[str, ...] | None = None  # None: DEFAULT_THERAPIST_PREFIXES
    client_prefixes: tuple[str, ...] = ()  # added to DEFAULT_CLIENT_PREFIXES
    force: bool = False
    resume: bool = False
    skip_bad: bool = False
    quiet: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE

    def __post_init__(self):
        if self.output_format not in OUTPUT_FORMATS:
            raise TranscriptsError(f"unknown output format '{self.output_format}'. Fix: use jsonl or csv")
        if self.batch_size < 1:
            raise TranscriptsError(f"batch size {self.batch_size} is too small. Fix: use 1 or more")
        if self.force and self.resume:
            raise TranscriptsError("--force and --resume contradict each other. Fix: pass one of them")


@dataclass
class RunResult:
    """What a run did: session summaries (with status), skipped files and counts."""

    outdir: Path
    sessions: list[tuple[dict, str]] = field(default_factory=list)  # (summary, "scored" | "resumed")
    skipped: list[dict] = field(default_factory=list)
    scored_sessions: int = 0
    resumed_sessions: int = 0
    scored_turns: int = 0  # therapist turns sent to the model

    @property
    def exit_code(self) -> int:
        return EXIT_SKIPPED if self.skipped else EXIT_OK


def find_inputs(paths: Iterable[str | os.PathLike], outdir: Path) -> list[Path]:
    """The input files: files as given, folders walked (sorted) for .txt/.csv/.jsonl, OUTDIR left out."""
    found: dict[Path, Path] = {}
    for given in map(Path, paths):
        if given.is_dir():
            candidates = _walk(given, Path(outdir).resolve())
        elif given.exists():
            candidates = [given]
        else:
            raise TranscriptsError(f"{given}: no such file or folder. Fix: check the path")
        for path in candidates:
            found.setdefault(path.resolve(), path)  # a file named twice is read once
    if not found:
        raise TranscriptsError(
            f"no {', '.join(INPUT_SUFFIXES)} files in {', '.join(map(str, paths))}. "
            "Fix: give transcript files or folders holding them"
        )
    return list(found.values())


def _walk(folder: Path, outdir: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        # Skip hidden folders and our own output folder (its .jsonl/.csv files would be read back in).
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (Path(root) / d).resolve() != outdir)
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in INPUT_SUFFIXES:
                yield Path(root) / name


def plan_sessions(
    inputs: list[Path],
    rules: SpeakerRules,
    outdir: Path,
    options: TranscriptOptions,
    result: RunResult,
    log: Callable[[str], None],
) -> list[SessionPlan]:
    """First pass: check every file, name its sessions; bad files are skipped or stop the run."""
    namer, plans = SessionNamer(), []
    for path in inputs:
        try:
            found = scan_file(path, rules)
        except InputError as err:
            _skip_or_raise(err, options, result, log)
            continue
        for plan in found:
            plan.name = namer.name(path, plan.session_id)
            plan.paths = session_paths(outdir, plan.name, options.output_format)
        plans += found
    return plans


def _skip_or_raise(err: InputError, options: TranscriptOptions, result: RunResult, log) -> None:
    if not options.skip_bad:
        raise err
    result.skipped.append({"path": err.path, "line": err.line, "problem": err.problem, "fix": err.fix})
    log(f"skipped: {err}")


def check_outputs(plans: list[SessionPlan], inputs: list[Path], outdir: Path, options: TranscriptOptions) -> None:
    """Refuse to write over an input, or over earlier results unless --force or --resume."""
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise TranscriptsError(f"{outdir} is a file. Fix: give a folder to -o")
    outputs = [outdir / "summary.csv", outdir / "skipped.json", *(p for plan in plans for p in plan.paths.values())]
    sources = {path.resolve() for path in inputs}
    for path in outputs:
        if path.resolve() in sources:
            raise TranscriptsError(
                f"{path} is one of the inputs and would be overwritten. Fix: choose another -o folder"
            )
    existing = [path for path in outputs if path.exists()]
    if existing and not (options.force or options.resume):
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        raise TranscriptsError(
            f"{outdir} already holds results ({existing[0]}{more}). Fix: pass --resume to finish "
            "an interrupted run, --force to overwrite them, or choose another -o folder"
        )


class Progress:
    """Two progress bars on stderr, sessions and turns (off when stderr is not a terminal, or --quiet)."""

    def __init__(self, plans: list[SessionPlan], enabled: bool):
        from tqdm import tqdm

        common = {"file": sys.stderr, "disable": not enabled, "dynamic_ncols": True}
        self.sessions = tqdm(total=len(plans), desc="sessions", unit="session", position=0, **common)
        self.turns = tqdm(total=sum(p.turns for p in plans), desc="turns", unit="turn", position=1, **common)

    def turn(self) -> None:
        self.turns.update()

    def session(self, plan: SessionPlan, resumed: bool = False) -> None:
        if resumed:
            self.turns.update(plan.turns)
        self.sessions.update()

    def close(self) -> None:
        self.turns.close()
        self.sessions.close()


def _log_stderr(message: str) -> None:
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr)  # prints above the progress bars instead of through them


def score_transcripts(
    paths: Iterable[str | os.PathLike],
    outdir: str | os.PathLike,
    load_analyzer: Callable[[], object],
    options: TranscriptOptions | None = None,
    log: Callable[[str], None] = _log_stderr,
) -> RunResult:
    """Score every session in ``paths`` into ``outdir``; the core of ``coach transcripts``.

    Args:
        paths: files and folders of sessions.
        outdir: the output folder (layout in the module docstring).
        load_analyzer: returns an object with ``classify(replies, clients)``; called at most once, and
            not at all when there is nothing to score (bad input fails before the model loads).
        options: the run's settings.
        log: where skip reports go (stderr by default).

    Raises:
        InputError: a bad input file (without ``skip_bad``).
        TranscriptsError: a path that does not exist, or outputs that would be overwritten.
    """
    options, outdir = options or TranscriptOptions(), Path(outdir)
    rules = SpeakerRules.make(options.therapist_prefixes, options.client_prefixes)
    inputs = find_inputs(paths, outdir)
    result = RunResult(outdir)
    plans = plan_sessions(inputs, rules, outdir, options, result, log)
    check_outputs(plans, inputs, outdir, options)
    analyzer = functools.cache(load_analyzer)
    done: dict[str, tuple[dict, str]] = {}
    progress = Progress(plans, enabled=not options.quiet and sys.stderr.isatty())
    try:
        for source, group in itertools.groupby(plans, key=lambda plan: plan.source):
            _score_file(source, list(group), rules, analyzer, options, progress, result, done, log)
    finally:
        progress.close()
    result.sessions = [done[plan.name] for plan in plans if plan.name in done]
    write_run_outputs(result)
    return result


def _score_file(
    source: Path,
    plans: list[SessionPlan],
    rules: SpeakerRules,
    analyzer: Callable[[], object],
    options: TranscriptOptions,
    progress: Progress,
    result: RunResult,
    done: dict[str, tuple[dict, str]],
    log,
) -> None:
    """Second pass over one file: score its sessions that are not complete yet."""
    todo = {}
    for plan in plans:
        summary = completed_summary(plan) if options.resume else None
        if summary:
            done[plan.name] = (summary, "resumed")
            result.resumed_sessions += 1
            progress.session(plan, resumed=True)
        else:
            todo[plan.session_id] = plan
    try:
        for session_id, turns in iter_sessions(source, rules) if todo else ():
            plan = todo.pop(session_id, None)
            if plan is None:
                continue  # complete already (--resume); its turns are passed over unread
            summary = write_session(plan, turns, analyzer(), options.batch_size, progress.turn)
            done[plan.name] = (summary, "scored")
            result.scored_sessions += 1
            result.scored_turns += summary["therapist_turns"]
            progress.session(plan)
            if not todo:
                break
    except InputError as err:  # only if the file changed since the first pass
        _skip_or_raise(err, options, result, log)


SUMMARY_COLUMNS = [
    "session",
    "source",
    "session_id",
    "input_format",
    "turns",
    "therapist_turns",
    *(f"{name}_share" for name in COMPONENTS),
    *(f"{name}_turns" for name in FLAGS),
    "longest_no_empathy",
    "longest_no_empathy_from_turn",
    "longest_no_empathy_to_turn",
    "status",
    "summary",
]


def summary_row(summary: dict, status: str) -> dict:
    """One row of OUTDIR/summary.csv."""
    row = {key: summary[key] for key in SUMMARY_COLUMNS[:6]}
    row.update({f"{name}_share": summary["components"][name]["share"] for name in COMPONENTS})
    row.update({f"{name}_turns": summary["flags"][name]["turns"] for name in FLAGS})
    longest = summary["longest_no_empathy"]
    row.update(
        longest_no_empathy=longest["length"],
        longest_no_empathy_from_turn=longest["from_turn"],
        longest_no_empathy_to_turn=longest["to_turn"],
        status=status,
        summary=f"sessions/{summary['session']}.summary.json",
    )
    return row


def write_run_outputs(result: RunResult) -> None:
    """OUTDIR/summary.csv (one row per session) and OUTDIR/skipped.json."""
    rows = [summary_row(summary, status) for summary, status in result.sessions]
    if rows:
        write_table(result.outdir / "summary.csv", rows, SUMMARY_COLUMNS)
    else:  # still give the reader a header
        write_text(result.outdir / "summary.csv", ",".join(SUMMARY_COLUMNS) + "\n")
    write_json(result.outdir / "skipped.json", result.skipped)


# --- command line -------------------------------------------------------------------------


def add_transcripts_command(subparsers):
    """Register ``coach transcripts`` on the ``coach`` command's subparsers; returns its parser."""
    import argparse

    parser = subparsers.add_parser(
        "transcripts",
        help="score whole session transcripts (txt, CSV, JSONL) into per-session reports",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # SUPPRESS: given after the subcommand these override the global --model/--backend, else those stay.
    parser.add_argument("--model", default=argparse.SUPPRESS, help="model directory (default: the shipped model)")
    parser.add_argument("--backend", default=argparse.SUPPRESS, choices=["auto", "onnx", "torch"])
    _add_arguments(parser)
    return parser


_DESCRIPTION = """\
Score every therapist turn of whole sessions (plain text, CSV or JSONL), with the client turns
before it as context. Writes per-turn results, a summary per session (JSON, markdown, PNG) and
OUTDIR/summary.csv. Rows of one session must be contiguous in a CSV/JSONL file.
"""
_EPILOG = """\
exit codes: 0 done; 2 bad input or usage (nothing more written); 3 done, but some files were skipped (--skip-bad)
outputs: OUTDIR/summary.csv, OUTDIR/skipped.json, OUTDIR/sessions/<name>.{turns.jsonl,png,summary.md,summary.json}
"""


def _add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="session files or folders of them")
    parser.add_argument("-o", "--out", dest="outdir", type=Path, required=True, metavar="OUTDIR", help="output folder")
    parser.add_argument(
        "--format",
        dest="output_format",
        choices=OUTPUT_FORMATS,
        default="jsonl",
        help="per-turn output format (default: jsonl)",
    )
    parser.add_argument(
        "--therapist-prefixes",
        type=parse_prefixes,
        default=None,
        metavar="LIST",
        help="comma-separated speaker prefixes that mark the therapist, replacing the default "
        f"({','.join(DEFAULT_THERAPIST_PREFIXES)})",
    )
    parser.add_argument(
        "--client-prefixes",
        type=parse_prefixes,
        default=(),
        metavar="LIST",
        help="comma-separated extra speakers treated as context, e.g. partner names "
        f"(always known: {','.join(DEFAULT_CLIENT_PREFIXES)}, also numbered: 'Member 2')",
    )
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--force", action="store_true", help="overwrite results already in OUTDIR")
    again.add_argument("--resume", action="store_true", help="skip sessions whose outputs are complete")
    parser.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip malformed files (listed in OUTDIR/skipped.json, exit code 3) instead of stopping",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars or final report")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        help=f"therapist turns per model call (default: {DEFAULT_BATCH_SIZE})",
    )


def options_from_args(args) -> TranscriptOptions:
    """The run settings from parsed command-line arguments."""
    return TranscriptOptions(
        output_format=args.output_format,
        therapist_prefixes=args.therapist_prefixes,
        client_prefixes=tuple(args.client_prefixes),
        force=args.force,
        resume=args.resume,
        skip_bad=args.skip_bad,
        quiet=args.quiet,
        batch_size=args.batch_size,
    )


def run_transcripts_command(args, load_analyzer: Callable[[], object] | None = None) -> int:
    """Run ``coach transcripts`` from parsed arguments; returns the exit code (0, 2 or 3)."""
    model, backend = getattr(args, "model", None), getattr(args, "backend", None) or "auto"
    load_analyzer = load_analyzer or functools.partial(_load_analyzer, model, backend)
    try:
        result = score_transcripts(args.paths, args.outdir, load_analyzer, options_from_args(args))
    except (InputError, TranscriptsError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: finished sessions are kept; run the same command with --resume to go on", file=sys.stderr)
        return 130
    _report(result, quiet=args.quiet)
    return result.exit_code


def _load_analyzer(model, backend: str):
    from coach.analysis import Analyzer
    from coach.paths import DEFAULT_MODEL_DIR

    return Analyzer.load(model or DEFAULT_MODEL_DIR, backend)


def _report(result: RunResult, quiet: bool) -> None:
    if result.skipped:
        print(
            f"skipped {len(result.skipped)} file(s); they are listed in {result.outdir / 'skipped.json'}",
            file=sys.stderr,
        )
    if not quiet:
        resumed = f", {result.resumed_sessions} already done" if result.resumed_sessions else ""
        print(
            f"scored {result.scored_turns} therapist turns in {result.scored_sessions} session(s){resumed} "
            f"-> {result.outdir / 'summary.csv'}"
        )


def main(argv: list[str] | None = None) -> int:
    """``python -m coach.transcripts PATH... -o OUTDIR`` (the same as ``coach transcripts``)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="coach transcripts",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--backend", default="auto", choices=["auto", "onnx", "torch"])
    _add_arguments(parser)
    return run_transcripts_command(parser.parse_args(argv))


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
