import json

import pytest

from coach.corrections import record_correction

LABELS = {"affective": True, "cognitive": False, "compassionate": False, "over_identification": False}


def test_corrections_are_appended_never_overwritten(tmp_path):
    path = tmp_path / "c" / "corrections.jsonl"
    record_correction("That sounds scary.", "I had a panic attack", LABELS, path=path)
    first = path.read_text()
    record_correction("Just relax.", None, {**LABELS, "affective": False}, note="dismissive", path=path)
    text = path.read_text()
    assert text.startswith(first)
    rows = [json.loads(line) for line in text.splitlines()]
    assert [r["reply"] for r in rows] == ["That sounds scary.", "Just relax."]
    assert rows[1]["affective"] is False and rows[1]["note"] == "dismissive"


def test_corrections_file_is_readable_by_coach_eval(tmp_path):
    from coach.adapters import read_labelled

    path = tmp_path / "corrections.jsonl"
    record_correction("That sounds scary.", "", LABELS, path=path)
    [record] = read_labelled([path])
    assert record["affective"] is True and record["cognitive"] is False


def test_incomplete_correction_is_refused(tmp_path):
    with pytest.raises(ValueError, match="missing"):
        record_correction("hi there", "", {"affective": True}, path=tmp_path / "c.jsonl")
    with pytest.raises(ValueError, match="empty"):
        record_correction("  ", "", LABELS, path=tmp_path / "c.jsonl")
