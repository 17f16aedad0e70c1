"""coach.views: HTML/markdown for the app, on hand-made analyses (no model, no gradio)."""

import json

import numpy as np
import pytest

from coach import views
from coach.analysis import Analysis
from coach.evaluation import Scored, evaluate, write_report
from coach.feedback import build_feedback
from coach.scenarios import load_scenarios
from coach.schema import BY_NAME, COMPONENTS, FLAGS, LABEL_NAMES
from coach.sentences import split_sentences
from tests.conftest import tiny_records

FLAG = FLAGS[0]
FIRST, SECOND = COMPONENTS[0], COMPONENTS[1]


def make_analysis(reply: str, sentence_labels: list[set[str]], reply_labels: set[str] | None = None) -> Analysis:
    """An Analysis of ``reply`` whose sentences (split as the analyzer splits them) carry the given labels."""
    spans = split_sentences(reply)
    assert len(spans) == len(sentence_labels)
    sentences = [
        {
            "text": span.text,
            "start": span.start,
            "end": span.end,
            "scores": {n: 0.9 if n in on else 0.1 for n in LABEL_NAMES},
            "labels": {n: n in on for n in LABEL_NAMES},
        }
        for span, on in zip(spans, sentence_labels)
    ]
    on = set().union(*sentence_labels) if reply_labels is None else reply_labels
    labels = {n: n in on for n in LABEL_NAMES}
    scores = {n: 0.8 if labels[n] else 0.2 for n in LABEL_NAMES}
    return Analysis(reply, "I failed my exam.", scores, labels, sentences, build_feedback(labels, sentences))


THRESHOLDS = dict.fromkeys(LABEL_NAMES, 0.5)


def test_scores_show_every_label_with_its_probability():
    html = views.scores_html(make_analysis("That sounds hard.", [{FIRST}]), THRESHOLDS)
    for name in LABEL_NAMES:
        assert BY_NAME[name].title in html and f'data-label="{name}"' in html
    assert "80%" in html and "20%" in html and "not detected" in html


def test_highlight_tags_each_sentence_and_keeps_the_text_between():
    reply = "That sounds hard. I failed mine too."
    html = views.highlighted_reply_html(make_analysis(reply, [{FIRST}, {FLAG}]))
    assert html.count('class="ec-sentence"') == 2
    assert f'data-labels="{FIRST}"' in html and f'data-labels="{FLAG}"' in html
    assert views.short_name(FLAG) in html and "wavy" in html  # the flagged sentence is marked


def test_user_html_is_escaped_everywhere():
    reply = "<script>alert('x')</script> That sounds hard. <b>I</b> failed too."
    analysis = make_analysis(reply, [{FIRST}, {FLAG}])
    outputs = [
        views.highlighted_reply_html(analysis),
        views.warning_html(analysis),
        views.coaching_html(analysis.feedback),
        views.scores_html(analysis, THRESHOLDS),
    ]
    for html in outputs:
        assert "<script>" not in html and "<b>I</b>" not in html
    assert "&lt;script&gt;" in outputs[0] and "&lt;b&gt;I&lt;/b&gt; failed too." in outputs[1]


def test_warning_only_when_the_focus_moves_to_the_helper():
    assert views.warning_html(make_analysis("That sounds hard.", [{FIRST}])) == ""
    reply_level = views.warning_html(make_analysis("That sounds hard.", [{FIRST}], {FIRST, FLAG}))
    sentence_level = views.warning_html(make_analysis("That sounds hard. I failed too.", [{FIRST}, {FLAG}], {FIRST}))
    for html in (reply_level, sentence_level):
        assert BY_NAME[FLAG].title in html and 'role="alert"' in html
    assert "I failed too." in sentence_level


def test_coaching_notes_have_what_works_what_is_missing_and_refocusing():
    html = views.coaching_html(make_analysis("That sounds hard. I failed too.", [{FIRST}, {FLAG}]).feedback)
    assert "What works" in html and "What is missing" in html and "Bring the focus back" in html


def test_exemplars_of_an_article_scenario_are_attributed_and_tagged():
    scenario = next(s for s in load_scenarios() if s.source == "article")
    html = views.exemplars_html(scenario)
    article = [e for e in scenario.exemplars if e.source == "article"]
    assert article and all(views.escape(e.reply) in html for e in article)
    assert article[0].attribution in html
    assert html.index(views.escape(article[0].reply)) < html.index("Contrast")  # model replies first
    assert views.exemplars_html(None).startswith("<p")


def test_scenario_choices_start_with_own_statement_then_article_cases():
    scenarios = load_scenarios()
    choices = views.scenario_choices(scenarios)
    assert choices[0][1] == views.OWN_STATEMENT
    assert [value for _, value in choices[1:4]] == [s.id for s in scenarios if s.source == "article"]


@pytest.mark.parametrize(
    "reply, suggestion, expected",
    [
        (
            "That sounds hard.",
            {"kind": "add", "text": "What would help?", "replaces": ""},
            "That sounds hard. What would help?",
        ),
        (
            "That sounds hard",
            {"kind": "add", "text": "What would help?", "replaces": ""},
            "That sounds hard. What would help?",
        ),
        ("", {"kind": "add", "text": "What would help?", "replaces": ""}, "What would help?"),
        (
            "Ok. I failed too. Right.",
            {"kind": "replace", "text": "What was it like?", "replaces": "I failed too."},
            "Ok. What was it like? Right.",
        ),
        (
            "Edited since.",
            {"kind": "replace", "text": "What was it like?", "replaces": "I failed too."},
            "Edited since. What was it like?",
        ),
    ],
)
def test_apply_suggestion(reply, suggestion, expected):
    assert views.apply_suggestion(reply, suggestion) == expected


def test_suggestions_are_listed_and_escaped():
    items = [
        {"kind": "add", "label": FIRST, "text": "<i>x</i> What helps?", "replaces": "", "source": "s"},
        {"kind": "replace", "label": FLAG, "text": "And you?", "replaces": "Me too.", "source": "s"},
    ]
    html = views.suggestions_html(items)
    assert "<i>x</i>" not in html and "Me too." in html and "Replace" in html
    assert [v for _, v in views.suggestion_choices(items)] == ["0", "1"]
    assert "No suggestion" in views.suggestions_html([])


def test_checked_labels_cover_all_four_and_refuse_unknown_names():
    assert views.checked_labels([FIRST]) == {n: n == FIRST for n in LABEL_NAMES}
    assert views.checked_labels(None) == dict.fromkeys(LABEL_NAMES, False)
    with pytest.raises(ValueError, match="unknown label"):
        views.checked_labels(["empathy"])
    assert [n for _, n in views.label_choices()] == list(LABEL_NAMES)


def write_tiny_report(out_dir):
    """A real evaluation folder (the model and one baseline) written by coach.evaluation on tiny records."""
    records = tiny_records()
    rng = np.random.default_rng(0)
    gold = np.array([[r[n] for n in LABEL_NAMES] for r in records], dtype=float)
    main = evaluate(Scored("empathy-coach", records, gold * 0.3 + rng.random(gold.shape) * 0.7, THRESHOLDS))
    other = evaluate(Scored("lexicon", records, rng.random(gold.shape), THRESHOLDS))
    return write_report(out_dir, main, [other], extra={"split": "test"})


@pytest.fixture
def report_dir(tmp_path):
    return write_tiny_report(tmp_path / "empathy-coach")


def test_report_markdown_shows_metrics_and_baselines_side_by_side(report_dir):
    metrics = views.read_report(report_dir)
    text = views.report_markdown(metrics)
    assert "empathy-coach" in text and "lexicon" in text and "macro" in text
    assert all(name in views.side_by_side_markdown([metrics, *metrics["baselines"].values()]) for name in LABEL_NAMES)
    errors = views.errors_html(metrics["errors"])
    assert any(metrics["errors"].values()) and "<table" in errors


def test_missing_report_says_how_to_make_one(tmp_path):
    assert views.read_report(tmp_path) is None
    assert "python -m eval.evaluate" in views.no_report_markdown(tmp_path)


def test_disagreements_skip_unknown_labels():
    records = [
        {"id": "a", "client": "", "reply": "<b>x</b>", **dict.fromkeys(LABEL_NAMES, None), FIRST: True},
        {"id": "b", "client": "", "reply": "y", **dict.fromkeys(LABEL_NAMES, False)},
    ]
    decisions = [[False, True, True, True], [False, False, False, False]]
    rows = views.disagreements(records, decisions)
    assert [r["id"] for r in rows] == ["a"] and rows[0]["disagree"] == [FIRST]
    html = views.disagreements_html(rows, 2)
    assert "1 of 2" in html and "&lt;b&gt;" in html and "unlabelled" in html
    assert "agrees" in views.disagreements_html([], 2)


def test_transcript_turns_and_summary(tmp_path):
    path = tmp_path / "s.turns.jsonl"
    rows = [
        {"turn": 1, "role": "client", "speaker": "Client", "text": "I can't sleep."},
        {
            "turn": 2,
            "role": "therapist",
            "speaker": "Therapist",
            "text": "<script>x</script> Me too!",
            "context": "I can't sleep.",
            **{n: n == FLAG for n in LABEL_NAMES},
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    turns = views.read_turns(path)
    assert len(turns) == 1 and turns[0]["context"] == "I can't sleep."
    html = views.sessions_turns_html({"s": turns})
    assert "&lt;script&gt;" in html and "<script>" not in html and views.short_name(FLAG) in html
    summary = {
        "session": "s",
        "turns": 2,
        "therapist_turns": 1,
        "components": {n: {"turns": 0, "share": 0.0} for n in COMPONENTS},
        "no_component": {"turns": 1, "share": 1.0},
        "flags": {n: {"turns": 1, "share": 1.0} for n in FLAGS},
        "flagged": [{"turn": 2}],
    }
    text = views.sessions_markdown([summary])
    assert "100%" in text and "Flagged turns: 2" in text
