import numpy as np
import pytest

from coach.data import load_split
from coach.paths import REPO_ROOT
from coach.scenarios import load_scenarios

ARTICLE = REPO_ROOT.parent / "shared" / "article" / "the-neuroscience-of-empathy-for-therapy.txt"
ARTICLE_IDS = {"article-social-anxiety", "article-trauma-hyperarousal", "article-grief-group"}


@pytest.fixture(scope="module")
def scenarios():
    return load_scenarios()


def test_enough_scenarios_with_exemplars(scenarios):
    assert len(scenarios) >= 30
    assert len({s.id for s in scenarios}) == len(scenarios)
    assert all(len(s.exemplars) >= 2 for s in scenarios)


def test_article_scenarios_come_first_with_the_article_replies(scenarios):
    assert {s.id for s in scenarios[:3]} == ARTICLE_IDS
    quotes = [e.reply for s in scenarios[:3] for e in s.exemplars if e.source == "article"]
    assert "I can sense how overwhelming this feels for you" in quotes
    assert "Many people feel this way when starting therapy." in quotes
    assert all(e.source == "team" for s in scenarios[3:] for e in s.exemplars)


@pytest.mark.skipif(not ARTICLE.exists(), reason="the article is in shared/ beside the repository")
def test_article_replies_are_quoted_word_for_word(scenarios):
    article = ARTICLE.read_text(encoding="utf-8")
    for s in scenarios[:3]:
        for e in s.exemplars:
            if e.source == "article":
                assert e.reply in article


def test_no_scenario_statement_is_in_the_train_split(scenarios):
    from coach.suggest import embed

    train_clients = sorted({r["client"] for r in load_split("train") if r["client"]})
    assert not {s.client for s in scenarios} & set(train_clients)
    similarity = embed([s.client for s in scenarios]) @ embed(train_clients).T
    assert float(np.max(similarity)) < 0.95
