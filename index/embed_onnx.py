"""all-MiniLM-L6-v2 on ONNX Runtime: the same vectors as PyTorch, about twice as fast.

The ONNX graph is exported once from the packaged weights (with PyTorch, locally) into
a cache folder and reused; tokenising uses the model's own tokenizer.json. Pooling and
normalisation follow the model's sentence-transformers config: mean over tokens, then
unit length.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import numpy as np

from index.embed import DEFAULT_MODEL, MAX_TOKENS, model_path

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    base = os.environ.get("ASSISTANT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "news-assistant")
    return Path(base)


def exported_model(source: Path) -> Path:
    """The ONNX file for the packaged weights, exported on first use (atomically)."""
    weights = source / "model.safetensors"
    stamp = hashlib.sha256(f"{weights.stat().st_size}:{weights.stat().st_mtime_ns}".encode()).hexdigest()[:12]
    target = cache_dir() / f"{DEFAULT_MODEL}-{stamp}.onnx"
    if target.exists():
        return target
    import torch
    from transformers import AutoModel

    log.info("exporting %s to ONNX at %s (once)", DEFAULT_MODEL, target)
    model = AutoModel.from_pretrained(str(source)).eval()

    class Hidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = tuple(torch.ones((2, 8), dtype=torch.long) for _ in names)
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with torch.no_grad():
        torch.onnx.export(Hidden(model), dummy, str(tmp), input_names=names, output_names=["last_hidden_state"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    os.replace(tmp, target)
    return target


class OnnxMiniLM:
    name, dimensions = DEFAULT_MODEL, 384

    def __init__(self, batch_size: int = 32) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        source = model_path()
        self.tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = min(2, os.cpu_count() or 1)
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(exported_model(source)), options,
                                            providers=["CPUExecutionProvider"])
        self.batch_size = batch_size

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths pad less (callers
        # that embed many texts sort them first, so this only orders within a call)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start:start + self.batch_size]
            batch = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([b.ids for b in batch], dtype=np.int64)
            mask = np.array([b.attention_mask for b in batch], dtype=np.int64)
            types = np.array([b.type_ids for b in batch], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[rows] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return out
