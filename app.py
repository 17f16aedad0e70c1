"""Empathy Coach: the web app (layout and wiring only; every callback is a thin adapter over coach/).

    python app.py [--port 7860] [--host 127.0.0.1] [--model DIR] [--reports-dir DIR] [--corrections FILE]

Tabs: Practice (a scenario or your own client statement, a reply, feedback, model replies,
suggestions, corrections), Trainer (the model's evaluation; evaluate an uploaded labelled
file) and Transcripts (score a whole session). Every event has an ``api_name``, so
``gradio_client`` scripts can call it. The app binds 127.0.0.1 unless ``--host`` is given
and never creates a share link.
"""

from __future__ import annotations

import os
import time

STARTED = time.perf_counter()  # start-up time is measured from here, imports included

# Before gradio is imported: no usage analytics leave the machine; no model hub is contacted.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402

from coach import views  # noqa: E402
from coach.adapters import read_labelled  # noqa: E402
from coach.analysis import Analyzer, EmptyReplyError, ReplyTooLongError  # noqa: E402
from coach.corrections import DEFAULT_CORRECTIONS_FILE, record_correction  # noqa: E402
from coach.evaluation import Scored, evaluate, write_report  # noqa: E402
from coach.io import InputError, write_table  # noqa: E402
from coach.paths import DEFAULT_MODEL_DIR, REPORTS_DIR  # noqa: E402
from coach.scenarios import load_scenarios  # noqa: E402
from coach.schema import LABEL_NAMES  # noqa: E402
from coach.suggest import Suggester, sentence_encoder  # noqa: E402

DEFAULT_PORT = int(os.environ.get("EMPATHY_COACH_PORT", os.environ.get("GRADIO_SERVER_PORT", "7860")))
DEFAULT_REPORTS_DIR = Path(os.environ.get("EMPATHY_COACH_REPORTS", REPORTS_DIR))
REPLY_ERRORS = (EmptyReplyError, ReplyTooLongError)
FILE_ERRORS = (InputError, ValueError, UnicodeError)
LABELLED_TYPES = [".csv", ".jsonl", ".json"]
TRANSCRIPT_TYPES = [".txt", ".csv", ".jsonl"]


class Callbacks:
    """The app's event handlers, holding what is loaded once at start-up (model, index, scenarios)."""

    def __init__(self, model_dir: Path, reports_dir: Path, corrections_path: Path):
        self.model_dir = Path(model_dir)
        self.analyzer = Analyzer.load(self.model_dir)
        self.suggester = Suggester.for_model(self.model_dir, self.analyzer.classifier.thresholds)
        self.scenarios = {s.id: s for s in load_scenarios()}
        self.report_dir = Path(reports_dir) / self.model_dir.name
        self.corrections_path = Path(corrections_path)
        self.work_dir = Path(tempfile.mkdtemp(prefix="empathy-coach-"))
        # The sentence encoder (suggestions only) takes seconds to load: warm it in the background.
        self.encoder_ready = threading.Event()
        threading.Thread(target=self._warm_encoder, daemon=True, name="encoder-warmup").start()

    def _warm_encoder(self) -> None:
        try:
            if self.suggester is not None:
                sentence_encoder()
        finally:
            self.encoder_ready.set()

    # --- practice ---------------------------------------------------------------------------

    def select_scenario(self, scenario_id: str):
        """Scenario id -> (client statement, setting, model replies)."""
        scenario = self.scenarios.get(scenario_id)  # None for "your own client statement"
        client = scenario.client if scenario else ""
        return client, views.scenario_markdown(scenario), views.exemplars_html(scenario)

    def analyze(self, reply: str, client: str):
        """Reply + client statement -> (message, warning, scores, highlighted reply, notes, checkboxes, JSON)."""
        try:
            analysis = self.analyzer.analyze(reply, client or None)
        except REPLY_ERRORS as err:
            gr.Warning(str(err))
            return views.message_html(str(err)), "", "", "", "", [], None
        return (
            "",
            views.warning_html(analysis),
            views.scores_html(analysis, self.analyzer.classifier.thresholds),
            views.highlighted_reply_html(analysis),
            views.coaching_html(analysis.feedback),
            views.predicted_names(analysis),
            analysis.to_dict(),
        )

    def suggest(self, reply: str, client: str):
        """Reply + client statement -> (suggestion cards, "use this" choices, suggestions)."""
        if self.suggester is None:
            return (
                views.message_html("This model has no suggestion index (python -m train.build_index).", "info"),
                gr.Radio(choices=[], value=None),
                [],
            )
        try:
            analysis = self.analyzer.analyze(reply, client or None)
        except REPLY_ERRORS:
            return "", gr.Radio(choices=[], value=None), []
        self.encoder_ready.wait(timeout=120)
        suggestions = [s.to_dict() for s in self.suggester.suggest(analysis)]
        return (
            views.suggestions_html(suggestions),
            gr.Radio(choices=views.suggestion_choices(suggestions), value=None),
            suggestions,
        )

    def use_suggestion(self, reply: str, choice: str | None, suggestions: list[dict]):
        """Insert the chosen suggestion into the reply (only on this explicit request)."""
        if choice is None or not str(choice).isdigit() or int(choice) >= len(suggestions or []):
            gr.Warning("Pick a suggestion first.")
            return reply
        return views.apply_suggestion(reply, suggestions[int(choice)])

    def record_correction(self, reply: str, client: str, checked: list[str], note: str):
        """Append the trainee's corrected labels to the corrections file; return a message."""
        try:
            predicted = self.analyzer.analyze(reply, client or None).labels
            row = record_correction(
                reply, client, views.checked_labels(checked), predicted, note or "", path=self.corrections_path
            )
        except (*REPLY_ERRORS, ValueError) as err:
            gr.Warning(str(err))
            return views.message_html(str(err))
        on = ", ".join(n for n in row if row[n] is True) or "no label"
        return views.message_html(f"Thank you: saved ({on}) to {self.corrections_path}.", "ok")

    # --- trainer ----------------------------------------------------------------------------

    def model_report(self):
        """The committed model's evaluation -> (summary, confusion PNG, reliability PNG, worst errors)."""
        metrics = views.read_report(self.report_dir)
        if metrics is None:
            return views.no_report_markdown(self.report_dir), None, None, ""
        return (
            views.report_markdown(metrics),
            _existing(self.report_dir / "confusion.png"),
            _existing(self.report_dir / "reliability.png"),
            views.errors_html(metrics.get("errors", {})),
        )

    def evaluate_upload(self, path: str | None):
        """A labelled CSV/JSONL -> (message, metrics, confusion PNG, reliability PNG, disagreements, files)."""
        empty = ("", None, None, "", None)
        if not path:
            return views.message_html("Upload a labelled CSV or JSONL file first.", "warning"), *empty
        name = Path(path).name
        try:
            records = read_labelled([path])
            probs = self.analyzer.classifier.predict_proba(
                [r["reply"] for r in records], [r.get("client") for r in records]
            )
            result = evaluate(Scored(name, records, probs, self.analyzer.classifier.thresholds))
            if not result["labels"]:
                raise ValueError(
                    f"{name} has replies but no known labels. Fix: add one or more label columns "
                    f"({', '.join(LABEL_NAMES)}) with true/false"
                )
        except FILE_ERRORS as err:
            return _file_error(err, path), *empty
        out = write_report(Path(tempfile.mkdtemp(dir=self.work_dir)), result, title=f"Evaluation on {name}")
        rows = views.disagreements(records, self.analyzer.classifier.decide(probs))
        write_table(out / "disagreements.jsonl", rows)  # empty when the model agrees on everything
        return (
            "",
            views.upload_summary_markdown(result, name),
            str(out / "confusion.png"),
            str(out / "reliability.png"),
            views.disagreements_html(rows, len(records)),
            [str(out / f) for f in ("report.md", "metrics.json", "disagreements.jsonl")],
        )

    # --- transcripts --------------------------------------------------------------------------

    def score_transcript(self, path: str | None):
        """A session transcript -> (message, session summary, tagged turns, plot, scored files)."""
        from coach import transcripts  # imported here: a problem in it never stops the other tabs

        empty = ("", "", None, None)
        if not path:
            return views.message_html("Upload a transcript (.txt, .csv or .jsonl) first.", "warning"), *empty
        out = Path(tempfile.mkdtemp(dir=self.work_dir))
        try:
            result = transcripts.score_transcripts(
                [path], out, lambda: self.analyzer, transcripts.TranscriptOptions(quiet=True), log=lambda _: None
            )
        except (*FILE_ERRORS, transcripts.TranscriptsError) as err:
            return _file_error(err, path), *empty
        sessions = [summary for summary, _ in result.sessions]
        turns = {s["session"]: views.read_turns(out / "sessions" / s["files"]["turns"]) for s in sessions}
        files = [str(out / "summary.csv")] + [
            str(out / "sessions" / s["files"][kind]) for s in sessions for kind in ("turns", "plot", "markdown")
        ]
        plot = str(out / "sessions" / sessions[0]["files"]["plot"]) if sessions else None
        return ("", views.sessions_markdown(sessions), views.sessions_turns_html(turns), plot, files)


def _existing(path: Path) -> str | None:
    return str(path) if path.exists() else None


def _file_error(err: Exception, path: str):
    """A file problem as a page message (and a toast), naming the file as the user called it."""
    text = str(err).replace(str(path), Path(path).name)
    gr.Warning(text)
    return views.message_html(text)


# --- layout -------------------------------------------------------------------------------------


def build_demo(
    model_dir: str | Path = DEFAULT_MODEL_DIR,
    reports_dir: str | Path = DEFAULT_REPORTS_DIR,
    corrections_path: str | Path = DEFAULT_CORRECTIONS_FILE,
) -> gr.Blocks:
    """Load the model once and lay out the three tabs."""
    cb = Callbacks(Path(model_dir), Path(reports_dir), Path(corrections_path))
    with gr.Blocks(title="Empathy Coach") as demo:
        gr.Markdown(
            "# Empathy Coach\nPractise replies to clients and see which kinds of empathy they show: "
            "affective, cognitive, compassionate, and whether the focus slips to you (over-identification)."
        )
        with gr.Tabs():
            with gr.Tab("Practice", id="practice"):
                practice_tab(cb)
            with gr.Tab("Trainer", id="trainer"):
                trainer_tab(cb)
            with gr.Tab("Transcripts", id="transcripts"):
                transcripts_tab(cb)
    demo.coach = cb  # for tests and scripts that want the loaded model
    return demo


def practice_tab(cb: Callbacks) -> None:
    """Scenario, client statement, reply, feedback, suggestions, corrections; model replies beside them."""
    first = next(iter(cb.scenarios.values()), None)
    with gr.Row():
        with gr.Column(scale=3):
            scenario = gr.Dropdown(
                views.scenario_choices(cb.scenarios.values()),
                label="Practice scenario",
                value=first.id if first else views.OWN_STATEMENT,
                elem_id="scenario",
            )
            setting = gr.Markdown(views.scenario_markdown(first), elem_id="setting")
            client = gr.Textbox(first.client if first else "", label="Client statement", lines=3, elem_id="client")
            reply = gr.Textbox(
                label="Your reply", lines=4, placeholder="What would you say to the client?", elem_id="reply"
            )
            submit = gr.Button("Get feedback", variant="primary", elem_id="submit")
            message = gr.HTML(elem_id="message")
            warning = gr.HTML(elem_id="warning")
            with gr.Row():
                scores = gr.HTML(label="Labels", elem_id="scores")
                highlighted = gr.HTML(label="Your reply, sentence by sentence", elem_id="highlighted")
            notes = gr.HTML(elem_id="coaching")
            with gr.Accordion("Suggestions (sentence-level)", open=True):
                suggestions_view = gr.HTML(elem_id="suggestions")
                pick = gr.Radio([], label="Choose a suggestion", elem_id="suggestion-pick")
                use = gr.Button("Use this suggestion in my reply", size="sm", elem_id="use-suggestion")
                suggestions = gr.State([])
            with gr.Accordion("This feedback is wrong", open=False):
                corrected = gr.CheckboxGroup(
                    views.label_choices(), label="The labels this reply should have", elem_id="corrected"
                )
                note = gr.Textbox(label="Note (optional)", lines=1)
                send = gr.Button("Submit correction", size="sm", elem_id="send-correction")
                correction_message = gr.HTML()
            with gr.Accordion("Raw analysis (JSON)", open=False):
                raw = gr.JSON()
        with gr.Column(scale=2):
            gr.Markdown("### Model replies for this scenario")
            exemplars = gr.HTML(views.exemplars_html(first), elem_id="exemplars")
    scenario.change(cb.select_scenario, scenario, [client, setting, exemplars], api_name="select_scenario")
    submit.click(
        cb.analyze, [reply, client], [message, warning, scores, highlighted, notes, corrected, raw], api_name="analyze"
    ).then(cb.suggest, [reply, client], [suggestions_view, pick, suggestions], api_name="suggest")
    use.click(cb.use_suggestion, [reply, pick, suggestions], reply, api_name="use_suggestion")
    send.click(cb.record_correction, [reply, client, corrected, note], correction_message, api_name="record_correction")


def trainer_tab(cb: Callbacks) -> None:
    """The committed model's evaluation, and metrics for an uploaded labelled file."""
    summary, confusion, reliability, errors = cb.model_report()
    gr.Markdown("## The model's evaluation on the test split")
    report = gr.Markdown(summary, elem_id="model-report")
    with gr.Row():
        confusion_image = gr.Image(confusion, label="Confusion matrices", type="filepath", interactive=False, scale=2)
        reliability_image = gr.Image(
            reliability, label="Reliability diagram", type="filepath", interactive=False, scale=1
        )
    with gr.Accordion("Most confident errors", open=False):
        errors_view = gr.HTML(errors)
    refresh = gr.Button("Reload the report", size="sm")
    gr.Markdown(
        "## Evaluate on your own labelled file\nCSV or JSONL with a `reply` column, optionally `client`, "
        "and any of the label columns (true/false); EPITOME CSVs and ESConv JSON also work."
    )
    upload = gr.File(label="Labelled file", file_types=LABELLED_TYPES, type="filepath")
    run = gr.Button("Evaluate", variant="primary")
    message = gr.HTML()
    metrics = gr.Markdown()
    with gr.Row():
        upload_confusion = gr.Image(label="Confusion matrices", type="filepath", interactive=False, scale=2)
        upload_reliability = gr.Image(label="Reliability diagram", type="filepath", interactive=False, scale=1)
    disagreements = gr.HTML()
    downloads = gr.File(label="Report files", file_count="multiple", interactive=False)
    refresh.click(
        cb.model_report, None, [report, confusion_image, reliability_image, errors_view], api_name="model_report"
    )
    run.click(
        cb.evaluate_upload,
        upload,
        [message, metrics, upload_confusion, upload_reliability, disagreements, downloads],
        api_name="evaluate_upload",
    )


def transcripts_tab(cb: Callbacks) -> None:
    """Upload a session transcript; see every therapist turn tagged, a summary and a plot."""
    gr.Markdown(
        "Upload a session: plain text with one turn per line (`Therapist: ...`, `Client: ...`), "
        "or CSV/JSONL with `speaker` and `text` columns (or `reply` and `client`, as `coach score` reads)."
    )
    upload = gr.File(label="Transcript", file_types=TRANSCRIPT_TYPES, type="filepath")
    run = gr.Button("Score the session", variant="primary")
    message = gr.HTML()
    summary = gr.Markdown()
    plot = gr.Image(
        label="Components over the session (the first session; every plot is in the files)",
        type="filepath",
        interactive=False,
    )
    turns = gr.HTML()
    downloads = gr.File(label="Scored files", file_count="multiple", interactive=False)
    run.click(cb.score_transcript, upload, [message, summary, turns, plot, downloads], api_name="score_transcript")


# --- launch -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Empathy Coach web app (local only).")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: $EMPATHY_COACH_PORT or 7860)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR, help="model directory")
    parser.add_argument(
        "--reports-dir",
        type=Path,
        default=DEFAULT_REPORTS_DIR,
        help="evaluation reports folder (default: $EMPATHY_COACH_REPORTS or eval/reports)",
    )
    parser.add_argument(
        "--corrections", type=Path, default=DEFAULT_CORRECTIONS_FILE, help="JSONL file corrections are appended to"
    )
    # ONNX Runtime already uses every core for one request; more parallel requests only contend for them.
    parser.add_argument("--concurrency", type=int, default=2, help="requests run at once per event (default: 2)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        demo = build_demo(args.model, args.reports_dir, args.corrections)
    except (FileNotFoundError, ValueError) as err:  # no trained model yet, or one with other labels
        raise SystemExit(f"error: {err}") from None
    demo.queue(default_concurrency_limit=args.concurrency)
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=False,
        max_file_size="25mb",
        allowed_paths=[str(args.reports_dir)],
        prevent_thread_lock=True,
    )
    print(f"Empathy Coach ready in {time.perf_counter() - STARTED:.1f}s on http://{args.host}:{args.port}", flush=True)
    demo.block_thread()


if __name__ == "__main__":
    main()
