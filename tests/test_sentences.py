from coach.sentences import split_sentences


def test_splits_on_terminal_punctuation_and_keeps_offsets():
    text = "That sounds terrifying. Would it help to slow down? I'm here."
    spans = split_sentences(text)
    assert [s.text for s in spans] == ["That sounds terrifying.", "Would it help to slow down?", "I'm here."]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_abbreviations_and_short_fragments_do_not_split():
    spans = split_sentences("Um. Dr. Patel said you were scared. ok")
    assert [s.text for s in spans] == ["Um. Dr. Patel said you were scared. ok"]


def test_line_breaks_split_chat_text():
    assert [s.text for s in split_sentences("that sounds so hard\nim here for u")] == [
        "that sounds so hard",
        "im here for u",
    ]


def test_empty_text_has_no_sentences():
    assert split_sentences("   ") == []
