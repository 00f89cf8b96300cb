"""Both encoder backends give the same unit vectors from the packaged model."""

import numpy as np
import pytest

from index.embed import load_encoder

TEXTS = ["Seven Azerbaijani troops have been killed in border clashes with Armenia.",
         "Armenia reported one dead, 13 captured, and 24 missing troops.",
         "short", "word " * 400]  # longer than MAX_TOKENS word pieces: truncated alike


@pytest.fixture(scope="module")
def vectors() -> dict[str, np.ndarray]:
    return {backend: load_encoder(backend=backend).encode(TEXTS) for backend in ("onnx", "torch")}


def test_unit_length_float32(vectors):
    for v in vectors.values():
        assert v.dtype == np.float32 and v.shape == (4, 384)
        assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_backends_agree(vectors):
    cosines = (vectors["onnx"] * vectors["torch"]).sum(axis=1)
    assert cosines.min() > 0.9999


def test_meaning_is_kept(vectors):
    v = vectors["onnx"]
    assert v[0] @ v[1] > v[0] @ v[2]  # two casualty reports are closer than a report and "short"


def test_empty_input_and_unknown_names():
    assert load_encoder().encode([]).shape == (0, 384)
    with pytest.raises(ValueError, match="unknown sentence encoder"):
        load_encoder("no-such-model")
