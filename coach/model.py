"""The classifier: loads a model directory and turns (reply, client) pairs into probabilities.

A model directory is self-describing (Hugging Face format): ``config.json`` with
``id2label``, fp16 ``model.safetensors``, the tokenizer, ``coach_config.json``
(decision thresholds and input lengths) and ``training_config.json``. If it also
holds ``onnx/model_int8.onnx`` and onnxruntime is installed, inference runs on
ONNX Runtime (int8), which is several times faster on a laptop CPU; otherwise it
runs on PyTorch.
"""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coach.paths import DEFAULT_MODEL_DIR
from coach.schema import LABEL_NAMES

ONNX_FILE = Path("onnx") / "model_int8.onnx"
COACH_CONFIG = "coach_config.json"


@dataclass
class InputSpec:
    """How a (reply, client) pair becomes token ids: ``[CLS] reply [SEP] client-tail [SEP]``.

    The reply always comes first so that replies scored without a client
    statement look like the start of a paired input. Only the end of the client
    text is kept: in transcripts the turn right before the reply matters most.
    """

    max_reply_tokens: int = 192
    max_context_tokens: int = 16


def encode_pairs(tokenizer, replies: list[str], clients: list[str | None], spec: InputSpec) -> list[dict]:
    """Token ids and token type ids for each pair, unpadded (padding happens per batch)."""
    reply_ids = tokenizer(list(replies), add_special_tokens=False)["input_ids"]
    has_client = [bool(c and c.strip()) for c in clients]
    client_texts = [c if ok else "" for c, ok in zip(clients, has_client)]
    client_ids = tokenizer(client_texts, add_special_tokens=False)["input_ids"]
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    encoded = []
    for r_ids, c_ids, ok in zip(reply_ids, client_ids, has_client):
        ids = [cls, *r_ids[: spec.max_reply_tokens], sep]
        types = [0] * len(ids)
        if ok and spec.max_context_tokens > 0:
            tail = c_ids[-spec.max_context_tokens :]
            ids += [*tail, sep]
            types += [1] * (len(tail) + 1)
        encoded.append({"input_ids": ids, "token_type_ids": types})
    return encoded


def pad_batch(items: list[dict], pad_id: int) -> dict[str, np.ndarray]:
    """Pad a batch to its longest member (dynamic padding)."""
    width = max(len(item["input_ids"]) for item in items)
    batch = {
        name: np.full((len(items), width), fill, dtype=np.int64)
        for name, fill in (("input_ids", pad_id), ("token_type_ids", 0), ("attention_mask", 0))
    }
    for row, item in enumerate(items):
        n = len(item["input_ids"])
        batch["input_ids"][row, :n] = item["input_ids"]
        batch["token_type_ids"][row, :n] = item["token_type_ids"]
        batch["attention_mask"][row, :n] = 1
    return batch


def length_batches(lengths: list[int], max_items: int, max_tokens: int) -> list[list[int]]:
    """Group indices by length so that little compute goes to padding.

    Indices are sorted by length and cut into batches of at most ``max_items``
    whose padded size (items x longest) stays within ``max_tokens``. A few long
    replies among many short ones (a typical session) then get batches of
    their own instead of padding every short reply to their length.
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < max_items and (len(batches[-1]) + 1) * lengths[i] <= max_tokens:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class EmpathyClassifier:
    """Scores replies; ``predict_proba`` is the one call everything else builds on."""

    model_dir: Path
    tokenizer: object
    thresholds: dict[str, float]
    spec: InputSpec
    backend: str
    _run: object = field(repr=False)
    batch_size: int = 32
    # Padded tokens per batch: on 2 cores, 1024 scored 28-turn sessions 2.4x faster than plain batches of 32.
    batch_tokens: int = 1024

    @classmethod
    def load(
        cls, model_dir: str | os.PathLike = DEFAULT_MODEL_DIR, backend: str = "auto", workers: int | None = None
    ) -> EmpathyClassifier:
        """Load a model directory written by ``train/train.py``.

        Args:
            model_dir: the directory (``models/empathy-coach`` by default).
            backend: "onnx", "torch" or "auto" (ONNX when its file and onnxruntime exist).
            workers: ONNX sessions that share out the batches of one call (default: ``onnx_workers()``).
        """
        from transformers import AutoTokenizer

        model_dir = Path(model_dir)
        if not (model_dir / "config.json").exists():
            raise FileNotFoundError(
                f"{model_dir}: no trained model here (config.json missing). "
                "Fix: train one with `python -m train.train` or pass --model DIR."
            )
        config = json.loads((model_dir / "config.json").read_text())
        labels = [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
        if tuple(labels) != LABEL_NAMES:
            raise ValueError(f"{model_dir}/config.json: labels {labels} differ from the schema {list(LABEL_NAMES)}")
        coach_config = json.loads((model_dir / COACH_CONFIG).read_text())
        thresholds = {name: float(coach_config["thresholds"][name]) for name in LABEL_NAMES}
        spec = InputSpec(**coach_config.get("input", {}))
        backend = os.environ.get("EMPATHY_COACH_BACKEND", backend)
        if backend == "auto":
            backend = "onnx" if (model_dir / ONNX_FILE).exists() and _has_onnxruntime() else "torch"
        if backend == "onnx":
            run = _OnnxRunner(model_dir / ONNX_FILE, workers or onnx_workers())
        else:
            run = _torch_runner(model_dir)
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        return cls(model_dir, tokenizer, thresholds, spec, backend, run)

    def predict_proba(self, replies: list[str], clients: list[str | None] | None = None) -> np.ndarray:
        """Return an ``(n, 4)`` array of probabilities in schema label order."""
        if clients is None:
            clients = [None] * len(replies)
        if len(clients) != len(replies):
            raise ValueError("replies and clients must have the same length")
        if not replies:
            return np.zeros((0, len(LABEL_NAMES)), dtype=np.float32)
        encoded = encode_pairs(self.tokenizer, replies, clients, self.spec)
        probs = np.zeros((len(encoded), len(LABEL_NAMES)), dtype=np.float32)
        chunks = length_batches([len(e["input_ids"]) for e in encoded], self.batch_size, self.batch_tokens)

        def run(chunk: list[int]) -> None:
            probs[chunk] = sigmoid(self._run(pad_batch([encoded[i] for i in chunk], self.tokenizer.pad_token_id)))

        if len(chunks) > 1 and self.workers > 1:
            self._run.map(run, chunks)
        else:
            for chunk in chunks:
                run(chunk)
        return probs

    @property
    def workers(self) -> int:
        """Sessions that share out the batches of one call (1 on PyTorch)."""
        return getattr(self._run, "workers", 1)

    def decide(self, probs: np.ndarray) -> np.ndarray:
        """Apply the per-label thresholds chosen on the validation split."""
        return probs >= np.array([self.thresholds[name] for name in LABEL_NAMES])


def _has_onnxruntime() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def onnx_workers() -> int:
    """Parallel one-thread sessions for calls of several batches: one per core, at most 8.

    ``EMPATHY_COACH_WORKERS`` overrides it; 1 runs every batch on the one session.
    """
    value = os.environ.get("EMPATHY_COACH_WORKERS", "").strip()
    if not value:
        return min(os.cpu_count() or 1, 8)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"EMPATHY_COACH_WORKERS={value!r}: expected a whole number of at least 1. Fix: set it to 1-8.")
    return int(value)


class _OnnxRunner:
    """Int8 ONNX Runtime inference: ``runner(batch)`` returns logits.

    A single batch (one reply and its sentences) runs on one session using every
    core. Many batches (a file, a transcript) go through ``map``: one-thread
    sessions, one per worker thread, each taking the next batch. ONNX Runtime
    releases the GIL while it runs, and a one-thread session wastes no time
    syncing threads over matrices this small; ``python -m eval.benchmark``
    measures both ways in one run. Results do not depend on which session ran
    a batch.
    """

    def __init__(self, path: Path, workers: int):
        self.path, self.workers = path, workers
        self.session = self._session(threads=0)
        self.inputs = [i.name for i in self.session.get_inputs()]
        self._pool = None
        self._local = threading.local()
        self._lock = threading.Lock()

    def _session(self, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        return ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])

    def __call__(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        # Inside a worker thread, that thread's one-thread session; elsewhere the shared one.
        session = getattr(self._local, "session", None) or self.session
        return session.run(["logits"], {name: batch[name] for name in self.inputs})[0]

    def _start_worker(self) -> None:
        self._local.session = self._session(threads=1)

    def map(self, fn, chunks: list) -> None:
        """Call ``fn`` on every chunk, spread over the worker threads (``fn`` stores its results)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.workers, thread_name_prefix="empathy-coach-onnx", initializer=self._start_worker
                )
        list(self._pool.map(fn, chunks))


def _torch_runner(model_dir: Path):
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(model_dir, dtype=torch.float32).eval()

    def run(batch: dict[str, np.ndarray]) -> np.ndarray:
        with torch.inference_mode():
            tensors = {name: torch.from_numpy(array) for name, array in batch.items()}
            return model(**tensors).logits.float().numpy()

    return run
