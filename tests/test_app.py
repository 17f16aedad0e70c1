"""The web app: every endpoint driven with gradio_client against the app launched on a free local port.

Run with the dev model: ``EMPATHY_COACH_MODEL=/tmp/dev/model pytest tests/test_app.py``.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
from html import escape
from pathlib import Path
from types import SimpleNamespace

import pytest

from coach.schema import LABEL_NAMES
from eval.load_test import free_port
from tests.conftest import REPO, tiny_records
from tests.test_views import write_tiny_report

API_NAMES = {
    "select_scenario",
    "analyze",
    "suggest",
    "use_suggestion",
    "record_correction",
    "model_report",
    "evaluate_upload",
    "score_transcript",
}
SOCIAL_ANXIETY = "article-social-anxiety"
ARTICLE_LINE = "I can sense how overwhelming this feels for you"
REPLY = "That sounds really frightening. I felt exactly the same when my dad died, I couldn't sleep for months."


@contextlib.contextmanager
def running(demo):
    """Launch ``demo`` in this process on a free 127.0.0.1 port; yield its URL; close it after."""
    port = free_port()
    demo.queue()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True, share=False)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def require_model(model_dir: Path) -> None:
    assert (Path(model_dir) / "config.json").exists(), f"no trained model at {model_dir}"


@pytest.fixture(scope="module")
def app(tmp_path_factory, model_dir):
    """The app with a tiny evaluation report and its own corrections file, launched in-process."""
    from app import build_demo

    require_model(model_dir)
    root = tmp_path_factory.mktemp("app")
    reports = root / "reports"
    write_tiny_report(reports / Path(model_dir).name)
    corrections = root / "corrections" / "corrections.jsonl"
    demo = build_demo(model_dir, reports, corrections)
    with running(demo) as url:
        yield SimpleNamespace(url=url, demo=demo, corrections=corrections, root=root)


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client

    return Client(app.url, verbose=False, analytics_enabled=False, download_files=str(app.root / "downloads"))


def upload(path):
    from gradio_client import handle_file

    return handle_file(str(path))


def analyze(client, reply, context=""):
    message, warning, scores, highlighted, notes, checked, raw = client.predict(reply, context, api_name="/analyze")
    return SimpleNamespace(
        message=message, warning=warning, scores=scores, highlighted=highlighted, notes=notes, checked=checked, raw=raw
    )


# --- wiring ----------------------------------------------------------------------------------


def test_every_event_has_an_api_name(app):
    assert {fn.api_name for fn in app.demo.fns.values()} == API_NAMES


def test_gradio_analytics_are_off(app):
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert not app.demo.analytics_enabled


# --- practice --------------------------------------------------------------------------------------


def test_select_scenario_shows_statement_setting_and_attributed_article_reply(client):
    statement, setting, exemplars = client.predict(SOCIAL_ANXIETY, api_name="/select_scenario")
    assert "car park" in statement and "social anxiety" in setting
    assert ARTICLE_LINE in exemplars and "Model reply quoted from Mental Health Academy" in exemplars
    assert 'class="ec-tag"' in exemplars  # each exemplar carries its gold tags


def test_own_statement_clears_the_client_box(client):
    statement, setting, exemplars = client.predict("own", api_name="/select_scenario")
    assert statement == "" and "Paste" in setting


def test_analyze_returns_the_four_labels_sentences_and_notes(client):
    result = analyze(client, REPLY, "I can't stop thinking about my dad.")
    assert result.message == ""
    assert set(result.raw["scores"]) == set(LABEL_NAMES)
    assert all(f'data-label="{name}"' in result.scores for name in LABEL_NAMES)
    assert result.highlighted.count('class="ec-sentence"') == len(result.raw["sentences"]) == 2
    assert "What" in result.notes
    assert result.checked == [n for n in LABEL_NAMES if result.raw["labels"][n]]  # correction boxes pre-filled


def test_script_in_a_reply_comes_back_escaped(client):
    result = analyze(client, "<script>alert('hi')</script> That sounds so hard. <img src=x onerror=alert(1)>")
    html = result.highlighted + result.notes + result.warning + result.scores
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in result.highlighted


@pytest.mark.parametrize("reply, expected", [("", "empty"), ("   \n\t ", "empty"), ("x" * 20_000, "20,000 characters")])
def test_bad_replies_get_a_clear_message(client, reply, expected):
    result = analyze(client, reply)
    assert expected in result.message and 'role="alert"' in result.message
    assert result.scores == "" and result.raw is None
    html, choices, *_ = client.predict(reply, "", api_name="/suggest")
    assert html == ""


def test_suggestions_are_offered_and_applied_only_on_request(app, client):
    reply = "I felt exactly the same when my dad died."
    analyze(client, reply, "My dad died last month.")
    html, radio = client.predict(reply, "My dad died last month.", api_name="/suggest")
    choices = radio["choices"]
    assert choices, "the dev index should offer at least one suggestion"
    assert 'class="ec-suggestion"' in html and radio["value"] is None
    assert client.predict(reply, None, api_name="/use_suggestion") == reply  # nothing chosen: unchanged
    label, value = choices[0]
    new_reply = client.predict(reply, value, api_name="/use_suggestion")
    assert new_reply != reply and label.split(": ", 1)[1] in new_reply


def test_corrections_are_appended_to_the_local_file(app, client):
    first = client.predict(
        "That sounds scary.", "I panicked on the bus.", ["affective"], "", api_name="/record_correction"
    )
    assert "saved" in first
    before = app.corrections.read_text()
    second = client.predict("Just relax.", "", [], "dismissive", api_name="/record_correction")
    assert "saved" in second
    text = app.corrections.read_text()
    assert text.startswith(before)
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows[-1]["reply"] == "Just relax." and rows[-1]["note"] == "dismissive"
    assert all(rows[-1][n] is False for n in LABEL_NAMES) and set(rows[-1]["predicted"]) == set(LABEL_NAMES)
    assert rows[-2]["affective"] is True


def test_empty_correction_is_refused_with_a_message(app, client):
    before = app.corrections.read_text() if app.corrections.exists() else ""
    message = client.predict("  ", "", ["affective"], "", api_name="/record_correction")
    assert "empty" in message
    assert (app.corrections.read_text() if app.corrections.exists() else "") == before


# --- trainer -----------------------------------------------------------------------------------


def test_model_report_shows_metrics_baselines_plots_and_errors(client):
    summary, confusion, reliability, errors = client.predict(api_name="/model_report")
    assert "Per-label metrics" in summary and "lexicon" in summary and "side by side" in summary
    assert Path(confusion).suffix == ".png" and Path(reliability).suffix == ".png"
    assert "<table" in errors


def test_missing_report_says_how_to_make_one(app, client, tmp_path):
    callbacks = app.demo.coach
    saved, callbacks.report_dir = callbacks.report_dir, tmp_path / "nothing"
    try:
        summary, confusion, reliability, errors = client.predict(api_name="/model_report")
    finally:
        callbacks.report_dir = saved
    assert "No evaluation report yet" in summary and "python -m eval.evaluate" in summary
    assert confusion is None and reliability is None


def write_csv(path, rows, columns):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_uploaded_labelled_file_gets_metrics_and_disagreements(client, tmp_path):
    columns = ["client", "reply", *LABEL_NAMES]
    path = write_csv(tmp_path / "labelled.csv", tiny_records(), columns)
    message, metrics, confusion, reliability, disagreements, files = client.predict(
        upload(path), api_name="/evaluate_upload"
    )
    assert message == ""
    assert "labelled.csv" in metrics and "macro" in metrics and all(n in metrics for n in LABEL_NAMES)
    assert Path(confusion).exists() and Path(reliability).exists()
    assert "of 16 records" in disagreements or "agrees" in disagreements
    assert {Path(f).name for f in files} == {"report.md", "metrics.json", "disagreements.jsonl"}


def test_uploaded_jsonl_with_some_labels(client, tmp_path):
    path = tmp_path / "some.jsonl"
    path.write_text(
        "".join(json.dumps({"reply": r["reply"], "affective": r["affective"]}) + "\n" for r in tiny_records())
    )
    message, metrics, *_ = client.predict(upload(path), api_name="/evaluate_upload")
    assert message == "" and "labels present: affective." in metrics


BAD_UPLOADS = {
    "binary.csv": (b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
    "latin1.csv": ("reply,affective\ncaf\u00e9 au lait,1\n".encode("latin-1"), "UTF-8"),
    "noreply.csv": (b"text,affective\nhello,1\n", "'reply'"),
    "nolabels.csv": (b"reply,client\nThat sounds hard.,I failed\n", "no known labels"),
    "badlabel.csv": (b"reply,affective\nThat sounds hard.,maybe\n", "maybe"),
}


@pytest.mark.parametrize("name", sorted(BAD_UPLOADS))
def test_bad_labelled_uploads_get_a_clear_message(client, tmp_path, name):
    content, expected = BAD_UPLOADS[name]
    path = tmp_path / name
    path.write_bytes(content)
    message, metrics, *_ = client.predict(upload(path), api_name="/evaluate_upload")
    assert escape(expected) in message and 'role="alert"' in message and metrics == ""
    assert name in message and "gradio" not in message  # names the file as the user called it


def test_evaluate_without_a_file(app):
    message, *_ = app.demo.coach.evaluate_upload(None)
    assert "Upload" in message


# --- transcripts ---------------------------------------------------------------------------------

TRANSCRIPT = """Client: I nearly didn't come today. I keep thinking everyone is judging me.
Therapist: It sounds like it took a lot to walk in here, with that fear of being judged.
Client: My mum died last spring and I still can't talk about it.
Therapist: I know exactly how you feel, my mum died too and I cried for a year. <script>alert(1)</script>
Client: Yeah.
Therapist: What would help most today?
"""


def test_plain_text_transcript_is_tagged_summarised_and_plotted(client, tmp_path):
    path = tmp_path / "session.txt"
    path.write_text(TRANSCRIPT)
    message, summary, turns, plot, files = client.predict(upload(path), api_name="/score_transcript")
    assert message == ""
    assert "3 therapist turns" in summary and "Flagged turns" in summary
    assert turns.count("<tr") == 1 + 3 and "fear of being judged" in turns  # header + 3 therapist turns
    assert "I still can" in turns  # the client turn before is shown as context
    assert "&lt;script&gt;" in turns and "<script>" not in turns
    assert Path(plot).suffix == ".png"
    names = [Path(f).name for f in files]
    assert "summary.csv" in names and {"session.turns.jsonl", "session.png", "session.summary.md"} <= set(names)


def test_speaker_text_csv_and_reply_csv_transcripts(client, tmp_path):
    turns_csv = write_csv(
        tmp_path / "turns.csv",
        [
            {"session_id": "a", "speaker": "Client", "text": "I can't sleep."},
            {"session_id": "a", "speaker": "Therapist", "text": "That sounds exhausting."},
            {"session_id": "b", "speaker": "Client", "text": "I lost my job."},
            {"session_id": "b", "speaker": "Therapist", "text": "What has that been like?"},
        ],
        ["session_id", "speaker", "text"],
    )
    message, summary, turns, plot, files = client.predict(upload(turns_csv), api_name="/score_transcript")
    assert message == "" and summary.count("**Session") == 2 and sum(f.endswith(".png") for f in files) == 2
    replies_csv = write_csv(tmp_path / "replies.csv", tiny_records(), ["client", "reply"])
    message, summary, turns, plot, files = client.predict(upload(replies_csv), api_name="/score_transcript")
    assert message == "" and "16 therapist turns" in summary


BAD_TRANSCRIPTS = {
    "binary.txt": (b"\x00\xff\x00\xfe" * 100, "binary"),
    "latin1.txt": ("Client: caf\u00e9\nTherapist: ok\n".encode("latin-1"), "UTF-8"),
    "nocolumns.csv": (b"who,said\nClient,hi\n", "'reply'"),
    "noprefix.txt": (b"hello there\nTherapist: hi\n", "speaker prefix"),
}


@pytest.mark.parametrize("name", sorted(BAD_TRANSCRIPTS))
def test_bad_transcripts_get_a_clear_message(client, tmp_path, name):
    content, expected = BAD_TRANSCRIPTS[name]
    path = tmp_path / name
    path.write_bytes(content)
    message, summary, turns, plot, files = client.predict(upload(path), api_name="/score_transcript")
    assert escape(expected) in message and 'role="alert"' in message and summary == "" and not files


# --- launching ------------------------------------------------------------------------------------


def test_python_app_py_starts_on_localhost_without_a_share_link(model_dir, tmp_path):
    """``python app.py`` as a user runs it: 127.0.0.1 only, no share link (start-up time: eval/load_test.py)."""
    import urllib.request

    require_model(model_dir)
    port = free_port()
    env = {**os.environ, "EMPATHY_COACH_MODEL": str(model_dir), "EMPATHY_COACH_REPORTS": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("ready in" in line for line in lines):
            lines.append(process.stdout.readline())
        ready = next(line for line in lines if "ready in" in line)
        assert f"http://127.0.0.1:{port}" in ready and "gradio.live" not in "".join(lines)
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).status == 200
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.load
def test_bounded_load(request, model_dir, tmp_path):
    """8 clients x 25 analyses against ``python app.py``; runs only with ``-m load`` (or python -m eval.load_test)."""
    if "load" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("the bounded load test runs only when selected: pytest -m load")
    require_model(model_dir)
    from eval.load_test import run

    result = run(model_dir, clients=8, requests=25, out=tmp_path / "load_test.json")
    assert result["errors"] == 0 and result["requests"] == 200
