"""Contradiction and stance figures of the current stance model (assistant/stance_model.json).

1. SNLI test (pairs with a majority label): the hypothesis is the claim, [premise] the
   evidence; contradiction = "disagree". Contradiction precision / recall / F1, and the
   3-way confusion (entailment -> agree, neutral -> discuss, contradiction -> disagree).
2. SciFact dev: each claim with the rationale sentences of one evidence abstract,
   SUPPORT -> agree, CONTRADICT -> disagree: CONTRADICT precision / recall / F1.
3. FNC-1 competition test, bodies with ODD ids (the model was fitted on the even ones),
   related pairs (agree / disagree / discuss), the body split into sentences by the
   engine's splitter: per-class precision / recall / F1; disagree and agree highlighted,
   and disagree among the agree + disagree pairs only (as the old disputes bench gave it).

Every distinct text is embedded once per data set (`assistant.stance.featurize`), and
the scores are checked against `assistant.stance.stance_scores` on a few pairs, so the
figures are those of the API the assistant calls.

    .venv/bin/python bench/stance_bench.py                      # data in ../shared/data
    .venv/bin/python bench/stance_bench.py --limit 300           # a quick run: 300 pairs a set
    .venv/bin/python bench/stance_bench.py --only fnc1 --out /tmp/stance.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.stance import MODEL_PATH, StanceModel, featurize, is_short, stance_scores  # noqa: E402
from eval import fnc1, scifact, snli  # noqa: E402
from eval.data import DataMissing, data_root  # noqa: E402
from eval.report import text_table  # noqa: E402

log = logging.getLogger("bench.stance_bench")

SETS = ("snli", "scifact", "fnc1")
DEFAULT_OUT = ROOT / "bench" / "results" / "stance.json"
SCIFACT_STANCE = {"SUPPORT": "agree", "CONTRADICT": "disagree"}
MODEL = "cross"
CHECKED = 8  # pairs scored again through stance_scores, to be sure the bench scores as the API does

Pair = tuple[str, list[str]]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="data folder holding snli/, scifact/, fnc1/ (default: ../shared/data)")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="a quick run: at most N pairs of each set (SNLI, FNC-1 sampled, SciFact the first N)")
    parser.add_argument("--only", choices=SETS, action="append", help="run only this set (repeatable)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON figures (default: {DEFAULT_OUT})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--model", choices=("cross", "lr"), default="cross",
                        help="the stance cross-encoder (default) or the older logistic regression")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be at least 1, not {args.limit}")
    return args


READ_SENTENCES = 5  # of a long body, the sentences the cross-encoder reads (most words shared with the claim)
CROSS_LABEL = {"supports": "agree", "refutes": "disagree", "neither": "discuss"}


def predict_cross(pairs: list[Pair], *, progress: bool) -> tuple[list[str], np.ndarray]:
    """The stance cross-encoder (assistant/models/stance.npz), one sentence at a time: of the
    evidence, each of the READ_SENTENCES sentences sharing most words with the claim; the
    strongest supports or refutes decides (else discuss)."""
    from tqdm import tqdm

    from assistant.cross import scorer
    from bench.train_cross import content_words

    model = scorer("stance")
    if model is None:
        raise SystemExit("no stance cross-encoder: run bench/train_cross.py")
    short = np.array([is_short(evidence) for _, evidence in pairs])
    out = []
    for claim, evidence in tqdm(pairs, disable=not progress, desc="pairs"):
        claimed = content_words(claim)
        texts = sorted(evidence, key=lambda t: -len(claimed & content_words(t)))[:READ_SENTENCES]
        p = model.scores([claim] * len(texts), texts)
        sup, ref = p[:, model.labels.index("supports")].max(), p[:, model.labels.index("refutes")].max()
        label = "refutes" if ref >= 0.5 and ref >= sup else "supports" if sup >= 0.5 else "neither"
        out.append(CROSS_LABEL[label])
    return out, short


def predict(pairs: list[Pair], *, progress: bool) -> tuple[list[str], np.ndarray]:
    if MODEL == "cross":
        return predict_cross(pairs, progress=progress)
    return predict_lr(pairs, progress=progress)


def predict_lr(pairs: list[Pair], *, progress: bool) -> tuple[list[str], np.ndarray]:
    """The stance label of each (claim, evidence) pair, and which pairs the short head judged.

    Same computation as `stance_scores`, with the encoder's progress bar; checked against
    it on the first pairs.
    """
    from index.embed import load_encoder

    encoder = load_encoder()
    x = featurize(pairs, lambda texts: encoder.encode(texts, progress=progress))
    short = np.array([is_short(evidence) for _, evidence in pairs])
    scores = StanceModel.load(MODEL_PATH).scores(x, short)
    for mine, api in zip(scores[:CHECKED], stance_scores(pairs[:CHECKED]), strict=True):
        if mine.keys() != api.keys() or any(abs(mine[k] - api[k]) > 1e-4 for k in mine):
            raise RuntimeError("assistant.stance.stance_scores no longer scores as featurize + StanceModel: "
                               f"bench/stance_bench.py needs updating ({mine} vs {api})")
    return [max(s.items(), key=lambda kv: kv[1])[0] for s in scores], short


def figures(gold: list[str], predicted: list[str], short: np.ndarray, seconds: float) -> dict[str, Any]:
    """Per-class figures (agree, disagree, discuss; `eval.fnc1.scores`), how many pairs were
    predicted each label, confusion, and the contradiction (disagree) figures apart."""
    out = fnc1.scores(gold, predicted)
    for label, c in out["classes"].items():
        c["predicted"] = out["predicted"].get(label, 0)
    out["contradiction"] = out["classes"]["disagree"]
    out["gold"] = dict(Counter(gold))
    out["short_head_share"] = round(float(short.mean()), 4) if len(short) else 0.0
    out["seconds"] = round(seconds, 2)
    out["ms_per_pair"] = round(1000 * seconds / len(gold), 2) if gold else 0.0
    return out


def run_snli(args: argparse.Namespace, progress: bool) -> dict[str, Any]:
    pairs = snli.load_pairs(args.data, split="test", limit=args.limit)
    log.info("SNLI test: %d pairs", len(pairs))
    started = time.perf_counter()
    predicted, short = predict([(p.hypothesis, [p.premise]) for p in pairs], progress=progress)
    out = figures([p.stance for p in pairs], predicted, short, time.perf_counter() - started)
    out["confusion"] = {label: out["confusion"][snli.STANCE[label]] for label in snli.LABELS}
    out["confusion_note"] = "gold SNLI label -> predicted stance (entailment~agree, neutral~discuss)"
    return out


def run_scifact(args: argparse.Namespace, progress: bool) -> dict[str, Any]:
    claims = scifact.load_claims(args.data, split="dev", with_evidence=True)
    rationales = scifact.rationales(claims, scifact.load_corpus(args.data))
    if args.limit:
        rationales = rationales[:args.limit]
    log.info("SciFact dev: %d claims with evidence, %d (claim, abstract) pairs", len(claims), len(rationales))
    started = time.perf_counter()
    predicted, short = predict([(r.claim, list(r.sentences)) for r in rationales], progress=progress)
    out = figures([SCIFACT_STANCE[r.label] for r in rationales], predicted, short, time.perf_counter() - started)
    out["claims_with_evidence"] = len({r.claim_id for r in rationales})
    out["gold"] = dict(Counter(r.label for r in rationales))
    del out["classes"]["discuss"]  # not a SciFact label; a "discuss" prediction counts as not contradicting
    out["macro_f1"] = round((out["classes"]["agree"]["f1"] + out["classes"]["disagree"]["f1"]) / 2, 4)
    return out


def run_fnc1(args: argparse.Namespace, progress: bool) -> dict[str, Any]:
    bodies = fnc1.load_bodies(args.data)
    pairs = fnc1.load_pairs(args.data, related_only=True, bodies="odd", limit=args.limit)
    split = {body_id: fnc1.body_sentences(bodies[body_id]) for body_id in {p.body_id for p in pairs}}
    log.info("FNC-1 odd bodies: %d related pairs over %d bodies", len(pairs), len(split))
    started = time.perf_counter()
    predicted, short = predict([(p.headline, split[p.body_id]) for p in pairs], progress=progress)
    gold = [p.stance for p in pairs]
    out = figures(gold, predicted, short, time.perf_counter() - started)
    out["bodies"] = len(split)
    kept = [(g, p) for g, p in zip(gold, predicted, strict=True) if g in ("agree", "disagree")]
    among = fnc1.scores([g for g, _ in kept], [p for _, p in kept])
    out["disagree_among_agree_disagree"] = {**among["classes"]["disagree"],
                                            "predicted": among["predicted"].get("disagree", 0)}
    return out


def table(results: dict[str, Any]) -> str:
    names = {"snli": "SNLI test", "scifact": "SciFact dev", "fnc1": "FNC-1 odd bodies"}
    shown = {"snli": {"disagree": "contradiction", "agree": "entailment", "discuss": "neutral"},
             "scifact": {"disagree": "CONTRADICT", "agree": "SUPPORT"},
             "fnc1": {"disagree": "disagree", "agree": "agree", "discuss": "discuss"}}
    rows = []
    for name in SETS:
        r = results.get(name)
        if not r or "skipped" in r:
            continue
        for label, title in shown[name].items():
            c = r["classes"][label]
            rows.append([f"{names[name]}: {title}", c["precision"], c["recall"], c["f1"], c["support"], c["predicted"]])
        if name == "fnc1":
            c = r["disagree_among_agree_disagree"]
            rows.append([f"{names[name]}: disagree (agree+disagree pairs only)", c["precision"], c["recall"], c["f1"],
                         c["support"], c["predicted"]])
    return text_table(["set: class", "precision", "recall", "F1", "gold", "predicted"], rows)


def confusion_table(confusion: dict[str, dict[str, int]]) -> str:
    columns = sorted({p for row in confusion.values() for p in row}, key=lambda p: (p not in fnc1.RELATED, p))
    return text_table(["gold \\ predicted"] + columns, [[g] + [row.get(p, 0) for p in columns]
                                                         for g, row in confusion.items()])


def model_note() -> dict[str, Any]:
    meta = json.loads(MODEL_PATH.read_text(encoding="utf-8")).get("meta", {})
    return {"path": str(MODEL_PATH.relative_to(ROOT)), "bytes": MODEL_PATH.stat().st_size, "meta": meta}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    global MODEL
    MODEL = args.model
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not MODEL_PATH.exists():
        print(f"error: {MODEL_PATH} is missing: run `python bench/train_stance.py`", file=sys.stderr)
        return 2
    progress = not args.no_progress and sys.stderr.isatty()
    results: dict[str, Any] = {"model": model_note(), "model_kind": args.model, "data": str(data_root(args.data)),
                               "limit": args.limit}
    started = time.perf_counter()
    runners = {"snli": run_snli, "scifact": run_scifact, "fnc1": run_fnc1}
    for name in SETS:
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        try:
            results[name] = runners[name](args, progress)
        except (DataMissing, ValueError) as exc:
            print(f"{name}: skipped: {exc}", flush=True)
            results[name] = {"skipped": str(exc)}
            continue
        results[name]["total_seconds"] = round(time.perf_counter() - t0, 2)
        r = results[name]
        c = r["contradiction"]
        print(f"{name}: {r['pairs']} pairs in {r['total_seconds']:.1f} s; contradiction P {c['precision']:.3f} "
              f"R {c['recall']:.3f} F1 {c['f1']:.3f}", flush=True)
    results["total_seconds"] = round(time.perf_counter() - started, 2)
    ran = [name for name in SETS if name in results and "skipped" not in results[name]]
    if ran:
        print()
        print(table(results))
    for name in ("snli", "fnc1"):
        if name in ran:
            print(f"\n{name} confusion:\n{confusion_table(results[name]['confusion'])}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nfigures: {args.out} ({results['total_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
