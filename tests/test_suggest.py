"""Sentence-level suggestions: built from exemplars and corpus sentences, offered, never applied."""

from coach.scenarios import load_scenarios
from coach.schema import COMPONENTS
from coach.suggest import Suggester, build_index
from tests.conftest import tiny_records


def test_index_built_from_tiny_data_offers_sentences_for_missing_components(analyzer, tmp_path):
    scenarios = load_scenarios()[:3]
    build_index(analyzer, tiny_records(), scenarios, tmp_path)
    suggester = Suggester.for_model(tmp_path, analyzer.classifier.thresholds)
    analysis = analyzer.analyze("Why didn't you study more?", "I failed my exam again.")
    suggestions = suggester.suggest(analysis)
    added = {s.label for s in suggestions if s.kind == "add"}
    assert added <= set(COMPONENTS) and added
    assert all(not analysis.labels[label] for label in added)  # only what the reply lacks
    assert all(s.text not in analysis.reply for s in suggestions)
    assert len({s.text for s in suggestions}) == len(suggestions)  # the same sentence is not offered twice


def test_shipped_index_offers_a_replacement_for_an_over_identifying_sentence(analyzer, model_dir):
    suggester = Suggester.for_model(model_dir, analyzer.classifier.thresholds)
    reply = "That sounds so hard. I know exactly how you feel, my mum died too and I still cry every night."
    analysis = analyzer.analyze(reply, "My mum died last month and I can't stop crying at work.")
    flagged = [s["text"] for s in analysis.sentences if s["labels"]["over_identification"]]
    assert flagged
    replacements = [s for s in suggester.suggest(analysis) if s.kind == "replace"]
    assert [r.replaces for r in replacements] == flagged
    assert all(r.written_for and r.source for r in replacements)
