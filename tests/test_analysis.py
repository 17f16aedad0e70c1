"""The analysis entry point on the shipped model."""

import pytest

from coach.analysis import EmptyReplyError, ReplyTooLongError
from coach.schema import LABEL_NAMES


def test_result_shape_and_sentence_offsets(analyzer):
    reply = "Um, that sounds really frightening. Would it help to slow down and breathe together?"
    result = analyzer.analyze(reply, "My heart was pounding and I thought I was dying.")
    assert set(result.scores) == set(LABEL_NAMES) and set(result.labels) == set(LABEL_NAMES)
    assert all(0 <= p <= 1 for p in result.scores.values())
    assert [s["text"] for s in result.sentences] == [
        "Um, that sounds really frightening.",
        "Would it help to slow down and breathe together?",
    ]
    assert all(reply[s["start"] : s["end"]] == s["text"] for s in result.sentences)
    assert result.feedback.summary


def test_list_in_list_out_matches_single_calls(analyzer):
    replies = ["That sounds exhausting.", "Why did you do that?", "I'm here with you. We'll go at your pace."]
    batch = analyzer.analyze_many(replies, [None, "I quit my job", None])
    singles = [analyzer.analyze(r, c) for r, c in zip(replies, [None, "I quit my job", None])]
    for a, b in zip(batch, singles):
        assert a.labels == b.labels
        # Dynamic int8 quantisation scales activations per batch, so batch-mates move scores slightly.
        assert a.scores == pytest.approx(b.scores, abs=0.01)


def test_decisions_follow_saved_thresholds(analyzer):
    [row] = analyzer.classify(["That sounds terrifying."])
    for name in LABEL_NAMES:
        assert row[name] == (row[f"{name}_score"] >= analyzer.classifier.thresholds[name] - 5e-5)


@pytest.mark.parametrize(
    "reply,error", [("", EmptyReplyError), ("   \n", EmptyReplyError), ("x" * 20_000, ReplyTooLongError)]
)
def test_bad_replies_get_a_message(analyzer, reply, error):
    with pytest.raises(error, match="reply"):
        analyzer.analyze(reply)
