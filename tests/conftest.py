import os
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]

# A handful of hand-written items covering every label, for smoke training and unit tests.
TINY = [
    ("I failed my exam again.", "That sounds so discouraging, especially after how hard you worked.", 1, 1, 0, 0),
    ("I failed my exam again.", "Why didn't you study more?", 0, 0, 0, 0),
    ("I failed my exam again.", "Would it help to look at the feedback together and plan the resit?", 0, 0, 1, 0),
    (
        "I failed my exam again.",
        "I failed mine three times too, honestly I still have nightmares about it.",
        0,
        0,
        0,
        1,
    ),
    ("My dad died last month.", "I'm so sorry. That must feel unbearable some days.", 1, 0, 0, 0),
    (
        "My dad died last month.",
        "So the first month has been a blur of arrangements and not much space to grieve.",
        0,
        1,
        0,
        0,
    ),
    ("My dad died last month.", "I'm here with you, and we can take this at whatever pace you need.", 0, 0, 1, 0),
    ("My dad died last month.", "At least he had a long life.", 0, 0, 0, 0),
    (
        "I can't leave the house.",
        "it makes sense you feel scared, going out has felt dangerous for a long time",
        1,
        1,
        0,
        0,
    ),
    ("I can't leave the house.", "Just go for a walk, you'll feel better.", 0, 0, 0, 0),
    (
        "I can't leave the house.",
        "Here's my personal number, call me and I'll come round and walk with you.",
        0,
        0,
        1,
        1,
    ),
    ("I can't leave the house.", "What goes through your mind when you reach the front door?", 0, 1, 0, 0),
    ("", "That sounds terrifying.", 1, 0, 0, 0),
    ("", "I know exactly how you feel, we're the same you and me.", 0, 0, 0, 1),
    ("", "Let's breathe together for a moment.", 0, 0, 1, 0),
    ("", "Panic attacks release adrenaline.", 0, 0, 0, 0),
]


def tiny_records(prefix: str = "t") -> list[dict]:
    names = ("affective", "cognitive", "compassionate", "over_identification")
    return [
        {
            "id": f"{prefix}{i}",
            "client": c,
            "reply": r,
            **{n: bool(v) for n, v in zip(names, labels)},
            "context": "tiny",
            "source": "test",
        }
        for i, (c, r, *labels) in enumerate(TINY)
    ]


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The shipped model (or the one EMPATHY_COACH_MODEL points at)."""
    from coach.paths import DEFAULT_MODEL_DIR

    return Path(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="session")
def analyzer(model_dir):
    from coach.analysis import Analyzer

    return Analyzer.load(model_dir)
