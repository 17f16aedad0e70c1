"""The label schema: the one place that names the labels.

Everything else (the model config's ``id2label``, the CLI's output columns, the
app, the evaluation and the coaching feedback) derives from ``LABELS``.
Definitions and coaching notes paraphrase the article in ``shared/article``
("The Neuroscience of Empathy: Implications for Therapy") and the codebook in
``data/CODEBOOK.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """One label: its name, what it means and how to coach it."""

    name: str
    title: str
    definition: str
    # What to say when a reply shows this label.
    praise: str
    # What to say when it is missing (for the flag: when it is present).
    advice: str
    # A short example of a sentence that shows the label (or, for the flag,
    # a sentence that brings the focus back to the client).
    example: str
    is_flag: bool = False


LABELS: tuple[Label, ...] = (
    Label(
        name="affective",
        title="Affective empathy",
        definition="Resonates with, names or validates the client's feelings.",
        praise="You named or validated what the client feels, which helps them feel met.",
        advice=(
            "Name the feeling you hear, tentatively, and let it be okay to feel it. "
            "The article's example: \u201cI can sense how overwhelming this feels for you.\u201d"
        ),
        example="It makes sense that you'd feel scared about this.",
    ),
    Label(
        name="cognitive",
        title="Cognitive empathy",
        definition=(
            "Shows understanding of the client's perspective, situation or meaning: "
            "paraphrase, interpretation, normalising, cultural framing or an open question."
        ),
        praise="You showed you understand their situation and what it means to them.",
        advice=(
            "Show you understand their side: reflect the dilemma in your own words, "
            "normalise it (\u201cMany people feel this way when starting therapy\u201d), "
            "or ask an open question about what it is like for them. Take their cultural "
            "frame into account rather than your own."
        ),
        example="So part of you wants to speak up, and part of you is afraid of what it would cost.",
    ),
    Label(
        name="compassionate",
        title="Compassionate empathy",
        definition=(
            "Moves toward helping: presence and commitment, collaborative next steps, "
            "coping strategies, or asking what would help."
        ),
        praise="You moved toward helping, with the client rather than for them.",
        advice=(
            "Offer presence or a next step you take together: ask what would help, or "
            "suggest something tentatively after acknowledging the feeling. Avoid orders "
            "(\u201cjust stop worrying\u201d) and minimising (\u201cat least...\u201d)."
        ),
        example="Would it help if we worked out together what the next small step could be?",
    ),
    Label(
        name="over_identification",
        title="Over-identification",
        definition=(
            "The focus shifts to the helper: their own story or distress takes centre stage, "
            "they claim identical experience, project their own choices, or cross a "
            "professional boundary."
        ),
        praise="The focus stays on the client; your own reactions stay in the background.",
        advice=(
            "Bring the focus back to the client. Keep any self-disclosure brief and hand it "
            "back with a question about their experience; hold your own feelings for "
            "supervision, and keep help within your professional role. The article warns "
            "that resonance without self-other differentiation leads to empathic distress "
            "and burnout."
        ),
        example="I can only imagine part of it; what has this been like for you?",
        is_flag=True,
    ),
)

LABEL_NAMES: tuple[str, ...] = tuple(label.name for label in LABELS)
COMPONENTS: tuple[str, ...] = tuple(label.name for label in LABELS if not label.is_flag)
FLAGS: tuple[str, ...] = tuple(label.name for label in LABELS if label.is_flag)
ID2LABEL: dict[int, str] = dict(enumerate(LABEL_NAMES))
LABEL2ID: dict[str, int] = {name: i for i, name in ID2LABEL.items()}
BY_NAME: dict[str, Label] = {label.name: label for label in LABELS}


def score_column(name: str) -> str:
    """Return the output column holding the probability for label ``name``."""
    return f"{name}_score"


# The columns every scored output adds, in order: ``affective, affective_score, cognitive, ...``.
OUTPUT_COLUMNS: tuple[str, ...] = tuple(c for name in LABEL_NAMES for c in (name, score_column(name)))
