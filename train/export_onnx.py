"""Export a trained model directory to ONNX and quantise it to int8.

    python -m train.export_onnx models/empathy-coach

Writes ``onnx/model_int8.onnx`` inside the model directory. The evaluation
checks that the int8 model keeps at least 99% of test-split decisions of the
PyTorch model before its speed is reported.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import torch

from coach.model import ONNX_FILE

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_onnx(model_dir: str | Path) -> Path:
    """Export ``model_dir`` to ``model_dir/onnx/model_int8.onnx`` and return that path."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForSequenceClassification

    model_dir = Path(model_dir)
    # Eager attention traces to plain MatMul/Softmax, which ran 10-15% faster in int8 here than the
    # graph traced from SDPA; ORT's own attention fusion was slower still once quantised.
    model = AutoModelForSequenceClassification.from_pretrained(
        model_dir, dtype=torch.float32, attn_implementation="eager"
    ).eval()
    # The traced batch only fixes the graph; both axes stay dynamic.
    dummy = tuple(torch.ones((2, 8), dtype=torch.long) for _ in INPUTS)
    target = model_dir / ONNX_FILE
    target.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        torch.onnx.export(
            model,
            dummy,
            str(fp32),
            input_names=list(INPUTS),
            output_names=["logits"],
            dynamic_axes={**{name: {0: "batch", 1: "tokens"} for name in INPUTS}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        # Per-channel scales keep >= 99% of decisions (per-tensor kept about 98.9% here).
        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)
    return target


if __name__ == "__main__":
    print(export_onnx(sys.argv[1] if len(sys.argv) > 1 else "models/empathy-coach"))
