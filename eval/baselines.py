"""Two baselines, scored by the same evaluation code as the fine-tuned model.

- ``lexicon``: keyword and phrase lists per label, the kind of rule a trainer
  might write by hand. Score = hits / (hits + 1), decided at 0.5 (one hit).
- ``embedding-logreg``: logistic regression per label on frozen
  all-MiniLM-L6-v2 sentence embeddings of the reply and of the client
  statement (zeros when there is none); thresholds tuned on validation like the
  fine-tuned model's.
"""

from __future__ import annotations

import re

import numpy as np

from coach.schema import LABEL_NAMES

LEXICON = {
    "affective": [
        r"\bfeel(s|ing)?\b",
        r"\bscar(y|ed|ing)\b",
        r"\bterrif",
        r"\bfrighten",
        r"\bsad\b",
        r"\bhurt",
        r"\bpainful\b",
        r"\boverwhelm",
        r"\bangry\b",
        r"\blonely\b",
        r"\bexhaust",
        r"\bheartbreak",
        r"\bdevastat",
        r"\bsounds (so |really )?(hard|tough|awful|rough)",
        r"\bafraid\b",
        r"\banxious\b",
        r"\bupset\b",
        r"\bgrie(f|ving)\b",
        r"\bfrustrat",
        r"\bashamed\b",
        r"\bguilt",
    ],
    "cognitive": [
        r"\bsounds like\b",
        r"\bit seems\b",
        r"\bso you\b",
        r"\bwhat (was|is) it like\b",
        r"\bmany people\b",
        r"\bmakes sense\b",
        r"\byou'?re saying\b",
        r"\bon one hand\b",
        r"\bhow (has|have|did|do) you\b",
        r"\bwhat do you\b",
        r"\bpart of you\b",
        r"\bas if\b",
        r"\bwhat goes through\b",
        r"\bcommon\b",
        r"\bwonder\b",
        r"\btell me more\b",
    ],
    "compassionate": [
        r"\bhere (for|with) you\b",
        r"\btogether\b",
        r"\bwould it help\b",
        r"\bwe (could|can)\b",
        r"\blet'?s\b",
        r"\bsupport\b",
        r"\bplan\b",
        r"\bwhat would help\b",
        r"\breach out\b",
        r"\bi'?m here\b",
        r"\bnot alone\b",
        r"\bwould you like\b",
        r"\bhelp\b",
        r"\bnext step",
    ],
    "over_identification": [
        r"\bme too\b",
        r"\bi know exactly\b",
        r"\bsame thing happened to me\b",
        r"\bwhen i was\b",
        r"\bmy own\b",
        r"\bi remember when\b",
        r"\bmy (personal )?(number|mobile|phone)\b",
        r"\bmy (house|place|spare room)\b",
        r"\bi can'?t stop\b",
        r"\bi went through\b",
        r"\bhappened to me\b",
        r"\bi cried\b",
        r"\bsame as me\b",
        r"\byou promised\b",
    ],
}


class LexiconBaseline:
    name = "lexicon"
    thresholds = {name: 0.5 for name in LABEL_NAMES}

    def __init__(self):
        self.patterns = {name: [re.compile(p, re.IGNORECASE) for p in LEXICON[name]] for name in LABEL_NAMES}

    def predict_proba(self, replies: list[str], clients=None) -> np.ndarray:
        hits = np.array(
            [[sum(bool(p.search(reply)) for p in self.patterns[name]) for name in LABEL_NAMES] for reply in replies],
            dtype=np.float32,
        ).reshape(-1, len(LABEL_NAMES))
        return hits / (hits + 1.0)


class EmbeddingLogReg:
    """Logistic regression on frozen sentence embeddings of (reply, client)."""

    name = "embedding-logreg"

    def __init__(self, train_records: list[dict], validation_records: list[dict]):
        from sklearn.linear_model import LogisticRegression

        from train.train import best_thresholds, gold_matrix

        features = self.features(train_records)
        gold = gold_matrix(train_records)
        self.models = [
            LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(features, gold[:, j])
            for j in range(len(LABEL_NAMES))
        ]
        val_probs = self.predict_proba(
            [r["reply"] for r in validation_records], [r.get("client") for r in validation_records]
        )
        self.thresholds = best_thresholds(val_probs, gold_matrix(validation_records))

    @staticmethod
    def features(records: list[dict]) -> np.ndarray:
        return EmbeddingLogReg._features([r["reply"] for r in records], [r.get("client") for r in records])

    @staticmethod
    def _features(replies: list[str], clients) -> np.ndarray:
        from coach.suggest import embed

        clients = clients or [None] * len(replies)
        reply_vectors = embed(list(replies))
        client_vectors = np.zeros_like(reply_vectors)
        present = [i for i, c in enumerate(clients) if c]
        if present:
            client_vectors[present] = embed([clients[i] for i in present])
        return np.hstack([reply_vectors, client_vectors])

    def predict_proba(self, replies: list[str], clients=None) -> np.ndarray:
        features = self._features(replies, clients)
        return np.stack([m.predict_proba(features)[:, 1] for m in self.models], axis=1)
