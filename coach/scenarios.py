"""Practice scenarios: client statements with exemplar replies for trainees."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from coach.paths import SCENARIOS_FILE
from coach.schema import LABEL_NAMES

ARTICLE_CITATION = "Mental Health Academy, \u201cThe Neuroscience of Empathy: Implications for Therapy\u201d"


@dataclass(frozen=True)
class Exemplar:
    reply: str
    labels: dict[str, bool]
    source: str  # "article" (quoted word for word) or "team"
    kind: str  # "model" or "contrast"
    note: str

    @property
    def attribution(self) -> str:
        return f"Model reply quoted from {ARTICLE_CITATION}" if self.source == "article" else "Team exemplar"


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    context: str
    setting: str
    client: str
    source: str
    exemplars: tuple[Exemplar, ...]

    @property
    def label(self) -> str:
        """What a trainee sees in a picker."""
        prefix = "Article case: " if self.source == "article" else ""
        return f"{prefix}{self.title}"


def load_scenarios(path: str | Path = SCENARIOS_FILE) -> list[Scenario]:
    """All practice scenarios, the article's case scenarios first."""
    scenarios = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                scenarios.append(_scenario(json.loads(line)))
    return sorted(scenarios, key=lambda s: s.source != "article")


def _scenario(row: dict) -> Scenario:
    exemplars = tuple(
        Exemplar(e["reply"], {n: bool(e[n]) for n in LABEL_NAMES}, e["source"], e["kind"], e.get("note", ""))
        for e in row["exemplars"]
    )
    return Scenario(
        row["id"], row["title"], row["context"], row.get("setting", ""), row["client"], row["source"], exemplars
    )
