import json

from coach.adapters import detect_format, read_esconv, read_labelled


def write_epitome(tmp_path):
    header = "sp_id,rp_id,seeker_post,response_post,level,rationales\n"
    (tmp_path / "emotional-reactions-reddit.csv").write_text(
        header + 's1,r1,"I lost my job","That must be so scary.",1,scary\ns2,r2,"Nobody likes me","lol same",0,\n'
    )
    (tmp_path / "interpretations-reddit.csv").write_text(header + 's1,r1,"I lost my job","That must be so scary.",0,\n')
    (tmp_path / "explorations-reddit.csv").write_text(
        header + 's1,r1,"I lost my job","That must be so scary.",2,x\n'
        's3,r3,"I hate exams","What part worries you most?",1,x\n'
    )
    return sorted(tmp_path.glob("*.csv"))


def test_epitome_levels_map_to_labels_and_merge(tmp_path):
    paths = write_epitome(tmp_path)
    assert detect_format(paths[0]) == "epitome"
    records = {r["reply"]: r for r in read_labelled(paths)}
    scary = records["That must be so scary."]
    assert scary["client"] == "I lost my job"
    assert scary["affective"] is True
    assert scary["cognitive"] is True  # exploration level 2, though interpretation is 0
    assert scary["compassionate"] is None and scary["over_identification"] is None
    assert records["lol same"]["affective"] is False and records["lol same"]["cognitive"] is None
    assert records["What part worries you most?"]["affective"] is None


def test_esconv_strategies_map_and_keep_context(tmp_path):
    conversations = [
        {
            "emotion_type": "anxiety",
            "dialog": [
                {"speaker": "seeker", "content": "Hi."},
                {"speaker": "seeker", "content": "I'm scared about my exams."},
                {
                    "speaker": "supporter",
                    "content": "You sound really worried.",
                    "annotation": {"strategy": "Reflection of feelings"},
                },
                {"speaker": "supporter", "content": "Hello!", "annotation": {"strategy": "Others"}},
                {"speaker": "seeker", "content": "Yes, very."},
                {
                    "speaker": "supporter",
                    "content": "Maybe we could plan your revision?",
                    "annotation": {"strategy": "Providing Suggestions"},
                },
            ],
        }
    ]
    path = tmp_path / "ESConv.json"
    path.write_text(json.dumps(conversations))
    records = read_esconv(path)
    assert [r["reply"] for r in records] == ["You sound really worried.", "Maybe we could plan your revision?"]
    assert records[0]["client"] == "Hi. I'm scared about my exams."
    assert records[0]["affective"] is True and records[0]["cognitive"] is None
    assert records[1]["client"] == "Yes, very."
    assert records[1]["compassionate"] is True and records[1]["affective"] is None
