"""What the app shows: analyses, scenarios, reports and transcript results as HTML, markdown and rows.

Pure functions (no gradio): ``app.py`` wires them to components and the tests call
them directly. Every piece of user or data text goes through ``html.escape`` before it
is put into HTML, so a reply containing ``<script>`` is shown as text, never run.
Label names, titles and colours all derive from ``coach.schema``.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from coach.evaluation import metrics_table
from coach.schema import BY_NAME, COMPONENTS, FLAGS, LABEL_NAMES

# (background, text) per component in schema order; every flag is red.
_COMPONENT_COLOURS = (("#fde7ef", "#9d174d"), ("#e0ecff", "#1e40af"), ("#dcf5e3", "#166534"))
_FLAG_COLOURS = ("#fee2e2", "#b91c1c")
_NEUTRAL = ("#eef0f3", "#4b5563")
COLOURS: dict[str, tuple[str, str]] = {
    **{name: _COMPONENT_COLOURS[i % len(_COMPONENT_COLOURS)] for i, name in enumerate(COMPONENTS)},
    **{name: _FLAG_COLOURS for name in FLAGS},
}
OWN_STATEMENT = "own"  # the scenario picker's value for "paste your own client statement"
MAX_ROWS_SHOWN = 200  # disagreements / turns listed on the page; the downloads hold all of them
ERRORS_SHOWN = 10  # worst errors per label in the trainer view


def tag(name: str, text: str | None = None) -> str:
    """A small coloured pill naming one label (or showing ``text`` in that label's colours)."""
    background, colour = COLOURS.get(name, _NEUTRAL)
    return (
        f'<span class="ec-tag" style="background:{background};color:{colour};border:1px solid {colour}55;'
        f'border-radius:9px;padding:0 6px;margin:0 2px;font-size:0.75em;white-space:nowrap">'
        f"{escape(text or short_name(name))}</span>"
    )


def short_name(name: str) -> str:
    """The label as a tag shows it: ``over_identification`` -> ``over-identification``."""
    return name.replace("_", "-")


def tags(labels: dict[str, bool]) -> str:
    """Pills for the labels that are on, or a grey "no component" pill."""
    on = [name for name in LABEL_NAMES if labels.get(name)]
    if on:
        return " ".join(tag(name) for name in on)  # spaces let a cell wrap between pills
    return tag("none", "no component")


def message_html(text: str, kind: str = "error") -> str:
    """A message box for the page; ``kind`` is "error", "warning", "info" or "ok"."""
    if not text:
        return ""
    colours = {
        "error": ("#fee2e2", "#991b1b"),
        "warning": ("#fef3c7", "#92400e"),
        "info": ("#e0ecff", "#1e3a8a"),
        "ok": ("#dcf5e3", "#166534"),
    }[kind]
    return (
        f'<div class="ec-message ec-{kind}" role="alert" style="background:{colours[0]};color:{colours[1]};'
        f'padding:8px 12px;border-radius:6px">{escape(text)}</div>'
    )


# --- practice: scenarios and exemplars -----------------------------------------------------


def scenario_choices(scenarios) -> list[tuple[str, str]]:
    """``(label, id)`` pairs for the picker, "your own statement" first, article cases next."""
    return [("Your own client statement (paste it below)", OWN_STATEMENT)] + [(s.label, s.id) for s in scenarios]


def scenario_markdown(scenario) -> str:
    """The setting a trainee reads before replying (markdown, escaped)."""
    if scenario is None:
        return "Paste the client statement you want to practise with, then write your reply."
    source = "One of the article's three case scenarios." if scenario.source == "article" else "Team scenario."
    return f"**{_md(scenario.title)}**: {_md(scenario.setting or scenario.context)}\n\n*{source}*"


def exemplars_html(scenario) -> str:
    """The scenario's model replies (the article's own first, attributed) and contrasts, each tagged."""
    if scenario is None:
        return '<p class="ec-muted">Pick a scenario to compare your reply with model replies.</p>'
    ordered = sorted(scenario.exemplars, key=lambda e: (e.kind != "model", e.source != "article"))
    return "".join(_exemplar_html(e) for e in ordered)


def _exemplar_html(exemplar) -> str:
    if exemplar.kind == "model":
        # The article's attribution already says "Model reply quoted from ..."; the team's does not.
        head = escape(exemplar.attribution)
        if exemplar.source != "article":
            head = f"Model reply &middot; {head}"
    else:
        head = f"Contrast, what to avoid &middot; {escape(exemplar.attribution)}"
    border = "#16a34a" if exemplar.kind == "model" else "#9ca3af"
    return (
        f'<div class="ec-exemplar" style="border-left:4px solid {border};padding:6px 10px;margin:8px 0">'
        f'<div style="font-size:0.8em;opacity:0.8">{head}</div>'
        f'<blockquote style="margin:4px 0">{escape(exemplar.reply)}</blockquote>'
        f"<div>{tags(exemplar.labels)}</div>"
        f'<div style="font-size:0.8em;opacity:0.8">{escape(exemplar.note)}</div></div>'
    )


# --- practice: one analysis ------------------------------------------------------------------


def scores_html(analysis, thresholds: dict[str, float]) -> str:
    """The four labels with their probabilities, bars and whether each was detected."""
    rows = []
    for name in LABEL_NAMES:
        p, on = analysis.scores[name], analysis.labels[name]
        background, text = COLOURS[name]
        verdict = "detected" if on else "not detected"
        rows.append(
            f'<div class="ec-score" data-label="{name}" style="margin:4px 0">'
            f'<div style="display:flex;justify-content:space-between"><span><b>{escape(BY_NAME[name].title)}</b> '
            f"{tag(name) if on else ''}</span><span>{p:.0%} &middot; {verdict}</span></div>"
            f'<div style="background:#e5e7eb;height:8px;border-radius:4px;position:relative">'
            f'<div style="width:{p * 100:.1f}%;background:{text};height:8px;border-radius:4px"></div>'
            f'<div title="threshold {thresholds[name]:.2f}" style="position:absolute;top:-2px;'
            f'left:{thresholds[name] * 100:.1f}%;width:2px;height:12px;background:#111"></div></div></div>'
        )
    return '<div class="ec-scores" style="padding:0 6px"><h4>Labels</h4>' + "".join(rows) + "</div>"


def warning_html(analysis) -> str:
    """A clear over-identification warning naming the sentences, or "" when nothing is flagged.

    It shows when the whole reply is flagged or when any one sentence is (as the coaching notes do).
    """
    culprits = [s["text"] for s in analysis.sentences if any(s["labels"][f] for f in FLAGS)]
    flagged = [f for f in FLAGS if analysis.labels[f] or any(s["labels"][f] for s in analysis.sentences)]
    if not flagged:
        return ""
    quoted = "".join(f"<li>{escape(text)}</li>" for text in culprits)
    titles = ", ".join(BY_NAME[f].title for f in flagged)
    return (
        f'<div class="ec-warning" role="alert" style="background:{_FLAG_COLOURS[0]};color:{_FLAG_COLOURS[1]};'
        f'border:2px solid {_FLAG_COLOURS[1]};padding:8px 12px;border-radius:6px">'
        f"<b>&#9888; {escape(titles)}:</b> the focus moves from the client to you. "
        f"Bring it back to their experience.{f'<ul>{quoted}</ul>' if quoted else ''}</div>"
    )


def highlighted_reply_html(analysis) -> str:
    """The reply with each sentence coloured by what it does and tagged with its labels."""
    parts, cursor = [], 0
    for sentence in analysis.sentences:
        parts.append(escape(analysis.reply[cursor : sentence["start"]]))
        parts.append(_sentence_html(analysis.reply[sentence["start"] : sentence["end"]], sentence["labels"]))
        cursor = sentence["end"]
    parts.append(escape(analysis.reply[cursor:]))
    return (
        '<div class="ec-highlight" style="padding:0 6px"><h4>Your reply, sentence by sentence</h4>'
        '<div style="white-space:pre-wrap;line-height:1.9">' + "".join(parts) + "</div></div>"
    )


def _sentence_html(text: str, labels: dict[str, bool]) -> str:
    on = [name for name in LABEL_NAMES if labels.get(name)]
    components = [name for name in on if name in COMPONENTS]
    background, _ = COLOURS[components[0]] if components else _NEUTRAL
    flagged = any(labels.get(f) for f in FLAGS)
    underline = f";text-decoration:underline wavy {_FLAG_COLOURS[1]}" if flagged else ""
    names = " ".join(on) or "none"
    return (
        f'<span class="ec-sentence" data-labels="{names}" style="background:{background};color:#111;'
        f'padding:2px 3px;border-radius:4px{underline}">{escape(text)}</span>{tags(labels)}'
    )


def coaching_html(feedback) -> str:
    """Coaching notes: the summary, what works, what is missing, how to bring the focus back."""
    sections = [
        ("Bring the focus back to the client", feedback.focus),
        ("What works", feedback.strengths),
        ("What is missing", feedback.missing),
    ]
    body = "".join(
        f"<h4>{title}</h4><ul>{''.join(f'<li>{escape(n)}</li>' for n in notes)}</ul>"
        for title, notes in sections
        if notes
    )
    return f'<div class="ec-coaching"><p><b>{escape(feedback.summary)}</b></p>{body}</div>'


def predicted_names(analysis) -> list[str]:
    """The labels the model decided on, to pre-fill the "this feedback is wrong" checkboxes."""
    return [name for name in LABEL_NAMES if analysis.labels[name]]


def label_choices() -> list[tuple[str, str]]:
    """``(title, name)`` for the correction checkboxes, in schema order."""
    return [(BY_NAME[name].title, name) for name in LABEL_NAMES]


def checked_labels(checked: list[str] | None) -> dict[str, bool]:
    """Checkbox values to the four labels (unchecked means False); unknown names are refused."""
    checked = list(checked or [])
    unknown = sorted(set(checked) - set(LABEL_NAMES))
    if unknown:
        raise ValueError(f"unknown label(s) {', '.join(unknown)}; expected some of {', '.join(LABEL_NAMES)}")
    return {name: name in checked for name in LABEL_NAMES}


# --- practice: suggestions ---------------------------------------------------------------------


def suggestions_html(suggestions: list[dict]) -> str:
    """Suggestions as cards: what to add or what to replace, never applied here."""
    if not suggestions:
        return '<p class="ec-muted">No suggestion: nothing is missing or flagged, or no close example was found.</p>'
    return "".join(_suggestion_html(i, s) for i, s in enumerate(suggestions, start=1))


def _suggestion_html(number: int, s: dict) -> str:
    if s["kind"] == "replace":
        head = f"{number}. Replace {tag(s['label'])}"
        old = f'<div style="text-decoration:line-through;opacity:0.7">{escape(s["replaces"])}</div>'
    else:
        head, old = f"{number}. Add {tag(s['label'])}", ""
    return (
        f'<div class="ec-suggestion" style="border:1px dashed #9ca3af;border-radius:6px;padding:6px 10px;'
        f'margin:6px 0"><div>{head}</div>{old}<div>&rarr; {escape(s["text"])}</div>'
        f'<div style="font-size:0.75em;opacity:0.7">from {escape(s["source"])}</div></div>'
    )


def suggestion_choices(suggestions: list[dict]) -> list[tuple[str, str]]:
    """``(label, index)`` pairs for the "use this" picker."""
    out = []
    for i, s in enumerate(suggestions):
        verb = "Replace with" if s["kind"] == "replace" else "Add"
        out.append((f"{i + 1}. {verb} ({short_name(s['label'])}): {s['text']}", str(i)))
    return out


def apply_suggestion(reply: str, suggestion: dict) -> str:
    """The reply with one suggestion applied: a replacement swaps its sentence, an addition is appended.

    A replacement whose sentence is no longer in the reply (the trainee edited it) is appended instead.
    """
    reply = reply or ""
    if suggestion["kind"] == "replace" and suggestion.get("replaces") and suggestion["replaces"] in reply:
        return reply.replace(suggestion["replaces"], suggestion["text"], 1)
    stripped = reply.rstrip()
    if not stripped:
        return suggestion["text"]
    joint = " " if stripped[-1] in ".!?\u201d\"')" else ". "
    return stripped + joint + suggestion["text"]


# --- trainer view ----------------------------------------------------------------------------------


def read_report(report_dir: str | Path) -> dict | None:
    """``metrics.json`` of an evaluation folder, or None when it has not been written yet."""
    path = Path(report_dir) / "metrics.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def no_report_markdown(report_dir: str | Path) -> str:
    """What the trainer view says before the model has been evaluated."""
    return (
        f"**No evaluation report yet** (nothing at `{report_dir}/metrics.json`). "
        "Run `python -m eval.evaluate` to evaluate the model on the test split; "
        "this view shows its report after a refresh."
    )


def report_markdown(metrics: dict) -> str:
    """Headline, per-label metrics of the model and its baselines, and the baselines side by side."""
    baselines = list(metrics.get("baselines", {}).values())
    return "\n".join(
        [
            f"**{_md(metrics['scorer'])}** on {metrics['n_records']} records "
            f"({_md(str(metrics.get('split', 'labelled data')))}): macro-F1 **{_number(metrics.get('macro_f1'))}**, "
            f"mean ECE {_number(metrics.get('mean_ece'))}.",
            "",
            "### Per-label metrics",
            "",
            _escaped_table(metrics_table([metrics, *baselines])),
            "",
            "### F1 side by side",
            "",
            side_by_side_markdown([metrics, *baselines]),
        ]
    )


def side_by_side_markdown(results: list[dict]) -> str:
    """One row per label, one F1 (ROC-AUC) column per scorer."""
    lines = ["| label | " + " | ".join(_md(r["scorer"]) for r in results) + " |", "|---|" + "---|" * len(results)]
    for name in LABEL_NAMES:
        cells = [_f1_cell(r["labels"].get(name)) for r in results]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| **macro** | " + " | ".join(f"**{_number(r.get('macro_f1'))}**" for r in results) + " |")
    return "\n".join(lines)


def _f1_cell(m: dict | None) -> str:
    if m is None:
        return "n/a"
    return f"{m['f1']:.3f} ({'n/a' if m['roc_auc'] is None else format(m['roc_auc'], '.3f')})"


def errors_html(errors: dict[str, list[dict]], limit: int = ERRORS_SHOWN) -> str:
    """The model's most confident errors per label, as escaped tables."""
    if not errors:
        return '<p class="ec-muted">No errors recorded.</p>'
    parts = []
    for name, rows in errors.items():
        parts.append(f"<h4>{tag(name)} {escape(BY_NAME[name].title) if name in BY_NAME else escape(name)}</h4>")
        if not rows:
            parts.append("<p>No errors on this label.</p>")
            continue
        body = "".join(
            f"<tr><td>{r['probability']:.2f}</td><td>{'yes' if r['gold'] else 'no'}</td>"
            f"<td>{escape(str(r.get('client', '')))}</td><td>{escape(str(r['reply']))}</td></tr>"
            for r in rows[:limit]
        )
        parts.append(table("ec-errors", [("p", 6), ("gold", 6), ("client", 40), ("reply", 48)], body))
    return "".join(parts)


def disagreements(records: list[dict], decisions) -> list[dict]:
    """Records where the model's decision differs from a known gold label, with what differs."""
    out = []
    for record, decided in zip(records, decisions):
        wrong = [
            name
            for name, d in zip(LABEL_NAMES, decided)
            if record.get(name) is not None and bool(d) != bool(record[name])
        ]
        if wrong:
            out.append(
                {
                    "id": record.get("id", ""),
                    "client": record.get("client", ""),
                    "reply": record["reply"],
                    "gold": {n: record.get(n) for n in LABEL_NAMES},
                    "predicted": {n: bool(d) for n, d in zip(LABEL_NAMES, decided)},
                    "disagree": wrong,
                }
            )
    return out


def disagreements_html(rows: list[dict], total: int, limit: int = MAX_ROWS_SHOWN) -> str:
    """The disagreements as an escaped table (first ``limit`` rows)."""
    if not rows:
        return f"<p>The model agrees with every known label on all {total} records.</p>"
    head = f"<p>{len(rows)} of {total} records have at least one disagreement"
    head += f" (first {limit} shown).</p>" if len(rows) > limit else ".</p>"
    body = "".join(
        f"<tr><td>{escape(str(r['id']))}</td><td>{escape(str(r['client']))}</td><td>{escape(r['reply'])}</td>"
        f"<td>{_gold_tags(r['gold'])}</td><td>{tags(r['predicted'])}</td>"
        f"<td>{' '.join(tag(n) for n in r['disagree'])}</td></tr>"
        for r in rows[:limit]
    )
    columns = [("id", 6), ("client", 22), ("reply", 32), ("gold", 13), ("model", 13), ("disagree on", 14)]
    return head + table("ec-disagreements", columns, body)


def _gold_tags(gold: dict) -> str:
    known = {n: v for n, v in gold.items() if v is not None}
    unknown = [n for n, v in gold.items() if v is None]
    note = f' <span style="font-size:0.75em;opacity:0.7">unlabelled: {", ".join(unknown)}</span>' if unknown else ""
    return tags(known) + note


def upload_summary_markdown(result: dict, name: str) -> str:
    """Per-label metrics for a trainer's uploaded file."""
    labelled = ", ".join(result["labels"])
    return "\n".join(
        [
            f"**{_md(name)}**: {result['n_records']} records, labels present: {labelled}. "
            f"Macro-F1 **{_number(result['macro_f1'])}**, mean ECE {_number(result['mean_ece'])}.",
            "",
            _escaped_table(metrics_table([result])),
        ]
    )


# --- transcripts view -------------------------------------------------------------------------------


def read_turns(path: str | Path) -> list[dict]:
    """The therapist turns of a scored ``.turns.jsonl`` file as ``{number, context, text, labels}``."""
    turns = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line) if line.strip() else {}
            if row.get("role") == "therapist":
                turns.append(
                    {
                        "number": row.get("turn"),
                        "context": row.get("context") or "",
                        "text": str(row.get("text") or row.get("reply") or ""),
                        "labels": {n: row.get(n) for n in LABEL_NAMES},
                    }
                )
    return turns


def sessions_turns_html(sessions: dict[str, list[dict]], limit: int = MAX_ROWS_SHOWN) -> str:
    """Each session's therapist turns, with a heading per session when there are several."""
    if len(sessions) == 1:
        return turns_html(next(iter(sessions.values())), limit)
    return "".join(f"<h4>Session {escape(name)}</h4>{turns_html(turns, limit)}" for name, turns in sessions.items())


def turns_html(turns: list[dict], limit: int = MAX_ROWS_SHOWN) -> str:
    """Therapist turns, each with the client turn(s) before it and its tags; flagged turns in red."""
    if not turns:
        return "<p>No therapist turns found.</p>"
    rows = "".join(_turn_row(t) for t in turns[:limit])
    more = (
        f"<p>First {limit} of {len(turns)} therapist turns shown; the download holds all.</p>"
        if len(turns) > limit
        else ""
    )
    return more + table("ec-turns", [("turn", 6), ("client before", 34), ("therapist", 40), ("tags", 20)], rows)


def _turn_row(turn: dict) -> str:
    scored = any(v is not None for v in turn["labels"].values())
    flagged = any(turn["labels"].get(f) for f in FLAGS)
    style = f' style="background:{_FLAG_COLOURS[0]}"' if flagged else ""
    shown = tags(turn["labels"]) if scored else tag("none", "empty, not scored")
    return (
        f"<tr{style}><td>{escape(str(turn.get('number', '')))}</td>"
        f"<td>{escape(turn.get('context') or '')}</td>"
        f"<td>{escape(turn['text'])}</td><td>{shown}</td></tr>"
    )


def sessions_markdown(summaries: list[dict]) -> str:
    """The session summaries (``coach.transcripts`` summary dicts) one after another."""
    if not summaries:
        return "No session found in the file."
    return "\n\n".join(session_summary_markdown(s) for s in summaries)


def session_summary_markdown(summary: dict) -> str:
    """Share of therapist turns with each component and each flag, and the flagged turns."""
    lines = [
        f"**Session {_md(summary['session'])}**: {summary['therapist_turns']} therapist turns scored "
        f"(of {summary['turns']} turns).",
        "",
        "| | therapist turns | share |",
        "|---|---:|---:|",
    ]
    rows = [(BY_NAME[n].title, summary["components"][n]) for n in COMPONENTS]
    rows += [("No empathic component", summary["no_component"])]
    rows += [(BY_NAME[n].title, summary["flags"][n]) for n in FLAGS]
    lines += [f"| {title} | {c['turns']} | {_percent(c['share'])} |" for title, c in rows]
    flagged = [str(item["turn"]) for item in summary.get("flagged", [])]
    lines += ["", f"Flagged turns: {', '.join(flagged) if flagged else 'none'}."]
    return "\n".join(lines)


# --- helpers ---------------------------------------------------------------------------------------


def table(css_class: str, columns: list[tuple[str, int]], body: str, max_height: int = 700) -> str:
    """A fixed-layout table (``columns`` are ``(heading, width %)``) that scrolls when it is long."""
    head = "".join(f'<th style="width:{width}%">{escape(name)}</th>' for name, width in columns)
    return (
        f'<div style="max-height:{max_height}px;overflow-y:auto">'
        f'<table class="{css_class}" style="table-layout:fixed;width:100%;font-size:0.85em">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def _number(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _md(text: str) -> str:
    """Escape text for markdown that gradio renders as HTML."""
    return escape(str(text)).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def _escaped_table(text: str) -> str:
    """A markdown table from ``metrics_table``, with HTML in any cell escaped."""
    return escape(text, quote=False)
