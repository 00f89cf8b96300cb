"""The cross-encoders of `assistant/cross.py` as a PyTorch module (PyTorch is imported only here:
to train them, `bench/train_cross.py`, and to export them once to ONNX for ONNX Runtime).

BERT's post-norm layers, the tanh form of GELU, mean pooling and a linear head; the
parameter names are the packaged MiniLM's, so its weights load as they are.
"""

from __future__ import annotations

import numpy as np

from assistant.cross import EMBEDDINGS, HEADS, LAYER_PARTS


def network(init: dict[str, np.ndarray], layers: int, outputs: int):
    """The PyTorch module of a cross-encoder: training runs it, and it is exported to ONNX from it."""
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            for name in EMBEDDINGS:
                self.register_buffer(name.replace(".", "__"), torch.tensor(init[name], dtype=torch.float32))
            self.params = nn.ParameterDict()
            for n in range(layers):
                for key in init:
                    if key.startswith(f"encoder.layer.{n}."):
                        self.params[key.replace(".", "__")] = nn.Parameter(torch.tensor(init[key], dtype=torch.float32))
            self.head = nn.Linear(384, outputs)
            if "head.weight" in init:  # a trained model (to export); else a new head (to train)
                self.head.weight.data = torch.tensor(init["head.weight"], dtype=torch.float32)
                self.head.bias.data = torch.tensor(init["head.bias"], dtype=torch.float32)
            self.drop = nn.Dropout(0.1)

        def p(self, name: str):
            return self.params[name.replace(".", "__")]

        def forward(self, ids, types, attention):
            f = nn.functional
            b = {n: getattr(self, n.replace(".", "__")) for n in EMBEDDINGS}
            x = b[EMBEDDINGS[0]][ids] + b[EMBEDDINGS[1]][: ids.shape[1]][None] + b[EMBEDDINGS[2]][types]
            x = self.drop(f.layer_norm(x, (384,), b[EMBEDDINGS[3]], b[EMBEDDINGS[4]], 1e-12))
            mask = (1.0 - attention[:, None, None, :].float()) * -1e9
            batch, tokens, width = x.shape
            for n in range(layers):
                pre = f"encoder.layer.{n}."

                def dense(h, part, pre=pre):
                    return f.linear(h, self.p(pre + part + ".weight"), self.p(pre + part + ".bias"))

                def heads(h):
                    return h.view(batch, tokens, HEADS, width // HEADS).transpose(1, 2)
                q, k, v = (heads(dense(x, part)) for part in LAYER_PARTS[:3])
                att = torch.softmax(q @ k.transpose(-1, -2) / (width // HEADS) ** 0.5 + mask, -1)
                ctx = (self.drop(att) @ v).transpose(1, 2).reshape(batch, tokens, width)
                x = f.layer_norm(self.drop(dense(ctx, LAYER_PARTS[3])) + x, (384,),
                                 self.p(pre + "attention.output.LayerNorm.weight"),
                                 self.p(pre + "attention.output.LayerNorm.bias"), 1e-12)
                inner = f.gelu(dense(x, LAYER_PARTS[4]), approximate="tanh")
                x = f.layer_norm(self.drop(dense(inner, LAYER_PARTS[5])) + x, (384,),
                                 self.p(pre + "output.LayerNorm.weight"), self.p(pre + "output.LayerNorm.bias"), 1e-12)
            w = attention[..., None].float()
            pooled = (x * w).sum(1) / w.sum(1).clamp(min=1e-9)
            return self.head(self.drop(pooled))

        def exported(self) -> dict[str, np.ndarray]:
            out = {k.replace("__", "."): v.detach().float().cpu().numpy() for k, v in self.params.items()}
            out["head.weight"] = self.head.weight.detach().float().cpu().numpy()
            out["head.bias"] = self.head.bias.detach().float().cpu().numpy()
            return out
    return Net()
