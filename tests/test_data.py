import pytest

from coach.data import parse_label, read_records
from coach.io import InputError


@pytest.mark.parametrize(
    "value,expected", [(True, True), ("yes", True), ("0", False), (1, True), ("", None), (None, None), ("FALSE", False)]
)
def test_parse_label(value, expected):
    assert parse_label(value) is expected


def test_unparseable_label_names_column_and_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("reply,affective\nhi,maybe\n")
    with pytest.raises(InputError, match=r"x.csv, line 2: has 'maybe' in column 'affective'"):
        read_records(path)


def test_missing_label_columns_are_unknown_not_false(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"reply": "that sounds hard", "affective": true}\n')
    [record] = read_records(path)
    assert record["affective"] is True
    assert record["cognitive"] is None and record["over_identification"] is None
    assert record["client"] == ""
