import json

from coach import schema


def test_label_names_are_unique_and_ordered():
    assert schema.LABEL_NAMES == ("affective", "cognitive", "compassionate", "over_identification")
    assert len(set(schema.LABEL_NAMES)) == 4
    assert schema.COMPONENTS + schema.FLAGS == schema.LABEL_NAMES


def test_id_maps_are_inverse():
    assert all(schema.LABEL2ID[name] == i for i, name in schema.ID2LABEL.items())


def test_every_label_has_coaching_text():
    for label in schema.LABELS:
        assert label.definition and label.praise and label.advice and label.example


def test_shipped_model_config_derives_from_schema(model_dir):
    config = json.loads((model_dir / "config.json").read_text())
    assert [config["id2label"][str(i)] for i in range(4)] == list(schema.LABEL_NAMES)
    assert config["problem_type"] == "multi_label_classification"
