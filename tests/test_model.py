"""The shipped model: format, plain-transformers compatibility and clear-cut behaviour."""

import json

import pytest

from coach.model import EmpathyClassifier
from coach.schema import LABEL_NAMES


def test_model_directory_is_self_describing(model_dir):
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "coach_config.json",
        "training_config.json",
        "README.md",
        "onnx/model_int8.onnx",
    ):
        assert (model_dir / name).exists(), name
    assert (model_dir / "model.safetensors").stat().st_size <= 50 * 1024 * 1024
    coach_config = json.loads((model_dir / "coach_config.json").read_text())
    assert list(coach_config["thresholds"]) == list(LABEL_NAMES)


def test_weights_are_fp16(model_dir):
    from safetensors import safe_open

    with safe_open(model_dir / "model.safetensors", "np") as weights:
        assert {str(weights.get_tensor(k).dtype) for k in weights.keys()} == {"float16"}


def test_plain_transformers_pipeline_gives_four_sigmoid_scores(model_dir):
    from transformers import pipeline

    clf = pipeline("text-classification", model=str(model_dir), top_k=None)
    [scores] = clf(["That sounds terrifying."])
    assert {s["label"] for s in scores} == set(LABEL_NAMES)
    ours = EmpathyClassifier.load(model_dir, "torch").predict_proba(["That sounds terrifying."])[0]
    by_label = {s["label"]: s["score"] for s in scores}
    for name, p in zip(LABEL_NAMES, ours):
        assert by_label[name] == pytest.approx(float(p), abs=1e-3)  # sigmoid, not softmax


def test_batches_shared_among_worker_sessions_score_as_one_session_does(model_dir):
    import threading

    import numpy as np

    from coach.data import load_split

    records = load_split("test")[:400]
    replies, clients = [r["reply"] for r in records], [r["client"] for r in records]
    one = EmpathyClassifier.load(model_dir, "onnx", workers=1)
    two = EmpathyClassifier.load(model_dir, "onnx", workers=2)
    assert (one.workers, two.workers) == (1, 2)
    shared = two.predict_proba(replies, clients)
    workers = [t for t in threading.enumerate() if t.name.startswith("empathy-coach-onnx")]
    assert len(workers) == 2  # 400 replies make several batches, so both sessions took some
    np.testing.assert_allclose(shared, one.predict_proba(replies, clients), atol=1e-5)
    # One batch (a reply and its sentences) stays on the shared session, as with one worker.
    np.testing.assert_allclose(two.predict_proba(replies[:3], clients[:3]), one.predict_proba(replies[:3], clients[:3]))


def test_served_context_budget_comes_from_the_model_directory(model_dir):
    served = json.loads((model_dir / "coach_config.json").read_text())["input"]["max_context_tokens"]
    classifier = EmpathyClassifier.load(model_dir)
    assert classifier.spec.max_context_tokens == served
    long_client = "I keep going over it. " * 40 + "And now my manager wants a meeting on Friday."
    encoded = classifier.tokenizer(long_client, add_special_tokens=False)["input_ids"]
    from coach.model import encode_pairs

    [pair] = encode_pairs(classifier.tokenizer, ["That sounds stressful."], [long_client], classifier.spec)
    assert sum(pair["token_type_ids"]) == served + 1  # the client's last tokens and a [SEP]
    assert pair["input_ids"][-served - 1 : -1] == encoded[-served:]


CLEAR_CASES = [
    (
        "My husband died in March and the house is so quiet.",
        "That silence must be so painful, especially at night.",
        {"affective"},
    ),
    (
        "I don't know whether to move back home for my mum or stay here for my job.",
        "So you're pulled between being there for your mum and the life you've built here.",
        {"cognitive"},
    ),
    (
        "I keep having panic attacks at work.",
        "Would it help if we worked out together what you could do the next time one starts at your desk?",
        {"compassionate"},
    ),
    (
        "My dad has dementia and didn't recognise me today.",
        "Oh god, the exact same thing happened with my dad, "
        "I know exactly how you feel, I still cry about it every single night.",
        {"over_identification"},
    ),
    ("I relapsed last weekend after eight months sober.", "Just don't drink, it's not that hard.", set()),
]


@pytest.mark.parametrize("client,reply,expected", CLEAR_CASES)
def test_clear_cases(analyzer, client, reply, expected):
    result = analyzer.analyze(reply, client)
    tagged = {n for n, on in result.labels.items() if on}
    assert expected <= tagged
    assert ("over_identification" in tagged) == ("over_identification" in expected)
    if not expected:
        assert not tagged


def test_worker_count_comes_from_the_environment_with_a_clear_error(monkeypatch):
    from coach.model import onnx_workers

    monkeypatch.setenv("EMPATHY_COACH_WORKERS", "3")
    assert onnx_workers() == 3
    monkeypatch.setenv("EMPATHY_COACH_WORKERS", "two")
    with pytest.raises(ValueError, match="EMPATHY_COACH_WORKERS='two'.*Fix"):
        onnx_workers()
    monkeypatch.delenv("EMPATHY_COACH_WORKERS")
    assert 1 <= onnx_workers() <= 8
