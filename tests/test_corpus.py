"""The corpus, its split and its card, as issue 2 specifies them."""

import json
import re
from collections import Counter

import numpy as np
import pytest

from coach.data import load_corpus
from coach.paths import DATA_DIR
from coach.schema import LABEL_NAMES

REQUIRED_KEYS = {"id", "client", "reply", *LABEL_NAMES, "context", "source"}
CONTEXTS = {
    "starting_therapy",
    "social_anxiety",
    "panic",
    "trauma_hyperarousal",
    "grief_partner",
    "grief_child",
    "pregnancy_loss",
    "suicide_bereavement",
    "depression_hopelessness",
    "suicidal_thoughts",
    "self_harm",
    "addiction_relapse",
    "eating_body_image",
    "ocd",
    "infidelity",
    "domestic_violence",
    "parenting",
    "caregiving",
    "chronic_pain",
    "cancer",
    "job_loss_burnout",
    "discrimination_racism",
    "migration",
    "collectivist_family",
    "coming_out",
    "exams_school",
    "loneliness_old_age",
    "health_worker_patient_death",
    "group_therapy",
    "couples_session",
    "rupture",
}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def everything(corpus):
    return [r for rows in corpus.values() for r in rows]


def test_size_statements_and_contexts(everything):
    assert len(everything) >= 3000
    assert len({r["statement_id"] for r in everything}) >= 400
    assert len({r["client"] for r in everything if r["client"]}) >= 400
    assert {r["context"] for r in everything} >= CONTEXTS


def test_record_shape_and_unique_ids(everything):
    for record in everything:
        assert REQUIRED_KEYS <= set(record)
        assert all(isinstance(record[n], bool) for n in LABEL_NAMES)
        assert record["reply"].strip()
    assert len({r["id"] for r in everything}) == len(everything)


def test_label_rates(everything):
    rate = lambda pred: sum(map(pred, everything)) / len(everything)  # noqa: E731
    for name in ("affective", "cognitive", "compassionate"):
        assert 0.25 <= rate(lambda r, n=name: r[n]) <= 0.60, name
    assert rate(lambda r: r["over_identification"]) >= 0.12
    assert rate(lambda r: not any(r[n] for n in LABEL_NAMES)) >= 0.12
    assert 0.07 <= rate(lambda r: not r["client"]) <= 0.13


def test_variety_of_length_role_and_style(everything):
    words = [len(r["reply"].split()) for r in everything]
    assert min(words) <= 4 and max(words) >= 80
    assert len({r["role"] for r in everything}) >= 4
    assert sum(r["style"] != "clinical" for r in everything) / len(everything) >= 1 / 3


def test_no_template_openers_dominate(everything):
    openers = Counter(" ".join(r["reply"].lower().split()[:3]) for r in everything)
    assert openers.most_common(1)[0][1] / len(everything) < 0.03


def test_split_is_grouped_by_statement(corpus):
    owners = {}
    for split, rows in corpus.items():
        for r in rows:
            assert owners.setdefault(r["statement_id"], split) == split
            if r["client"]:
                assert owners.setdefault("client:" + r["client"], split) == split
    total = sum(len(rows) for rows in corpus.values())
    assert len(corpus["test"]) / total >= 0.15


def test_no_reply_or_near_duplicate_in_two_splits(corpus):
    from coach.suggest import embed

    texts, splits = [], []
    for split, rows in corpus.items():
        texts += [r["reply"] for r in rows]
        splits += [split] * len(rows)
    exact = {}
    for text, split in zip(texts, splits):
        key = " ".join(text.lower().split())
        assert exact.setdefault(key, split) == split, f"reply in two splits: {text!r}"
    vectors = embed(texts)
    splits = np.array(splits)
    for split in ("validation", "test"):
        others = vectors[splits != split]
        similarity = vectors[splits == split] @ others.T
        assert float(similarity.max()) < 0.95, f"near-duplicate across splits (cos {similarity.max():.3f})"


def test_codebook_has_examples_for_every_label():
    text = (DATA_DIR / "CODEBOOK.md").read_text(encoding="utf-8")
    for name in LABEL_NAMES:
        section = text.split(f"### {name}", 1)[1].split("\n### ", 1)[0]
        positives = section.split("Positive examples:", 1)[1].split("Negative examples:", 1)[0]
        negatives = section.split("Negative examples:", 1)[1]
        assert len(re.findall(r"^\d+\. ", positives, re.M)) >= 4, name
        assert len(re.findall(r"^\d+\. ", negatives, re.M)) >= 2, name
    assert "## Hard cases" in text and "## Boundary rules" in text


def test_dataset_card_shows_what_the_command_computes():
    from train.dataset_card import KAPPA_FILE, STATS_END, STATS_START, corpus_stats, stats_block

    kappa = json.loads(KAPPA_FILE.read_text())
    card = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    shown = STATS_START + card.split(STATS_START, 1)[1].split(STATS_END, 1)[0] + STATS_END
    assert shown == stats_block(corpus_stats(), kappa)


def test_agreement_covers_ten_percent_and_matches_recomputation():
    from eval.agreement import KAPPA_FILE, agreement

    saved = json.loads(KAPPA_FILE.read_text())
    assert saved["share_of_corpus"] >= 0.095
    assert agreement()["labels"] == saved["labels"]
