"""Small cross-encoders: a question (or a statement) and a sentence read together.

The packaged all-MiniLM-L6-v2 gives the embeddings and the first layers; a few of its
layers, fine-tuned here (`bench/train_cross.py`), and a small head make a pair scorer:

- `reader`: does this sentence answer this question? (one probability)
- `stance`: does this sentence support, refute or not address this statement?

The fine-tuned layers are committed as int8 with a scale per row (`models/*.npz`, a few
MB); the embeddings are read from the packaged model, which is never changed. The
forward pass runs on ONNX Runtime, from a graph exported once from the PyTorch module
(`assistant/cross_net.py`) into the encoder's cache folder, or in plain NumPy where those
are missing: BERT's post-norm layers with the tanh form of GELU, as in training.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.embed import model_path

log = logging.getLogger(__name__)
MODELS = Path(__file__).resolve().parent / "models"
HEADS, EPS = 12, 1e-12
EMBEDDINGS = ("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
              "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
              "embeddings.LayerNorm.bias")
LAYER_PARTS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
               "intermediate.dense", "output.dense")


def quantise(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and one scale per row (symmetric)."""
    scale = np.abs(matrix).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    return np.round(matrix / scale[:, None]).astype(np.int8), scale.astype(np.float32)


def save(path: Path, weights: dict[str, np.ndarray], meta: dict[str, str]) -> None:
    """Matrices as int8 + scales, vectors as float32, `meta` as strings."""
    out: dict[str, np.ndarray] = {}
    for name, value in weights.items():
        value = np.asarray(value, dtype=np.float32)
        if value.ndim == 2:
            out[name + ".q"], out[name + ".s"] = quantise(value)
        else:
            out[name] = value
    for key, text in meta.items():
        out["meta." + key] = np.array(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **out)
    tmp.replace(path)


def load(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    data = np.load(path)
    weights, meta = {}, {}
    for name in data.files:
        if name.startswith("meta."):
            meta[name[5:]] = str(data[name])
        elif name.endswith(".q"):
            weights[name[:-2]] = data[name].astype(np.float32) * data[name[:-2] + ".s"][:, None]
        elif not name.endswith(".s"):
            weights[name] = data[name].astype(np.float32)
    return weights, meta


@lru_cache(maxsize=1)
def packaged_embeddings() -> dict[str, np.ndarray]:
    from safetensors import safe_open

    with safe_open(str(model_path() / "model.safetensors"), framework="numpy") as handle:
        return {name: handle.get_tensor(name).astype(np.float32) for name in EMBEDDINGS}


def _norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    inner = x * x  # (x * x * x, not x ** 3: a float power is ~20 times slower)
    inner *= 0.044715 * x
    inner += x
    inner *= 0.7978845608028654
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= 0.5 * x
    return inner


class PairScorer:
    """One fine-tuned model: `scores(firsts, seconds)` -> (n, outputs) probabilities."""

    def __init__(self, path: Path, max_tokens: int = 96) -> None:
        from tokenizers import Tokenizer

        self.path = path
        weights, self.meta = load(path)
        self.session = _session(path, weights, self.meta)
        self.weights: dict[str, np.ndarray] = {}  # the NumPy forward's, prepared when it first runs
        self.layers = int(self.meta.get("layers", "3"))
        self.labels = self.meta.get("labels", "answers").split(",")
        self.tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens, strategy="longest_first")
        self.tokenizer.enable_padding()

    def _layer(self, x: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
        w = self.weights
        p = f"encoder.layer.{n}."
        batch, tokens, width = x.shape
        size = width // HEADS

        def dense(h: np.ndarray, part: str) -> np.ndarray:  # 2-D products use BLAS (stacked ones may not)
            out = h.reshape(-1, h.shape[-1]) @ w[p + part + ".weight"] + w[p + part + ".bias"]
            return out.reshape(*h.shape[:-1], -1)

        def heads(h: np.ndarray) -> np.ndarray:
            return h.reshape(batch, tokens, HEADS, size).transpose(0, 2, 1, 3)
        q, k, v = (heads(dense(x, part)) for part in LAYER_PARTS[:3])
        att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + mask
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(batch, tokens, width)
        x = _norm(dense(ctx, LAYER_PARTS[3]) + x, w[p + "attention.output.LayerNorm.weight"],
                  w[p + "attention.output.LayerNorm.bias"])
        inner = _gelu(dense(x, LAYER_PARTS[4]))
        return _norm(dense(inner, LAYER_PARTS[5]) + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])

    def logits(self, ids: np.ndarray, types: np.ndarray, attention: np.ndarray) -> np.ndarray:
        if self.session is not None:
            return self.session.run(None, {"ids": ids, "types": types, "attention": attention})[0]
        return self.forward(ids, types, attention)

    def forward(self, ids: np.ndarray, types: np.ndarray, attention: np.ndarray) -> np.ndarray:
        """The same computation in NumPy (where ONNX Runtime is not installed)."""
        if not self.weights:  # the matrices as (in, out): x @ W, and the packaged embeddings (47 MB)
            weights, _ = load(self.path)
            self.weights = {name: np.ascontiguousarray(w.T) if name.startswith("encoder.") and w.ndim == 2 else w
                            for name, w in weights.items()} | packaged_embeddings()
        w = self.weights
        positions = np.arange(ids.shape[1])
        x = (w[EMBEDDINGS[0]][ids] + w[EMBEDDINGS[1]][positions][None] + w[EMBEDDINGS[2]][types])
        x = _norm(x, w[EMBEDDINGS[3]], w[EMBEDDINGS[4]])
        mask = ((1.0 - attention[:, None, None, :]) * -1e9).astype(np.float32)
        for n in range(self.layers):
            x = self._layer(x, mask, n)
        weights = attention[..., None].astype(np.float32)
        pooled = (x * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)
        return pooled @ w["head.weight"].T + w["head.bias"]

    def scores(self, firsts: list[str], seconds: list[str], batch: int = 16) -> np.ndarray:
        """Probabilities, one row per pair: sigmoid for one output, softmax for several."""
        out = []
        for start in range(0, len(firsts), batch):
            encoded = self.tokenizer.encode_batch(list(zip(firsts[start:start + batch],
                                                           seconds[start:start + batch], strict=True)))
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            types = np.array([e.type_ids for e in encoded], dtype=np.int64)
            attention = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            out.append(self.logits(ids, types, attention))
        if not out:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        logits = np.concatenate(out).astype(np.float64)
        if logits.shape[1] == 1:
            return 1.0 / (1.0 + np.exp(-logits))
        logits = np.exp(logits - logits.max(1, keepdims=True))
        return logits / logits.sum(1, keepdims=True)


def _session(path: Path, weights: dict[str, np.ndarray], meta: dict[str, str]):
    """An ONNX Runtime session of the model (about three times as fast as NumPy), exported once with
    PyTorch into the encoder's cache folder; None where either is missing."""
    if os.environ.get("ASSISTANT_CROSS_BACKEND", "").lower() == "numpy" or \
            importlib.util.find_spec("onnxruntime") is None:
        return None
    import onnxruntime as ort

    from index.embed_onnx import cache_dir

    stamp = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    target = cache_dir() / f"cross-{path.stem}-{stamp}.onnx"
    if not target.exists():
        if importlib.util.find_spec("torch") is None:
            return None
        _export(weights, meta, target)
    options = ort.SessionOptions()
    options.intra_op_num_threads = min(2, os.cpu_count() or 1)
    options.log_severity_level = 3
    return ort.InferenceSession(str(target), options, providers=["CPUExecutionProvider"])


def _export(weights: dict[str, np.ndarray], meta: dict[str, str], target: Path) -> None:
    import torch

    from assistant.cross_net import network

    log.info("exporting %s to ONNX (once)", target.name)
    outputs = weights["head.weight"].shape[0]
    net = network({**weights, **packaged_embeddings()}, int(meta.get("layers", "3")), outputs).eval()
    dummy = tuple(torch.ones((2, 8), dtype=torch.long) for _ in range(3))
    names = ["ids", "types", "attention"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"logits": {0: "batch"}}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with torch.no_grad():
        torch.onnx.export(net, dummy, str(tmp), input_names=names, output_names=["logits"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    os.replace(tmp, target)


@lru_cache(maxsize=4)
def scorer(name: str) -> PairScorer | None:
    """The committed model `name` ("reader", "stance"), or None when it is not there."""
    path = MODELS / f"{name}.npz"
    if not path.exists():
        log.warning("no %s model at %s: run bench/train_cross.py", name, path)
        return None
    return PairScorer(path)
