"""The two committed cross-encoders (assistant/cross.py), on sentences these tests write."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.cross import PairScorer, load, quantise, save, scorer


def test_int8_rows_round_trip_within_half_a_step(tmp_path):
    rng = np.random.default_rng(0)
    weights = {"encoder.layer.0.x.weight": rng.normal(size=(16, 8)).astype(np.float32),
               "encoder.layer.0.x.bias": rng.normal(size=8).astype(np.float32)}
    save(tmp_path / "m.npz", weights, {"layers": "1"})
    back, meta = load(tmp_path / "m.npz")
    _, scale = quantise(weights["encoder.layer.0.x.weight"])
    assert meta == {"layers": "1"}
    assert np.all(np.abs(back["encoder.layer.0.x.weight"] - weights["encoder.layer.0.x.weight"])
                  <= scale[:, None] / 2 + 1e-7)
    assert np.array_equal(back["encoder.layer.0.x.bias"], weights["encoder.layer.0.x.bias"])


def test_the_numpy_forward_is_the_training_network(tmp_path):
    """The committed reader scored by ONNX Runtime, by NumPy and by the PyTorch network the
    training script builds from the same weights gives the same logits."""
    torch = pytest.importorskip("torch")
    import importlib.util
    from pathlib import Path

    from assistant.cross import MODELS, packaged_embeddings

    spec = importlib.util.spec_from_file_location(
        "train_cross", Path(__file__).resolve().parents[2] / "bench" / "train_cross.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    weights, meta = load(MODELS / "reader.npz")
    net = train._net({**weights, **packaged_embeddings()}, int(meta["layers"]), 1).eval()
    model = scorer("reader")
    pairs = [("Who built the bridge?", "The bridge was built by Harlow & Finch in 1931."),
             ("How many people live in the town?", "About 14,000 people live in the town, the census found.")]
    encoded = model.tokenizer.encode_batch(pairs)
    ids, types, mask = (np.array([getattr(e, f) for e in encoded]) for f in ("ids", "type_ids", "attention_mask"))
    with torch.no_grad():
        expected = net(torch.tensor(ids), torch.tensor(types), torch.tensor(mask)).numpy()
    assert np.allclose(model.logits(ids, types, mask), expected, atol=1e-4)  # ONNX Runtime
    assert np.allclose(model.forward(ids, types, mask), expected, atol=1e-4)  # NumPy
    assert isinstance(model, PairScorer)


@pytest.mark.parametrize("question, answer, other", [
    ("Who directed the film?", "The film was directed by Ana Ruiz, her second feature.",
     "The film premiered at a festival in the spring."),
    ("How many people were evacuated?", "Some 3,000 residents were moved out of their homes by the army.",
     "The river rose by two metres overnight."),
    ("When will the museum reopen?", "The museum will reopen on 4 June after a two-year renovation.",
     "The museum holds more than 20,000 paintings."),
])
def test_the_reader_prefers_the_sentence_that_answers(question, answer, other):
    """Ranked above a sentence on the same subject that does not answer (in other words than the
    question's it is often still below 0.5: SQuAD, its training data, is mostly worded alike)."""
    p = scorer("reader").scores([question, question], [answer, other])[:, 0]
    assert p[0] > 2 * p[1], p


def test_the_stance_judge_sees_a_swapped_figure_as_refuting():
    model = scorer("stance")
    claim = "The council approved a budget of £45 million for the new library."
    p = model.scores([claim] * 3, ["The council approved a budget of £45 million for the new library on Monday.",
                                   "The council approved a budget of £62 million for the new library on Monday.",
                                   "The mayor opened a new swimming pool in the east of the city."])
    labels = [model.labels[i] for i in p.argmax(1)]
    assert labels == ["supports", "refutes", "neither"], p.round(2)
