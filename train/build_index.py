"""Build the suggestion index that ships inside the model directory.

    python -m train.build_index [MODEL_DIR]

Run after training: it scores every sentence of the training replies and the
scenarios' model replies with the trained classifier (see coach/suggest.py).
"""

from __future__ import annotations

import sys

from coach.analysis import Analyzer
from coach.data import load_split
from coach.paths import DEFAULT_MODEL_DIR
from coach.scenarios import load_scenarios
from coach.suggest import build_index

if __name__ == "__main__":
    model_dir = sys.argv[1] if len(sys.argv) > 1 else str(DEFAULT_MODEL_DIR)
    print(build_index(Analyzer.load(model_dir), load_split("train"), load_scenarios(), model_dir))
