"""Tests for ``coach transcripts`` (coach/transcripts.py).

Most tests use ``KeywordAnalyzer``, a deterministic stand-in for the model whose labels
follow keywords, so the summary numbers can be asserted exactly. One end-to-end test
runs the real command with the real model directory.
"""

import argparse
import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from coach.io import InputError
from coach.schema import COMPONENTS, FLAGS, LABEL_NAMES, score_column
from coach.transcripts import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_SKIPPED,
    MAX_PLOT_POINTS,
    SpeakerRules,
    TranscriptOptions,
    TranscriptsError,
    add_transcripts_command,
    iter_sessions,
    plot_series,
    run_transcripts_command,
    score_transcripts,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data" / "samples"
AFFECT, COGNITION, HELP = COMPONENTS  # whatever the schema calls them
FLAG = FLAGS[0]
# Keyword per label: a therapist turn containing it gets the label (score 0.9, else 0.1).
KEYWORDS = {AFFECT: "feel", COGNITION: "sounds like", HELP: "together", FLAG: "me too"}


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The real model: EMPATHY_COACH_MODEL, or models/empathy-coach relative to the repo root."""
    return REPO / Path(os.environ.get("EMPATHY_COACH_MODEL", "models/empathy-coach"))


class KeywordAnalyzer:
    """A fake Analyzer: labels by keyword, records every classify call."""

    def __init__(self):
        self.calls: list[tuple[list[str], list[str]]] = []

    def classify(self, replies, clients=None):
        self.calls.append((list(replies), list(clients)))
        rows = []
        for reply in replies:
            row = {}
            for name in LABEL_NAMES:
                hit = KEYWORDS[name] in reply.lower()
                row[name], row[score_column(name)] = hit, 0.9 if hit else 0.1
            rows.append(row)
        return rows

    @property
    def scored(self) -> list[str]:
        return [reply for replies, _ in self.calls for reply in replies]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse like `coach transcripts ...` does, through the public registration hook."""
    parser = argparse.ArgumentParser(prog="coach")
    add_transcripts_command(parser.add_subparsers(dest="command"))
    return parser.parse_args(["transcripts", *map(str, argv)])


def cli(argv: list, analyzer=None) -> int:
    analyzer = analyzer or KeywordAnalyzer()
    return run_transcripts_command(parse(argv), load_analyzer=lambda: analyzer)


def run(inputs, out: Path, analyzer=None, **options):
    analyzer = analyzer or KeywordAnalyzer()
    result = score_transcripts(
        inputs if isinstance(inputs, list) else [inputs],
        out,
        lambda: analyzer,
        TranscriptOptions(quiet=True, **options),
    )
    return result, analyzer


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def session_turns(path: Path, rules: SpeakerRules | None = None) -> dict:
    rules = rules or SpeakerRules.make()
    return {sid: list(turns) for sid, turns in iter_sessions(path, rules)}


def snapshot(folder: Path) -> dict:
    """Content hash and mtime of every file under ``folder``."""
    return {
        p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- formats ------------------------------------------------------------------------------

TXT = """\
client: I haven't slept properly in weeks.
It's the worst at four in the morning.

THERAPIST: That sounds like a lonely hour to be awake.
Counsellor: What goes through your mind then?
counselor: I wonder
what would help.
t: I'm here.
C: Mostly work.
"""


def test_txt_prefixes_any_case_and_continuation_lines(tmp_path):
    turns = session_turns(write(tmp_path / "s.txt", TXT))[None]
    assert [(t.speaker, t.role, t.line) for t in turns] == [
        ("client", "client", 1),
        ("THERAPIST", "therapist", 4),
        ("Counsellor", "therapist", 5),
        ("counselor", "therapist", 6),
        ("t", "therapist", 8),
        ("C", "client", 9),
    ]
    assert turns[0].text == "I haven't slept properly in weeks.\nIt's the worst at four in the morning."
    assert turns[3].text == "I wonder\nwhat would help."
    assert [t.number for t in turns] == [1, 2, 3, 4, 5, 6]


def test_csv_with_two_sessions_writes_one_report_each(tmp_path):
    src = write(
        tmp_path / "in" / "pair.csv",
        "session_id,turn,speaker,text\n"
        "a,1,Client,I feel stuck.\na,2,Therapist,That sounds like a heavy week.\n"
        "b,10,Therapist,How are you?\nb,11,Client,Fine.\nb,12,Therapist,Let's plan together.\n",
    )
    result, _ = run(src, tmp_path / "out")
    sessions = tmp_path / "out" / "sessions"
    assert [s["session"] for s, _ in result.sessions] == ["pair__a", "pair__b"]
    rows_b = read_jsonl(sessions / "pair__b.turns.jsonl")
    assert [r["turn"] for r in rows_b] == [10, 11, 12]
    assert rows_b[2][HELP] is True and rows_b[2]["context"] == "Fine."
    with open(tmp_path / "out" / "summary.csv", encoding="utf-8") as handle:
        summary = list(csv.DictReader(handle))
    assert [(r["session"], r["session_id"], r["therapist_turns"]) for r in summary] == [
        ("pair__a", "a", "1"),
        ("pair__b", "b", "2"),
    ]
    for name in ("pair__a", "pair__b"):
        assert {p.name for p in sessions.glob(f"{name}.*")} == {
            f"{name}.turns.jsonl",
            f"{name}.png",
            f"{name}.summary.md",
            f"{name}.summary.json",
        }


def test_jsonl_turns_keep_every_input_field(tmp_path):
    src = write(
        tmp_path / "s.jsonl",
        "\n".join(
            json.dumps(r)
            for r in [
                {"session_id": 7, "speaker": "Client", "text": "Hi.", "ts": "00:01"},
                {
                    "session_id": 7,
                    "speaker": "Therapist",
                    "text": "Glad you came, it sounds like a big step.",
                    "ts": "00:05",
                    "tags": ["opening"],
                },
            ]
        )
        + "\n",
    )
    run(src, tmp_path / "out", output_format="csv")
    with open(tmp_path / "out" / "sessions" / "s__7.turns.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["ts"] for r in rows] == ["00:01", "00:05"]
    assert rows[1]["tags"] == '["opening"]' and rows[1]["session_id"] == "7"
    assert rows[1][COGNITION] == "true" and rows[1][score_column(COGNITION)] == "0.9"
    assert rows[0][COGNITION] == "" and rows[0]["note"] == ""  # client turns are not scored


def test_reply_client_rows_are_therapist_turns_with_their_context(tmp_path):
    # The `coach score` format; a gold label column is kept under a new name, not overwritten.
    src = write(tmp_path / "replies.csv", f"reply,client,{AFFECT}\nI feel for you.,My dog died.,true\nWhy?,,false\n")
    _, fake = run(src, tmp_path / "out")
    assert fake.calls == [(["I feel for you.", "Why?"], ["My dog died.", ""])]
    rows = read_jsonl(tmp_path / "out" / "sessions" / "replies.turns.jsonl")
    assert [(r["role"], r["turn"], r["reply"], r["client"]) for r in rows] == [
        ("therapist", 1, "I feel for you.", "My dog died."),
        ("therapist", 2, "Why?", ""),
    ]
    assert rows[0][f"input_{AFFECT}"] == "true" and rows[0][AFFECT] is True and rows[1][AFFECT] is False
    assert rows[0]["note"] and isinstance(rows[0]["note"], str)


def test_csv_output_format_has_label_and_score_columns(tmp_path):
    run(write(tmp_path / "s.txt", TXT), tmp_path / "out", output_format="csv")
    with open(tmp_path / "out" / "sessions" / "s.turns.csv", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    for name in LABEL_NAMES:
        assert name in header and score_column(name) in header
    assert {"session", "turn", "role", "speaker", "text", "context", "note"} <= set(header)


# --- speakers -----------------------------------------------------------------------------


def test_therapist_prefixes_are_configurable_and_member_n_is_context(tmp_path):
    src = write(
        tmp_path / "group.txt",
        "Member 2: I feel invisible here.\nParticipant 3: Same.\n"
        "Facilitator: It sounds like you both feel unseen.\nPatient: Yes.\n",
    )
    rules = SpeakerRules.make(therapist_prefixes=["Facilitator"])
    turns = session_turns(src, rules)[None]
    assert [t.role for t in turns] == ["client", "client", "therapist", "client"]
    assert turns[2].context == "I feel invisible here. Same."
    # With the replacement list, "Therapist:" is no longer known.
    with pytest.raises(InputError, match="unknown speaker 'Therapist'"):
        session_turns(write(tmp_path / "t.txt", "Therapist: hi\n"), rules)
    with pytest.raises(TranscriptsError, match="no therapist prefixes"):
        SpeakerRules.make(therapist_prefixes=[" ", ""])


def test_cli_therapist_and_client_prefix_flags(tmp_path):
    src = write(tmp_path / "couple.txt", "Anna: He never listens.\nBen: I do.\nFacilitator: That sounds hard.\n")
    assert cli([src, "-o", tmp_path / "bad"]) == EXIT_BAD_INPUT
    fake = KeywordAnalyzer()
    code = cli(
        [
            src,
            "-o",
            tmp_path / "out",
            "--therapist-prefixes",
            "therapist,facilitator",
            "--client-prefixes",
            "anna, ben",
        ],
        fake,
    )
    assert code == EXIT_OK and fake.calls == [(["That sounds hard."], ["He never listens. I do."])]


def test_unknown_speaker_is_an_error_naming_file_line_and_a_guess(tmp_path):
    src = write(tmp_path / "typo.txt", "Client: hello\nTherapsit: hi there\n")
    with pytest.raises(InputError) as err:
        session_turns(src)
    message = str(err.value)
    assert "typo.txt, line 2" in message and "'Therapsit'" in message and "did you mean 'therapist'? If not" in message


def test_colons_inside_a_turn_are_not_speakers(tmp_path):
    src = write(
        tmp_path / "s.txt",
        "Client: we met at 10:30\nand then he said this, and I quote: no.\nTherapist: see https://example.org\n",
    )
    turns = session_turns(src)[None]
    assert len(turns) == 2 and turns[0].text.endswith("and I quote: no.")


# --- context pairing ----------------------------------------------------------------------


def test_context_is_the_client_turns_since_the_last_therapist_turn(tmp_path):
    src = write(
        tmp_path / "s.txt",
        "Therapist: Welcome.\nClient: One.\nClient: Two.\nTherapist: Go on.\n"
        "Therapist: Take your time.\nMember 4: Three.\nTherapist: I see.\n",
    )
    _, fake = run(src, tmp_path / "out")
    assert fake.calls == [(["Welcome.", "Go on.", "Take your time.", "I see."], ["", "One. Two.", "", "Three."])]
    rows = read_jsonl(tmp_path / "out" / "sessions" / "s.turns.jsonl")
    assert [r["context"] for r in rows if r["role"] == "therapist"] == ["", "One. Two.", "", "Three."]
    assert len(rows) == 7  # client turns are kept


def test_large_sessions_are_scored_in_chunks_with_the_same_results(tmp_path):
    src = write(tmp_path / "s.txt", "".join(f"Client: c{i}\nTherapist: t{i} feel\n" for i in range(7)))
    _, whole = run(src, tmp_path / "a")
    _, chunked = run(src, tmp_path / "b", batch_size=3)
    assert [len(r) for r, _ in chunked.calls] == [3, 3, 1] and len(whole.calls) == 1
    assert chunked.calls[1] == (["t3 feel", "t4 feel", "t5 feel"], ["c3", "c4", "c5"])
    assert (tmp_path / "a/sessions/s.turns.jsonl").read_text() == (tmp_path / "b/sessions/s.turns.jsonl").read_text()


# --- summaries ----------------------------------------------------------------------------

HAND_MADE = """\
Client: I lost my job.
Therapist: That sounds like a shock.
Client: It was.
Therapist: When did it happen?
Therapist: Was it expected?
Client: No.
Therapist: Me too, I lost mine last year and it wrecked me.
Therapist: I can hear how scared you feel.
Therapist: What did you do next?
Therapist: Let's work out the next step together.
"""


def test_summary_numbers_on_a_hand_made_session(tmp_path):
    run(write(tmp_path / "hand.txt", HAND_MADE), tmp_path / "out")
    summary = json.loads((tmp_path / "out/sessions/hand.summary.json").read_text())
    assert (summary["turns"], summary["therapist_turns"], summary["client_turns"]) == (10, 7, 3)
    assert summary["components"][AFFECT] == {"turns": 1, "share": round(1 / 7, 4)}
    assert summary["components"][COGNITION] == {"turns": 1, "share": round(1 / 7, 4)}
    assert summary["components"][HELP] == {"turns": 1, "share": round(1 / 7, 4)}
    # Turns 4, 5 and 7 have no component; 8 breaks the stretch; 9 is a stretch of one.
    assert summary["longest_no_empathy"] == {"length": 3, "from_turn": 4, "to_turn": 7}
    assert summary["no_component"]["turns"] == 4
    assert [(f["turn"], f["line"], f["text"]) for f in summary["flagged"]] == [
        (7, 7, "Me too, I lost mine last year and it wrecked me.")
    ]
    assert summary["flags"][FLAG]["turns"] == 1
    markdown = (tmp_path / "out/sessions/hand.summary.md").read_text()
    assert "3 therapist turn(s), turns 4\u20137" in markdown and "Turn 7 (line 7" in markdown
    assert "| 1 | 14% |" in markdown and "![components over the session](hand.png)" in markdown
    assert (tmp_path / "out/sessions/hand.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(tmp_path / "out/summary.csv", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row[f"{AFFECT}_share"] == str(round(1 / 7, 4)) and row[f"{FLAG}_turns"] == "1"
    assert (row["longest_no_empathy"], row["longest_no_empathy_from_turn"], row["status"]) == ("3", "4", "scored")


def test_empty_therapist_turns_are_kept_but_not_scored(tmp_path):
    src = write(tmp_path / "s.csv", "speaker,text\nClient,hi\nTherapist,\nTherapist,I feel it too\n")
    _, fake = run(src, tmp_path / "out")
    assert fake.scored == ["I feel it too"]
    summary = json.loads((tmp_path / "out/sessions/s.summary.json").read_text())
    assert (summary["therapist_turns"], summary["empty_therapist_turns"]) == (1, 1)


def test_plot_series_bins_long_sessions():
    points = [(i, (0.2, 0.4, 0.6), i == 1) for i in range(4000)]
    turns, scores = plot_series(points)
    assert len(turns) <= MAX_PLOT_POINTS and turns[0] == 0 and scores[0]["flagged"] is True
    assert scores[-1][COGNITION] == pytest.approx(0.4) and scores[-1]["flagged"] is False


# --- outputs: names, resume, overwrite, atomicity, inputs -----------------------------------


def test_same_stem_in_two_folders_gets_two_stable_names(tmp_path):
    for folder in ("a", "b"):
        write(tmp_path / "in" / folder / "s.txt", "Therapist: hi\n")
    first, _ = run(tmp_path / "in", tmp_path / "out")
    again, _ = run(tmp_path / "in", tmp_path / "out2")
    names = [s["session"] for s, _ in first.sessions]
    assert len(set(names)) == 2 and names[0] == "s" and names == [s["session"] for s, _ in again.sessions]


def test_resume_skips_finished_sessions_without_rewriting_them(tmp_path):
    for name in ("one", "two", "three"):
        write(tmp_path / "in" / f"{name}.txt", f"Client: {name}\nTherapist: I feel {name}\n")
    out = tmp_path / "out"
    run(tmp_path / "in", out)
    (out / "sessions" / "two.summary.json").unlink()  # as if the run died while writing session "two"
    finished = {p: s for p, s in snapshot(out / "sessions").items() if not p.name.startswith("two.")}

    fake = KeywordAnalyzer()
    assert cli([tmp_path / "in", "-o", out, "--resume"], fake) == EXIT_OK
    assert fake.scored == ["I feel two"]  # only the unfinished session went to the model
    assert {p: s for p, s in snapshot(out / "sessions").items() if p in finished} == finished
    with open(out / "summary.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["session"], r["status"]) for r in rows] == [("one", "resumed"), ("three", "resumed"), ("two", "scored")]

    def no_model():
        raise AssertionError("nothing left to score, the model must not load")

    # Everything complete: nothing is scored and the model is never loaded.
    assert run_transcripts_command(parse([tmp_path / "in", "-o", out, "--resume", "--quiet"]), no_model) == EXIT_OK


def test_resume_rescores_a_session_whose_input_changed(tmp_path):
    src = write(tmp_path / "s.txt", "Therapist: hi\n")
    run(src, tmp_path / "out")
    write(src, "Therapist: hi\nClient: more\nTherapist: I feel more\n")
    _, fake = run(src, tmp_path / "out", resume=True)
    assert fake.scored == ["hi", "I feel more"]


def test_refuses_to_overwrite_results_without_force(tmp_path, capsys):
    src = write(tmp_path / "s.txt", HAND_MADE)
    out = tmp_path / "out"
    assert cli([src, "-o", out]) == EXIT_OK
    before = snapshot(out)
    fake = KeywordAnalyzer()
    assert cli([src, "-o", out], fake) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "already holds results" in err and "--force" in err
    assert snapshot(out) == before and fake.calls == []
    assert cli([src, "-o", out, "--force"], fake) == EXIT_OK and len(fake.calls) == 1
    with pytest.raises(SystemExit):  # --force and --resume contradict each other
        parse([src, "-o", out, "--force", "--resume"])


def test_refusal_message_says_what_to_do(tmp_path):
    src = write(tmp_path / "s.txt", "Therapist: hi\n")
    run(src, tmp_path / "out")
    with pytest.raises(TranscriptsError, match=r"already holds results .*--resume.*--force"):
        run(src, tmp_path / "out")


def test_writes_are_atomic_when_scoring_fails_midway(tmp_path):
    for name in ("a", "b"):
        write(tmp_path / "in" / f"{name}.txt", f"Therapist: {name} one\nTherapist: {name} two\n")

    class Failing(KeywordAnalyzer):
        def classify(self, replies, clients=None):
            if replies[0].startswith("b"):
                raise RuntimeError("model crashed")
            return super().classify(replies, clients)

    with pytest.raises(RuntimeError):
        run(tmp_path / "in", tmp_path / "out", Failing(), batch_size=1)
    files = sorted(p.name for p in (tmp_path / "out" / "sessions").iterdir())
    # Session a is complete; session b left nothing behind, not even a temporary file.
    assert files == ["a.png", "a.summary.json", "a.summary.md", "a.turns.jsonl"]
    assert len(read_jsonl(tmp_path / "out/sessions/a.turns.jsonl")) == 2


def test_inputs_are_never_modified_nor_read_back_from_outdir(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("*.md"))
    before = snapshot(folder)
    out = folder / "results"  # the output folder sits inside the input folder
    first, _ = run(folder, out)
    again, _ = run(folder, out, force=True)  # its .jsonl/.csv outputs must not become inputs
    assert len(first.sessions) == len(again.sessions) == 3
    assert {p: s for p, s in snapshot(folder).items() if out not in p.parents} == before


def test_an_output_path_that_is_an_input_is_refused(tmp_path):
    out = tmp_path / "out"
    src = write(out / "summary.csv", "speaker,text\nTherapist,hi\n")
    with pytest.raises(TranscriptsError, match="is one of the inputs"):
        run(src, out, force=True)
    assert src.read_text() == "speaker,text\nTherapist,hi\n"


# --- bad input ----------------------------------------------------------------------------

BAD_INPUTS = {
    # name: (file name, bytes, expected line or None, words in the message)
    "csv_without_text": ("talk.csv", b"speaker,words\nClient,hi\n", 1, "no 'text' column"),
    "bad_jsonl_line": ("talk.jsonl", b'{"speaker": "Client", "text": "hi"}\n{"speaker": oops}\n', 2, "not valid JSON"),
    "unknown_speaker": ("talk.txt", b"Client: hi\nTherapsit: hello\n", 2, "unknown speaker 'Therapsit'"),
    "empty_file": ("talk.txt", b"", None, "is empty"),
    "non_utf8": ("talk.txt", b"Client: hi\nTherapist: caf\xe9\n", 2, "not UTF-8"),
    "session_id_comes_back": (
        "talk.csv",
        b"session_id,speaker,text\na,Client,x\nb,Client,y\na,Therapist,z\n",
        4,
        "again after other sessions",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_stops_the_run_naming_file_and_line(tmp_path, capsys, case):
    name, content, line, words = BAD_INPUTS[case]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(content)
    write(tmp_path / "in" / "good.txt", "Therapist: I feel with you.\n")
    fake = KeywordAnalyzer()
    assert cli([tmp_path / "in", "-o", tmp_path / "out"], fake) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    where = f"{name}, line {line}:" if line else f"{name}:"
    assert where in err and words in err and "Fix:" in err
    assert fake.calls == [] and not (tmp_path / "out").exists()  # fails before any scoring or writing


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_skip_bad_goes_on_reports_and_exits_3(tmp_path, capsys, case):
    name, content, line, words = BAD_INPUTS[case]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(content)
    write(tmp_path / "in" / "good.txt", "Therapist: I feel with you.\n")
    out = tmp_path / "out"
    assert cli([tmp_path / "in", "-o", out, "--skip-bad"]) == EXIT_SKIPPED
    skipped = json.loads((out / "skipped.json").read_text())
    assert len(skipped) == 1 and skipped[0]["path"].endswith(name) and skipped[0]["line"] == line
    assert words in skipped[0]["problem"] and skipped[0]["fix"]
    err = capsys.readouterr().err
    assert f"skipped: {skipped[0]['path']}" in err and "skipped 1 file(s)" in err
    assert (out / "sessions" / "good.summary.json").exists()
    assert [r["session"] for r in csv.DictReader(open(out / "summary.csv", encoding="utf-8"))] == ["good"]


def test_a_clean_run_writes_an_empty_skipped_list(tmp_path):
    run(write(tmp_path / "s.txt", "Therapist: hi\n"), tmp_path / "out")
    assert json.loads((tmp_path / "out" / "skipped.json").read_text()) == []


def test_missing_path_and_empty_folder_are_usage_errors(tmp_path, capsys):
    assert cli([tmp_path / "nope", "-o", tmp_path / "out"]) == EXIT_BAD_INPUT
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert cli([tmp_path / "empty", "-o", tmp_path / "out"]) == EXIT_BAD_INPUT
    assert "no .txt, .csv, .jsonl files" in capsys.readouterr().err


# --- end to end with the real model -------------------------------------------------------


def test_end_to_end_with_the_real_model(tmp_path, model_dir, capsys):
    if not (model_dir / "config.json").exists():
        pytest.skip(f"no trained model at {model_dir}; set EMPATHY_COACH_MODEL or train one")
    inputs = tmp_path / "samples"
    shutil.copytree(SAMPLES, inputs, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "out"
    assert run_transcripts_command(parse([inputs, "-o", out, "--model", model_dir])) == EXIT_OK
    assert "scored 14 therapist turns in 3 session(s)" in capsys.readouterr().out
    rows = read_jsonl(out / "sessions" / "work_stress.turns.jsonl")
    therapist = [r for r in rows if r["role"] == "therapist"]
    assert len(rows) == 15 and len(therapist) == 7
    for row in therapist:
        assert all(isinstance(row[n], bool) and 0 <= row[score_column(n)] <= 1 for n in LABEL_NAMES)
        assert row["note"]
    summary = json.loads((out / "sessions" / "work_stress.summary.json").read_text())
    assert summary["therapist_turns"] == 7 and summary["model"]["dir"] == str(model_dir)
    assert summary["components"][AFFECT]["turns"] == sum(r[AFFECT] for r in therapist)
    before = snapshot(out / "sessions")
    assert run_transcripts_command(parse([inputs, "-o", out, "--model", model_dir, "--resume"])) == EXIT_OK
    assert snapshot(out / "sessions") == before
