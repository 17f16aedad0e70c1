"""Write the dataset card ``data/README.md`` from the corpus and the agreement files.

    python -m train.dataset_card

Every number in the card comes from ``corpus_stats()`` and
``data/agreement/kappa.json``; ``tests/test_corpus.py`` checks that the card
matches what this command computes now.
"""

from __future__ import annotations

import json
from collections import Counter

from coach.data import load_corpus
from coach.io import write_text
from coach.paths import DATA_DIR
from coach.schema import LABEL_NAMES

KAPPA_FILE = DATA_DIR / "agreement" / "kappa.json"
STATS_START, STATS_END = "<!-- stats:start -->", "<!-- stats:end -->"


def _rate(records: list[dict], predicate) -> float:
    return round(sum(map(predicate, records)) / max(len(records), 1), 3)


def corpus_stats() -> dict:
    corpus = load_corpus()
    everything = [r for records in corpus.values() for r in records]
    lengths = sorted(len(r["reply"].split()) for r in everything)
    stats = {
        "items": len(everything),
        "splits": {
            split: {"items": len(rows), "statements": len({r["statement_id"] for r in rows})}
            for split, rows in corpus.items()
        },
        "statements": len({r["statement_id"] for r in everything}),
        "contexts": dict(sorted(Counter(r["context"] for r in everything).items())),
        "label_rates": {name: _rate(everything, lambda r, n=name: r[n]) for name in LABEL_NAMES},
        "no_component_rate": _rate(everything, lambda r: not any(r[n] for n in LABEL_NAMES)),
        "reply_only_rate": _rate(everything, lambda r: not r["client"]),
        "roles": dict(Counter(r["role"] for r in everything).most_common()),
        "styles": dict(Counter(r["style"] for r in everything).most_common()),
        "informal_rate": _rate(everything, lambda r: r["style"] != "clinical"),
        "reply_words": {"min": lengths[0], "median": lengths[len(lengths) // 2], "max": lengths[-1]},
    }
    stats["split_label_rates"] = {
        split: {name: _rate(rows, lambda r, n=name: r[n]) for name in LABEL_NAMES} for split, rows in corpus.items()
    }
    return stats


def stats_block(stats: dict, kappa: dict | None) -> str:
    lines = [
        STATS_START,
        "",
        f"- Items: **{stats['items']}**, client statements: **{stats['statements']}**, "
        f"contexts: **{len(stats['contexts'])}**.",
        f"- Replies with no client statement (reply only): {stats['reply_only_rate']:.1%}.",
        f"- Reply length in words: min {stats['reply_words']['min']}, median {stats['reply_words']['median']}, "
        f"max {stats['reply_words']['max']}.",
        f"- Informal replies (spoken, forum or chat style): {stats['informal_rate']:.1%}.",
        "",
        "| split | items | statements | " + " | ".join(LABEL_NAMES) + " |",
        "|---|---|---|" + "---|" * len(LABEL_NAMES),
    ]
    for split, size in stats["splits"].items():
        rates = stats["split_label_rates"][split]
        lines.append(
            f"| {split} | {size['items']} | {size['statements']} | "
            + " | ".join(f"{rates[n]:.1%}" for n in LABEL_NAMES)
            + " |"
        )
    lines.append(
        "| **all** | {} | {} | ".format(stats["items"], stats["statements"])
        + " | ".join(f"{stats['label_rates'][n]:.1%}" for n in LABEL_NAMES)
        + " |"
    )
    lines += [
        "",
        f"No label at all: {stats['no_component_rate']:.1%} of items.",
        "",
        "Contexts (items): " + ", ".join(f"{c} ({n})" for c, n in stats["contexts"].items()) + ".",
        "",
        "Roles: "
        + ", ".join(f"{k} ({v})" for k, v in stats["roles"].items())
        + ". Styles: "
        + ", ".join(f"{k} ({v})" for k, v in stats["styles"].items())
        + ".",
        "",
    ]
    lines += kappa_lines(kappa) + ["", STATS_END]
    return "\n".join(lines)


def kappa_lines(kappa: dict | None) -> list[str]:
    if not kappa:
        return ["Agreement: not measured yet (`python -m eval.agreement kappa`)."]
    lines = [
        f"Blind second pass on {kappa['items']} items ({kappa['share_of_corpus']:.1%} of the hand-written "
        "items), labelled from the codebook alone by an annotator who had not seen the labels:",
        "",
        "| label | Cohen's kappa | raw agreement | team positives | blind positives |",
        "|---|---|---|---|---|",
    ]
    for name, k in kappa["labels"].items():
        lines.append(
            f"| {name} | {k['kappa']:.3f} | {k['raw_agreement']:.1%} | {k['team_positive']} | {k['blind_positive']} |"
        )
    lines += [
        "",
        f"{kappa['items_with_a_disagreement']} sampled items had at least one disagreement; "
        f"{kappa['adjudicated']} were adjudicated against the codebook, changing "
        f"{kappa['labels_changed_by_adjudication']} team labels (`data/agreement/adjudicated.jsonl`).",
    ]
    return lines


def render(template: str, stats: dict, kappa: dict | None) -> str:
    head, rest = template.split(STATS_START, 1)
    tail = rest.split(STATS_END, 1)[1]
    return head + stats_block(stats, kappa) + tail


def main() -> None:
    card = DATA_DIR / "README.md"
    kappa = json.loads(KAPPA_FILE.read_text()) if KAPPA_FILE.exists() else None
    write_text(card, render(card.read_text(encoding="utf-8"), corpus_stats(), kappa))
    print(card)


if __name__ == "__main__":
    main()
