"""data -> train (smoke) -> evaluate -> score, on a few inline records, in seconds."""

import json
from pathlib import Path

import pytest

from coach.cli import main as coach_main
from coach.data import load_corpus_dataset
from coach.io import write_table
from tests.conftest import tiny_records


@pytest.fixture(scope="module")
def smoke_model(tmp_path_factory) -> Path:
    from train.config import TrainConfig
    from train.train import train

    root = tmp_path_factory.mktemp("smoke")
    splits = root / "splits"
    for split in ("train", "validation", "test"):
        write_table(splits / f"{split}.jsonl", tiny_records(split))
    return train(TrainConfig.smoke(splits_dir=str(splits), output_dir=str(root / "model"), export_onnx=True))


def test_smoke_training_writes_a_self_describing_model(smoke_model):
    names = {p.name for p in smoke_model.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "coach_config.json", "training_config.json"} <= names
    saved = json.loads((smoke_model / "training_config.json").read_text())
    assert saved["config"]["epochs"] == 1 and saved["config"]["max_train_rows"] == 48
    thresholds = json.loads((smoke_model / "coach_config.json").read_text())["thresholds"]
    assert set(thresholds) == {"affective", "cognitive", "compassionate", "over_identification"}
    assert all(0.05 <= t <= 0.95 for t in thresholds.values())


def test_weights_are_fp16_safetensors(smoke_model):
    from safetensors import safe_open

    with safe_open(smoke_model / "model.safetensors", "np") as weights:
        dtypes = {str(weights.get_tensor(k).dtype) for k in weights.keys()}
    assert dtypes == {"float16"}


def test_onnx_and_torch_backends_agree_on_the_smoke_model(smoke_model):
    from coach.model import EmpathyClassifier

    replies = [r["reply"] for r in tiny_records()]
    onnx = EmpathyClassifier.load(smoke_model, "onnx").predict_proba(replies)
    torch = EmpathyClassifier.load(smoke_model, "torch").predict_proba(replies)
    assert abs(onnx - torch).max() < 0.05


def test_evaluate_then_score(smoke_model, tmp_path):
    data = tmp_path / "labelled.csv"
    rows = [{k: r[k] for k in ("client", "reply", "affective", "cognitive")} for r in tiny_records()]
    write_table(data, rows)
    out = tmp_path / "report"
    assert coach_main(["--model", str(smoke_model), "eval", "--data", str(data), "-o", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["labels"]) == {"affective", "cognitive"}  # unlabelled columns are skipped
    assert metrics["labels"]["affective"]["n"] == len(rows)

    scored = tmp_path / "scored.jsonl"
    assert coach_main(["--model", str(smoke_model), "score", str(data), "-o", str(scored), "--quiet"]) == 0
    lines = [json.loads(line) for line in scored.read_text().splitlines()]
    assert len(lines) == len(rows)
    assert lines[0]["reply"] == rows[0]["reply"] and lines[0]["affective"] in (True, False)
    assert 0.0 <= lines[0]["over_identification_score"] <= 1.0


def test_corpus_loads_with_datasets_json_builder():
    dataset = load_corpus_dataset()
    assert set(dataset) == {"train", "validation", "test"}
    assert {"client", "reply", "affective", "over_identification"} <= set(dataset["train"].column_names)


def test_corrections_file_can_be_added_to_training(tmp_path):
    from coach.corrections import record_correction
    from train.train import extra_rows

    path = tmp_path / "corrections.jsonl"
    labels = {"affective": True, "cognitive": False, "compassionate": True, "over_identification": False}
    record_correction("That sounds so lonely. I'm here.", "Nobody visits me.", labels, path=path)
    partial = tmp_path / "partial.csv"
    partial.write_text("reply,affective\nthat sounds hard,true\n")
    rows = extra_rows(f"{path},{partial}")
    assert [r["reply"] for r in rows] == ["That sounds so lonely. I'm here."]  # partly labelled rows are left out
    assert rows[0]["compassionate"] is True and rows[0]["client"] == "Nobody visits me."


def test_speed_options_depths_trains_shallower_models_beside_the_shipped_one(smoke_model, tmp_path, monkeypatch):
    import eval.speed_options as options

    monkeypatch.setattr(options, "SPEED_OPTIONS_FILE", tmp_path / "speed_options.json")
    monkeypatch.setattr(options, "_sets", lambda: {n: tiny_records(n) for n in ("validation", "challenge", "test")})
    report = options.depths(smoke_model, layers=(1,), epochs=1, runs_dir=tmp_path / "depth")
    rows = report["depths"]["layers"]
    assert set(rows) == {"6", "1"} and rows["6"]["shipped"] and rows["6"]["speedup"] == 1.0
    assert json.loads((tmp_path / "depth" / "1" / "config.json").read_text())["num_hidden_layers"] == 1
    assert rows["1"]["epochs"] == 1 and rows["1"]["train_seconds"] > 0
    # The shallow model trained with the shipped model's own config: same rows, same input budget.
    shipped = json.loads((smoke_model / "coach_config.json").read_text())["input"]
    assert json.loads((tmp_path / "depth" / "1" / "coach_config.json").read_text())["input"] == shipped


def test_speed_options_contexts_keeps_other_sections_and_budget_zero_means_reply_only(
    smoke_model, tmp_path, monkeypatch
):
    import eval.speed_options as options
    from coach.evaluation import Scored, evaluate
    from coach.model import EmpathyClassifier

    target = tmp_path / "speed_options.json"
    target.write_text(json.dumps({"depths": {"model": "kept"}}))
    monkeypatch.setattr(options, "SPEED_OPTIONS_FILE", target)
    sets = {n: tiny_records(n) for n in ("validation", "challenge", "test")}
    monkeypatch.setattr(options, "_sets", lambda: sets)
    report = options.contexts(smoke_model, budgets=(16, 0))
    assert report["depths"] == {"model": "kept"} and json.loads(target.read_text()) == report
    assert list(report["contexts"]["budgets"]) == ["16", "0"]
    classifier = EmpathyClassifier.load(smoke_model)
    records = sets["validation"]
    reply_only = classifier.predict_proba([r["reply"] for r in records])
    expected = evaluate(Scored("v", records, reply_only, classifier.thresholds))["macro_f1"]
    assert report["contexts"]["budgets"]["0"]["validation_macro_f1"] == expected


def test_single_vs_batch_consistency_is_measured_per_backend(smoke_model):
    from coach.model import EmpathyClassifier
    from eval.evaluate import single_vs_batch

    records = tiny_records()
    for backend in ("torch", "onnx"):
        classifier = EmpathyClassifier.load(smoke_model, backend)
        batch = classifier.predict_proba([r["reply"] for r in records], [r["client"] for r in records])
        result = single_vs_batch(classifier, records, batch)
        assert 0 <= result["decisions_identical"] <= 1 and result["max_probability_difference"] >= 0
        if backend == "torch":  # fp32 does not depend on batch-mates
            assert result["max_probability_difference"] < 1e-4 and result["decisions_identical"] == 1.0
