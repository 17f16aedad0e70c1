"""Coaching notes from a reply's labels, worded from the article's guidance.

The notes come from the schema (``coach.schema``): what a label looks like when
it is there, what to try when it is not, and for over-identification how to
bring the focus back to the client.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from coach.schema import BY_NAME, COMPONENTS, FLAGS

# The article's practical strategies against over-identification and burnout.
BOUNDARY_STRATEGIES = (
    "Keep self-other differentiation: notice your own reaction, name it to yourself, "
    "and return to the client's experience.",
    "Take what this stirs up in you to supervision or peer support rather than into the session.",
    "Mindfulness and self-compassion help you stay present without being swept into the client's distress.",
)


@dataclass
class Feedback:
    """What the reply does well, what it misses, and how to refocus it."""

    summary: str
    strengths: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)

    @property
    def top_note(self) -> str:
        """The single most useful note: refocusing first, then a gap, then a strength."""
        for notes in (self.focus, self.missing, self.strengths):
            if notes:
                return notes[0]
        return self.summary

    def to_dict(self) -> dict:
        return {**asdict(self), "top_note": self.top_note}


def quote(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return "\u201c" + (text if len(text) <= limit else text[: limit - 1] + "\u2026") + "\u201d"


def build_feedback(labels: dict[str, bool], sentences: list[dict]) -> Feedback:
    """Coaching notes for a reply.

    Args:
        labels: the reply's decision per label.
        sentences: ``[{"text", "scores": {label: p}, "labels": {label: bool}}]`` in reply order.
    """
    present = [name for name in COMPONENTS if labels[name]]
    absent = [name for name in COMPONENTS if not labels[name]]
    feedback = Feedback(summary=_summary(present, absent, any(labels[f] for f in FLAGS)))
    for name in present:
        best = max(sentences, key=lambda s: s["scores"][name]) if sentences else None
        where = f" For example: {quote(best['text'])}" if best and len(sentences) > 1 else ""
        feedback.strengths.append(f"{BY_NAME[name].title}: {BY_NAME[name].praise}{where}")
    for name in absent:
        label = BY_NAME[name]
        feedback.missing.append(f"{label.title} is missing. {label.advice} For instance: {quote(label.example)}")
    for name in FLAGS:
        feedback.focus += _refocus_notes(name, labels[name], sentences)
    return feedback


def _summary(present: list[str], absent: list[str], flagged: bool) -> str:
    titles = [BY_NAME[n].title.split()[0].lower() for n in present]
    if not present:
        text = "No empathic component yet: the reply neither names the client's feelings, shows their perspective, nor offers help."
    elif not absent:
        text = "Shows all three components: affective, cognitive and compassionate empathy."
    else:
        missing = " and ".join(BY_NAME[n].title.split()[0].lower() for n in absent)
        verb = "are" if len(absent) > 1 else "is"
        text = f"Shows {' and '.join(titles)} empathy; {missing} {verb} missing."
    if flagged:
        text += " Watch out: the focus moves from the client to you (over-identification)."
    return text


def _refocus_notes(name: str, flagged: bool, sentences: list[dict]) -> list[str]:
    label = BY_NAME[name]
    culprits = [s for s in sentences if s["labels"][name]]
    if not flagged and not culprits:
        return []
    if culprits:
        lines = [f"{label.title}: {quote(s['text'])} puts the focus on you rather than the client." for s in culprits]
    else:
        lines = [f"{label.title}: the reply as a whole moves the focus from the client to you."]
    lines.append(f"{label.advice} Try instead: {quote(label.example)}")
    lines.extend(BOUNDARY_STRATEGIES)
    return lines
