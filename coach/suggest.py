"""Sentence-level suggestions, in the spirit of HAILEY: a sentence to add or to swap in.

Candidates are the sentences of the practice scenarios' model replies and of the
training split's replies. Each candidate was scored once by the classifier (with
its client statement) when the index was built (``python -m train.build_index``),
and each client statement was embedded with the base sentence encoder. At query
time the trainee's client statement is embedded, the most similar statements
are found, and their sentences that show the missing component (and do not
over-identify) are offered. Suggestions are returned, never applied.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from coach.io import write_json
from coach.schema import COMPONENTS, FLAGS, LABEL_NAMES

INDEX_DIR = "suggestions"
NEIGHBOURS = 12


@dataclass
class Suggestion:
    kind: str  # "add" (a missing component) or "replace" (an over-identifying sentence)
    label: str
    text: str
    replaces: str
    source: str
    written_for: str
    similarity: float

    def to_dict(self) -> dict:
        return asdict(self)


@functools.lru_cache(maxsize=1)
def sentence_encoder():
    """all-MiniLM-L6-v2 from its PyPI package, loaded by local path (never a hub)."""
    from sentence_transformers import SentenceTransformer

    from coach.paths import base_encoder_path

    return SentenceTransformer(str(base_encoder_path()), device="cpu")


def embed(texts: list[str]) -> np.ndarray:
    return sentence_encoder().encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)


def build_index(analyzer, train_records: list[dict], scenarios: list, out_dir: str | Path) -> Path:
    """Score and embed every candidate sentence; write ``out_dir/suggestions/``."""
    from coach.sentences import split_sentences

    statements: dict[str, int] = {}
    candidates = []
    sources = [(e.reply, s.client, f"exemplar: {s.title}") for s in scenarios for e in s.exemplars if e.kind == "model"]
    sources += [(r["reply"], r["client"], f"corpus: {r.get('context', '')}") for r in train_records if r.get("client")]
    for reply, client, source in sources:
        key = statements.setdefault(client, len(statements))
        for span in split_sentences(reply):
            candidates.append({"text": span.text, "statement": key, "source": source})
    texts = list(statements)  # index -> statement text (dicts keep insertion order)
    probs = analyzer.classifier.predict_proba(
        [c["text"] for c in candidates], [texts[c["statement"]] for c in candidates]
    )
    for candidate, p in zip(candidates, probs):
        candidate["scores"] = [round(float(x), 4) for x in p]
    out = Path(out_dir) / INDEX_DIR
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "statements.npy", embed(texts).astype(np.float16))
    np.save(out / "sentences.npy", embed([c["text"] for c in candidates]).astype(np.float16))
    write_json(out / "index.json", {"labels": list(LABEL_NAMES), "statements": texts, "candidates": candidates})
    return out


class Suggester:
    """Finds sentences to offer a trainee, from a prebuilt index."""

    def __init__(self, index_dir: str | Path, thresholds: dict[str, float]):
        index_dir = Path(index_dir)
        meta = json.loads((index_dir / "index.json").read_text(encoding="utf-8"))
        self.statements = meta["statements"]
        self.candidates = meta["candidates"]
        self.statement_vectors = np.load(index_dir / "statements.npy").astype(np.float32)
        self.sentence_vectors = np.load(index_dir / "sentences.npy").astype(np.float32)
        self.scores = np.array([c["scores"] for c in self.candidates], dtype=np.float32)
        self.owner = np.array([c["statement"] for c in self.candidates])
        self.thresholds = np.array([thresholds[n] for n in LABEL_NAMES])

    @classmethod
    def for_model(cls, model_dir: str | Path, thresholds: dict[str, float]) -> Suggester | None:
        path = Path(model_dir) / INDEX_DIR
        return cls(path, thresholds) if (path / "index.json").exists() else None

    def suggest(self, analysis) -> list[Suggestion]:
        """One suggestion per missing component and per over-identifying sentence."""
        query = analysis.client.strip() or analysis.reply
        vectors = embed([query] + [s["text"] for s in analysis.sentences])
        closeness = self.statement_vectors @ vectors[0]
        near = np.argsort(-closeness)[:NEIGHBOURS]
        pool = np.flatnonzero(np.isin(self.owner, near) & ~self._shows(FLAGS))
        own = {_normal(s["text"]) for s in analysis.sentences}
        out = []
        for name in COMPONENTS:
            if not analysis.labels[name]:
                j = LABEL_NAMES.index(name)
                rank = closeness[self.owner[pool]] + self.scores[pool, j]
                pick = self._first(pool, self._shows([name])[pool], rank, own)
                if pick is not None:
                    out.append(self._suggestion("add", name, pick, "", closeness))
                    own.add(_normal(self.candidates[pick]["text"]))
        for sentence, vector in zip(analysis.sentences, vectors[1:]):
            for flag in FLAGS:
                if sentence["labels"][flag]:
                    # A replacement should say something close to what the flagged sentence tried to say.
                    rank = closeness[self.owner[pool]] + self.sentence_vectors[pool] @ vector
                    pick = self._first(pool, self._shows(COMPONENTS)[pool], rank, own)
                    if pick is not None:
                        out.append(self._suggestion("replace", flag, pick, sentence["text"], closeness))
                        own.add(_normal(self.candidates[pick]["text"]))
        return out

    def _shows(self, names) -> np.ndarray:
        """Candidates scored at or above threshold on any of ``names``."""
        columns = [LABEL_NAMES.index(n) for n in names]
        return np.any(self.scores[:, columns] >= self.thresholds[columns], axis=1)

    def _first(self, pool: np.ndarray, eligible: np.ndarray, rank: np.ndarray, own: set) -> int | None:
        """The best-ranked eligible candidate that the trainee has not already written."""
        for i in np.argsort(-rank):
            if eligible[i] and _normal(self.candidates[pool[i]]["text"]) not in own:
                return int(pool[i])
        return None

    def _suggestion(self, kind: str, label: str, index: int, replaces: str, closeness: np.ndarray) -> Suggestion:
        candidate = self.candidates[index]
        return Suggestion(
            kind,
            label,
            candidate["text"],
            replaces,
            candidate["source"],
            self.statements[candidate["statement"]],
            round(float(closeness[candidate["statement"]]), 3),
        )


def _normal(text: str) -> str:
    return " ".join(text.lower().split())
