import csv
import json

import pytest

from coach.cli import main
from coach.schema import LABEL_NAMES, score_column


@pytest.fixture()
def replies_csv(tmp_path):
    path = tmp_path / "replies.csv"
    path.write_text(
        'id,client,reply,extra\n1,"I lost my job","That sounds frightening, losing it so suddenly.",a\n'
        '2,,"Why did you get fired?",b\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_score_keeps_input_fields_and_adds_labels(model_dir, replies_csv, tmp_path, suffix):
    out = tmp_path / f"out{suffix}"
    assert main(["--model", str(model_dir), "score", str(replies_csv), "-o", str(out), "--quiet"]) == 0
    if suffix == ".csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert rows[0]["affective"] in ("true", "false")
    else:
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert isinstance(rows[0]["affective"], bool)
    assert [r["extra"] for r in rows] == ["a", "b"]
    for name in LABEL_NAMES:
        assert 0 <= float(rows[0][score_column(name)]) <= 1


def test_score_refuses_to_overwrite(model_dir, replies_csv, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    out.write_text("keep me\n")
    assert main(["--model", str(model_dir), "score", str(replies_csv), "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text() == "keep me\n"
    assert main(["--model", str(model_dir), "score", str(replies_csv), "-o", str(replies_csv), "--force"]) == 2
    assert replies_csv.read_text().startswith("id,client,reply,extra")


def test_score_without_reply_column_names_the_fix(model_dir, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("text\nhello\n")
    assert main(["--model", str(model_dir), "score", str(bad), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, line 2" in err and "'reply'" in err
    assert not (tmp_path / "o.csv").exists()


def test_analyze_prints_labels_and_feedback(model_dir, capsys):
    assert (
        main(
            [
                "--model",
                str(model_dir),
                "analyze",
                "That sounds terrifying. I'm here with you.",
                "--client",
                "I had a panic attack on the bus",
                "--json",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert set(result["labels"]) == set(LABEL_NAMES)
    assert result["feedback"]["summary"]
