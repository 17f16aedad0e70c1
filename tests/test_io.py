import os

import pytest

from coach.io import InputError, atomic_path, read_table, write_table


def test_csv_rows_keep_line_numbers(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('reply,client\n"multi\nline",c1\nsecond,c2\n', encoding="utf-8")
    rows = list(read_table(path, required=["reply"]))
    assert [r["reply"] for _, r in rows] == ["multi\nline", "second"]
    assert rows[1][0] == 4


def test_missing_column_names_file_line_and_fix(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("text,client\nhello,x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_table(path, required=["reply"]))
    message = str(err.value)
    assert "a.csv" in message and "line 2" in message and "'reply'" in message and "Fix:" in message


def test_non_utf8_is_reported_with_its_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"reply": "ok"}\n{"reply": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"line 2: is not UTF-8"):
        list(read_table(path))


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"reply\n\x00\x01\x02\n")
    with pytest.raises(InputError, match="binary"):
        list(read_table(path))


def test_bad_json_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"reply": "a"}\n{"reply": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: is not valid JSON"):
        list(read_table(path))


def test_empty_file(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="is empty"):
        list(read_table(path))


def test_unsupported_extension(tmp_path):
    with pytest.raises(InputError, match="unsupported extension"):
        list(read_table(tmp_path / "a.xlsx"))


def test_atomic_write_leaves_target_untouched_on_failure(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("original\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "original\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_write_table_round_trip(tmp_path):
    rows = [{"reply": "a, b", "flag": True}, {"reply": "c", "flag": False}]
    for name in ("x.csv", "x.jsonl"):
        assert write_table(tmp_path / name, rows) == 2
        back = [r for _, r in read_table(tmp_path / name)]
        assert [r["reply"] for r in back] == ["a, b", "c"]
    assert (tmp_path / "x.csv").read_text().splitlines()[1] == '"a, b",true'
