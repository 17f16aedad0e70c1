"""Split a reply into sentences, keeping character offsets for highlighting."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Ends of sentences: terminal punctuation (optionally closing quotes/brackets)
# followed by white space, or a line break. Abbreviations are re-joined below.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+|\n+")
_ABBREVIATIONS = re.compile(r"\b(?:dr|mr|mrs|ms|st|vs|etc|e\.g|i\.e|approx|no)\.$", re.IGNORECASE)
# One-word fragments ("Um.", "Yeah.", "ok") carry no act of their own: they join a neighbour.
_MIN_WORDS = 2


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Return the sentences of ``text`` with their ``[start, end)`` offsets."""
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        piece = text[start : match.start()]
        if _ABBREVIATIONS.search(piece.rstrip("\"'\u201d\u2019)]")):
            continue
        _append(spans, text, start, match.start())
        start = match.end()
    _append(spans, text, start, len(text))
    return _merge_fragments(spans, text)


def _append(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        offset = start + piece.index(stripped)
        spans.append(Span(stripped, offset, offset + len(stripped)))


def _merge_fragments(spans: list[Span], text: str) -> list[Span]:
    merged: list[Span] = []
    carry: Span | None = None
    for span in spans:
        if carry is not None:
            span = Span(text[carry.start : span.end], carry.start, span.end)
            carry = None
        if len(span.text.split()) < _MIN_WORDS:
            carry = span
            continue
        merged.append(span)
    if carry is not None:
        if merged:
            last = merged.pop()
            merged.append(Span(text[last.start : carry.end], last.start, carry.end))
        else:
            merged.append(carry)
    return merged
