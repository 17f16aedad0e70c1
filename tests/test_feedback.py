from coach.feedback import build_feedback

ALL_FALSE = {"affective": False, "cognitive": False, "compassionate": False, "over_identification": False}


def sentence(text, **labels):
    flags = {**ALL_FALSE, **labels}
    return {"text": text, "labels": flags, "scores": {k: 0.9 if v else 0.1 for k, v in flags.items()}}


def test_missing_components_get_advice_grounded_in_the_article():
    feedback = build_feedback(ALL_FALSE, [sentence("Just relax.")])
    assert len(feedback.missing) == 3 and not feedback.strengths and not feedback.focus
    assert any("Many people feel this way when starting therapy" in note for note in feedback.missing)
    assert feedback.summary.startswith("No empathic component")


def test_strength_quotes_the_sentence_that_shows_it():
    labels = {**ALL_FALSE, "affective": True}
    feedback = build_feedback(labels, [sentence("That sounds terrifying.", affective=True), sentence("Ok then.")])
    assert "\u201cThat sounds terrifying.\u201d" in feedback.strengths[0]
    assert "cognitive and compassionate are missing" in feedback.summary


def test_over_identification_names_the_sentence_and_how_to_refocus():
    labels = {**ALL_FALSE, "affective": True, "over_identification": True}
    sentences = [
        sentence("That sounds awful.", affective=True),
        sentence("I went through the exact same thing and still cry about it.", over_identification=True),
    ]
    feedback = build_feedback(labels, sentences)
    assert "exact same thing" in feedback.focus[0]
    assert any("supervision" in note for note in feedback.focus)
    assert feedback.top_note == feedback.focus[0]
    assert "over-identification" in feedback.summary
