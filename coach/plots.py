"""PNG plots for reports and session summaries (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from coach.schema import COMPONENTS, LABEL_NAMES  # noqa: E402


def plot_confusions(result: dict, path: Path) -> Path:
    """One 2x2 confusion matrix per label."""
    names = [n for n in LABEL_NAMES if n in result["labels"]]
    fig, axes = plt.subplots(1, max(len(names), 1), figsize=(3.2 * max(len(names), 1), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names):
        c = result["labels"][name]["confusion"]
        grid = [[c["tn"], c["fp"]], [c["fn"], c["tp"]]]
        ax.imshow(grid, cmap="Blues")
        for i in range(2):
            for j in range(2):
                ax.text(j, i, grid[i][j], ha="center", va="center", fontsize=12)
        ax.set_xticks([0, 1], ["pred no", "pred yes"])
        ax.set_yticks([0, 1], ["gold no", "gold yes"])
        ax.set_title(name)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_reliability(result: dict, path: Path) -> Path:
    """Reliability diagram: mean predicted probability against observed rate, per label."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect")
    for name, m in result["labels"].items():
        bins = m["calibration"]["bins"]
        ax.plot(
            [b["mean_probability"] for b in bins],
            [b["positive_rate"] for b in bins],
            "o-",
            label=f"{name} (ECE {m['calibration']['ece']:.3f})",
        )
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed positive rate")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_session(turn_numbers: list[int], scores: list[dict], path: Path, title: str = "") -> Path:
    """Component probabilities over a session's therapist turns, flags marked."""
    fig, ax = plt.subplots(figsize=(7, 3))
    for name in COMPONENTS:
        ax.plot(turn_numbers, [s[name] for s in scores], marker="o", markersize=3, label=name)
    flagged = [(t, 1.02) for t, s in zip(turn_numbers, scores) if s.get("flagged")]
    if flagged:
        ax.scatter(*zip(*flagged), marker="v", color="red", label="over-identification")
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("turn")
    ax.set_ylabel("probability")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower right", ncol=2)
    # Fixed margins instead of tight_layout: this runs once per session and layout was a third of its time.
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.16)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
