"""The analysis entry point: one reply (or a list) in, labels, sentences and feedback out.

The app, the CLI, the evaluation and the tests all call ``Analyzer.analyze`` /
``Analyzer.analyze_many`` (or the module-level ``analyze``), never the model directly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from coach.feedback import Feedback, build_feedback
from coach.model import EmpathyClassifier
from coach.paths import DEFAULT_MODEL_DIR
from coach.schema import LABEL_NAMES, score_column
from coach.sentences import split_sentences

# Longer replies are refused by analyze() with a message (the classifier reads
# about 150 words; batch scoring truncates instead, see score_records).
MAX_REPLY_CHARS = 4000


class EmptyReplyError(ValueError):
    pass


class ReplyTooLongError(ValueError):
    pass


@dataclass
class Analysis:
    """Everything the coach says about one reply."""

    reply: str
    client: str
    scores: dict[str, float]
    labels: dict[str, bool]
    sentences: list[dict]
    feedback: Feedback

    def to_dict(self) -> dict:
        return {
            "reply": self.reply,
            "client": self.client,
            "scores": self.scores,
            "labels": self.labels,
            "sentences": self.sentences,
            "feedback": self.feedback.to_dict(),
        }


def check_reply(reply) -> str:
    """Return the reply, or raise an error a trainee can act on."""
    if not isinstance(reply, str) or not reply.strip():
        raise EmptyReplyError("The reply is empty. Type what you would say to the client.")
    if len(reply) > MAX_REPLY_CHARS:
        raise ReplyTooLongError(
            f"The reply is {len(reply):,} characters; the coach reads up to {MAX_REPLY_CHARS:,} "
            "(about 600 words). Shorten it or split it into separate replies."
        )
    return reply


class Analyzer:
    """Holds a loaded classifier and analyses replies with it."""

    def __init__(self, classifier: EmpathyClassifier):
        self.classifier = classifier

    @classmethod
    def load(cls, model_dir=DEFAULT_MODEL_DIR, backend: str = "auto") -> Analyzer:
        return cls(EmpathyClassifier.load(model_dir, backend))

    def classify(self, replies: list[str], clients: list[str | None] | None = None) -> list[dict]:
        """Labels only (no sentences or feedback): ``[{label: bool, label_score: p}]``, batched."""
        probs = self.classifier.predict_proba(list(replies), clients)
        decisions = self.classifier.decide(probs)
        return [_label_columns(p, d) for p, d in zip(probs, decisions)]

    def analyze(self, reply: str, client: str | None = None) -> Analysis:
        return self.analyze_many([reply], [client])[0]

    def analyze_many(self, replies: list[str], clients: list[str | None] | None = None) -> list[Analysis]:
        """Full analysis of each reply; whole replies and their sentences go through one batched call."""
        clients = list(clients) if clients is not None else [None] * len(replies)
        replies = [check_reply(r) for r in replies]
        spans = [split_sentences(r) for r in replies]
        texts, contexts, owners = list(replies), list(clients), [None] * len(replies)
        for i, reply_spans in enumerate(spans):
            if len(reply_spans) > 1:  # a one-sentence reply reuses its whole-reply scores
                texts += [s.text for s in reply_spans]
                contexts += [clients[i]] * len(reply_spans)
                owners += [i] * len(reply_spans)
        probs = self.classifier.predict_proba(texts, contexts)
        decisions = self.classifier.decide(probs)
        results = []
        sentence_rows = iter(range(len(replies), len(texts)))
        for i, reply in enumerate(replies):
            rows = [next(sentence_rows) for _ in spans[i]] if len(spans[i]) > 1 else [i] * len(spans[i])
            sentences = [_sentence(span, probs[row], decisions[row]) for span, row in zip(spans[i], rows)]
            labels = {n: bool(d) for n, d in zip(LABEL_NAMES, decisions[i])}
            scores = {n: round(float(p), 4) for n, p in zip(LABEL_NAMES, probs[i])}
            results.append(
                Analysis(reply, clients[i] or "", scores, labels, sentences, build_feedback(labels, sentences))
            )
        return results


def _label_columns(probs: np.ndarray, decisions: np.ndarray) -> dict:
    out = {}
    for name, p, d in zip(LABEL_NAMES, probs, decisions):
        out[name] = bool(d)
        out[score_column(name)] = round(float(p), 4)
    return out


def _sentence(span, probs: np.ndarray, decisions: np.ndarray) -> dict:
    return {
        "text": span.text,
        "start": span.start,
        "end": span.end,
        "scores": {n: round(float(p), 4) for n, p in zip(LABEL_NAMES, probs)},
        "labels": {n: bool(d) for n, d in zip(LABEL_NAMES, decisions)},
    }


@functools.lru_cache(maxsize=4)
def default_analyzer(model_dir: str = str(DEFAULT_MODEL_DIR), backend: str = "auto") -> Analyzer:
    """The shipped model, loaded once per process."""
    return Analyzer.load(model_dir, backend)


def analyze(reply: str, client: str | None = None) -> Analysis:
    """Analyse one reply with the shipped model."""
    return default_analyzer().analyze(reply, client)
