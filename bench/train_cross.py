"""Train the two small cross-encoders of `assistant/cross.py` from ../shared/data.

    .venv/bin/python bench/train_cross.py pairs              # training pairs -> bench/results/cross/
    .venv/bin/python bench/train_cross.py fit --task reader  # -> assistant/models/reader.npz
    .venv/bin/python bench/train_cross.py fit --task stance  # -> assistant/models/stance.npz

`fit` runs on a GPU when there is one (all pairs, a few minutes) and on this 2-core
machine otherwise; `--max-pairs` and `--epochs` keep a CPU run under an hour (the README
gives the figures of both). The model: the packaged MiniLM's embeddings (frozen) and its
first `--layers` layers (fine-tuned), mean-pooled, with a linear head.

Data (never the default corpus or its gold set, never a held-out half):

- reader: SQuAD 2.0 dev's training articles (`eval/squad.py`'s split: even positions),
  every question against each sentence of its paragraph (1 when the sentence holds an
  answer; the unanswerable questions' paragraphs are all 0: they are written to look
  answerable) and 3 sentences of other paragraphs of the same article. Every fourth
  training article is validation.
- stance (label supports / refutes / neither): SNLI train (1%) and dev (hypothesis vs
  premise); SciFact train (claim vs each rationale sentence; other sentences of the cited
  abstracts: neither); FNC-1 pairs whose Body ID is even (headline vs the body sentence that
  shares most words with it; agree, disagree, discuss/unrelated); and pairs derived from
  FNC-1's unlabelled train bodies: a sentence against a copy with one figure or name
  swapped (refutes) and against its own first words (supports). A tenth of the groups is
  validation.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import logging
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


try:
    from assistant import cross, cross_net
except ImportError:  # a bare GPU machine: the package's own imports (FAISS, spaCy, ...) are not there
    import types

    package = types.ModuleType("assistant")
    package.__path__ = [str(ROOT / "assistant")]
    sys.modules["assistant"] = package
    from assistant import cross, cross_net
MODELS = cross.MODELS

log = logging.getLogger("train_cross")
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench" / "results" / "cross"
STANCE_LABELS = ("supports", "refutes", "neither")
MAX_LAYERS = 4  # of the packaged model's six, the most a cross-encoder here starts from
csv.field_size_limit(10_000_000)


# pairs ---------------------------------------------------------------------------

def _sentences(text: str) -> list[tuple[int, int]]:
    from index.split import split_sentences

    return [(s, e) for s, e, _ in split_sentences(text)]


def reader_pairs(data: Path) -> list[dict]:
    from eval.squad import split

    raw = json.loads((data / "squad2" / "dev-v2.0.json").read_text(encoding="utf-8"))["data"]

    class Titled:  # what `split` sorts by
        def __init__(self, item: dict) -> None:
            self.title, self.item = item["title"], item
    train, _ = split([Titled(a) for a in raw])
    rng = random.Random(0)
    rows = []
    for n, article in enumerate(sorted(train, key=lambda a: a.title)):
        fold = "valid" if n % 4 == 3 else "train"
        paragraphs = [p["context"] for p in article.item["paragraphs"]]
        spans = [_sentences(p) for p in paragraphs]
        for pi, paragraph in enumerate(article.item["paragraphs"]):
            others = [paragraphs[o][s:e] for o in range(len(paragraphs)) if o != pi for s, e in spans[o]]
            for qa in paragraph["qas"]:
                answers = [(a["answer_start"], a["answer_start"] + len(a["text"])) for a in qa["answers"]]
                group = qa["id"]
                for s, e in spans[pi]:
                    label = int(not qa.get("is_impossible") and any(a < e and s < b for a, b in answers))
                    rows.append({"a": qa["question"], "b": paragraph["context"][s:e], "y": label, "g": group,
                                 "fold": fold})
                for sentence in rng.sample(others, min(3, len(others))):
                    rows.append({"a": qa["question"], "b": sentence, "y": 0, "g": group, "fold": fold})
    return rows + pool_pairs(data, {r["g"]: r["fold"] for r in rows})


def pool_pairs(data: Path, folds: dict[str, str], size: int = 20) -> list[dict]:
    """Each training question against the sentences retrieval gives it from the training articles
    indexed as one corpus (the pool the reader judges when answering: the hard negatives)."""
    from assistant import Assistant
    from assistant.pool import gather
    from eval.squad import holds_answer, load_squad, questions, split, to_articles

    train, _ = split(load_squad(data / "squad2" / "dev-v2.0.json"))
    folder = ROOT / "bench" / "results" / "judge-train" / "index"  # shared with bench/train_judge.py
    if (folder / "current").exists():
        assistant = Assistant.open(folder)
    else:
        assistant = Assistant(folder, load=False)
        assistant.ingest_articles(to_articles(train), rebuild=True)
    rows = []
    for q in questions(train):
        for hit in gather(assistant._retriever, q.question, size).hits:
            s = hit.sentence
            label = int(q.answerable and holds_answer(q, s.article_id, s.start, s.end))
            rows.append({"a": q.question, "b": s.text, "y": label, "g": q.id, "fold": folds[q.id]})
    return rows


def _fold(group: str) -> str:
    return "valid" if int(hashlib.md5(group.encode()).hexdigest(), 16) % 10 == 0 else "train"


def _row(claim: str, evidence: str, label: str, group: str) -> dict:
    return {"a": claim, "b": evidence, "y": STANCE_LABELS.index(label), "g": group, "fold": _fold(group)}


def _snli(data: Path) -> list[dict]:
    label = {"entailment": "supports", "contradiction": "refutes", "neutral": "neither"}
    rows = []
    for name in ("snli_1.0_train_0.01.jsonl.gz", "snli_1.0_dev.jsonl.gz"):
        with gzip.open(data / "snli" / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                item = json.loads(line)
                if item["gold_label"] in label:
                    rows.append(_row(item["sentence2"], item["sentence1"], label[item["gold_label"]],
                                     "snli:" + item["sentence1"]))
    return rows


def _scifact(data: Path, rng: random.Random) -> list[dict]:
    corpus = {}
    with open(data / "scifact" / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            corpus[str(doc["doc_id"])] = doc["abstract"]
    rows = []
    with open(data / "scifact" / "claims_train.jsonl", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            group = f"scifact:{item['id']}"
            used = set()
            for doc_id, sets in item["evidence"].items():
                for s in sets:
                    for i in s["sentences"]:
                        used.add((doc_id, i))
                        rows.append(_row(item["claim"], corpus[doc_id][i],
                                         "supports" if s["label"] == "SUPPORT" else "refutes", group))
            for doc_id in map(str, item.get("cited_doc_ids", [])):
                rest = [i for i in range(len(corpus.get(doc_id, []))) if (doc_id, i) not in used]
                for i in rng.sample(rest, min(2, len(rest))):
                    rows.append(_row(item["claim"], corpus[doc_id][i], "neither", group))
    return rows


def content_words(text: str) -> set[str]:
    """Lower-case words of three letters or more: what a claim and a sentence share."""
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def _fnc1(data: Path, rng: random.Random) -> list[dict]:
    with open(data / "fnc1" / "competition_test_bodies.csv", encoding="utf-8") as handle:
        bodies = {int(r["Body ID"]): r["articleBody"] for r in csv.DictReader(handle)}
    label = {"agree": "supports", "disagree": "refutes", "discuss": "neither", "unrelated": "neither"}
    split_cache: dict[int, list[str]] = {}
    rows = []
    with open(data / "fnc1" / "competition_test_stances.csv", encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            body_id, stance = int(r["Body ID"]), r["Stance"].strip().lower()
            if body_id % 2 or (stance == "unrelated" and rng.random() > 0.1):
                continue  # odd bodies are the held-out half
            if body_id not in split_cache:
                text = bodies[body_id].replace("\r\n", "\n")
                split_cache[body_id] = [text[s:e] for s, e in _sentences(text)]
            sentences = split_cache[body_id]
            if not sentences:
                continue
            head = content_words(r["Headline"])
            best = max(sentences, key=lambda s: len(head & content_words(s)) / (1 + len(content_words(s)) ** 0.5))
            rows.append(_row(r["Headline"], best, label[stance], f"fnc1:{body_id}"))
    return rows


_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+)*")
_AUX = re.compile(r"\b(?:is|are|was|were|will|can|could|has|have|had|would|should)\b")


def _swap(fact: str, names: list[str], rng: random.Random) -> str | None:
    """Another figure or name in place of `fact`."""
    if _NUMBER.fullmatch(fact):
        try:
            value = float(fact.replace(",", ""))
        except ValueError:
            return None
        other = value + rng.choice([1, 2, 3, 5, 10]) if value < 20 else round(value * rng.choice([0.6, 0.8, 1.3, 1.5]))
        return f"{int(other):,}" if float(other).is_integer() else f"{other:g}"
    choices = [x for x in names if x != fact]
    return rng.choice(choices) if choices else None


def as_question(claim: str, rng: random.Random) -> str:
    """The claim asked as a yes/no question ("X is Y." -> "Is X Y?"; else "Is it true that X?"), as
    users paste claims: the stance of a sentence towards the question is its stance towards the claim."""
    body = claim.strip().rstrip(".!")
    m = _AUX.search(body)
    if m and m.start() > 0 and rng.random() < 0.7:
        head = body[:m.start()].strip()
        return f"{m.group(0).capitalize()} {head[:1].lower() + head[1:]} {body[m.end():].strip()}?"
    return f"Is it true that {body[:1].lower() + body[1:]}?"


def _derived(data: Path, rng: random.Random, limit: int = 9000) -> list[dict]:
    """Two outlets on one fact, made from FNC-1's unlabelled train bodies. From a sentence, a
    claim: part of the sentence around one figure or name. The claim as it is supports the
    sentence; the same claim with that figure or name swapped refutes it (so only the fact tells
    them apart); the claim against another sentence of the same article is neither."""
    with open(data / "fnc1" / "train_bodies.csv", encoding="utf-8") as handle:
        texts = [r["articleBody"].replace("\r\n", "\n") for r in csv.DictReader(handle)]
    rng.shuffle(texts)
    names = [m.group(0) for t in texts[:300] for m in _NAME.finditer(t)]
    rows: list[dict] = []
    for n, text in enumerate(texts):
        if len(rows) >= limit:
            break
        sentences = [text[s:e] for s, e in _sentences(text)[:8]]
        for i, sentence in enumerate(sentences[:5]):
            if not 8 <= len(sentence.split()) <= 40:
                continue
            facts = list(_NUMBER.finditer(sentence)) + list(_NAME.finditer(sentence))
            if not facts:
                continue
            m = rng.choice(facts)
            other = _swap(m.group(0), names, rng)
            if other is None:
                continue
            start, end = 0, len(sentence)  # keep the fact; drop a stretch before or after it, or neither
            cut = rng.random()
            if cut < 0.3 and (commas := [c.end() for c in re.finditer(r",\s", sentence[:m.start()])]):
                start = rng.choice(commas)
            elif cut < 0.6 and (stops := [c.start() for c in re.finditer(r",\s|\s(?:and|but|while|after)\s",
                                                                        sentence[m.end():])]):
                end = m.end() + rng.choice(stops)
            if len(sentence[start:end].split()) < 6:
                start, end = 0, len(sentence)
            claim = sentence[start:end].strip().rstrip(",;:.") + "."
            claim = claim[:1].upper() + claim[1:]
            offset = m.start() - start
            swapped = claim[:offset] + other + claim[offset + len(m.group(0)):]
            if rng.random() < 0.25:
                claim, swapped = as_question(claim, rng), as_question(swapped, rng)
            group = f"derived:{n}"
            rows.append(_row(claim, sentence, "supports", group))
            rows.append(_row(swapped, sentence, "refutes", group))
            unrelated = [s for j, s in enumerate(sentences) if j != i and m.group(0) not in s]
            if unrelated:
                rows.append(_row(claim, rng.choice(unrelated), "neither", group))
    return rows


def stance_pairs(data: Path) -> list[dict]:
    rng = random.Random(0)
    parts = {"snli": _snli(data), "scifact": _scifact(data, rng), "fnc1": _fnc1(data, rng),
             "derived": _derived(data, rng)}
    for name in ("snli", "scifact"):  # a quarter of the statements asked as questions
        for r in parts[name]:
            if rng.random() < 0.25:
                r["a"] = as_question(r["a"], rng)
    for name, rows in parts.items():
        counts = np.bincount([r["y"] for r in rows], minlength=3)
        log.info("stance %s: %d pairs %s", name, len(rows), dict(zip(STANCE_LABELS, counts.tolist(), strict=True)))
    return [r for rows in parts.values() for r in rows]


def write_pairs(data: Path) -> None:
    from index.embed import model_path

    OUT.mkdir(parents=True, exist_ok=True)
    for task, make in (("reader", reader_pairs), ("stance", stance_pairs)):
        rows = make(data)
        with gzip.open(OUT / f"{task}.jsonl.gz", "wt", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r) + "\n")
        log.info("%s: %d pairs (%d validation)", task, len(rows), sum(r["fold"] == "valid" for r in rows))
    # the packaged weights the model starts from (its first MAX_LAYERS layers), half
    # precision so that they travel to a GPU machine with the pairs
    from safetensors import safe_open

    with safe_open(str(model_path() / "model.safetensors"), framework="numpy") as handle:
        init = {k: handle.get_tensor(k).astype(np.float16) for k in handle.keys()
                if "position_ids" not in k and not re.match(rf"encoder\.layer\.([{MAX_LAYERS}-9])\.", k)}
    np.savez(OUT / "init.npz", **init)
    (OUT / "tokenizer.json").write_bytes((model_path() / "tokenizer.json").read_bytes())


# fit -----------------------------------------------------------------------------

def _net(init: dict[str, np.ndarray], layers: int, outputs: int):
    return cross_net.network(init, layers, outputs)


def _encode(tokenizer, rows: list[dict], max_tokens: int):
    tokenizer.enable_truncation(max_tokens, strategy="longest_first")
    tokenizer.no_padding()
    return [(e.ids, e.type_ids) for e in tokenizer.encode_batch([(r["a"], r["b"]) for r in rows])]


def _batch(encoded, index, device):
    import torch

    longest = max(len(encoded[i][0]) for i in index)
    ids = np.zeros((len(index), longest), np.int64)
    types = np.zeros_like(ids)
    attention = np.zeros_like(ids)
    for row, i in enumerate(index):
        a, t = encoded[i]
        ids[row, :len(a)], types[row, :len(a)], attention[row, :len(a)] = a, t, 1
    return (torch.from_numpy(ids).to(device), torch.from_numpy(types).to(device),
            torch.from_numpy(attention).to(device))


def _predict(net, encoded, device, batch=256) -> np.ndarray:
    import torch

    net.eval()
    out = []
    order = np.argsort([len(e[0]) for e in encoded])
    with torch.no_grad():
        for start in range(0, len(order), batch):
            index = order[start:start + batch]
            out.append((index, net(*_batch(encoded, index, device)).float().cpu().numpy()))
    net.train()
    logits = np.zeros((len(encoded), out[0][1].shape[1]), np.float32)
    for index, values in out:
        logits[index] = values
    return logits


def _report(task: str, logits: np.ndarray, rows: list[dict]) -> dict:
    y = np.array([r["y"] for r in rows])
    if task == "reader":
        p = 1 / (1 + np.exp(-logits[:, 0]))
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            groups.setdefault(r["g"], []).append(i)
        answerable = [g for g in groups.values() if y[g].any()]
        rank1 = float(np.mean([y[g[int(np.argmax(p[g]))]] for g in answerable]))
        best = {g: float(p[idx].max()) for g, idx in groups.items()}
        truth = {g: bool(y[idx].any()) for g, idx in groups.items()}
        accuracy = {t: float(np.mean([(best[g] >= t) == truth[g] for g in groups]))
                    for t in np.arange(0.05, 0.96, 0.05)}
        t_best = max(accuracy, key=accuracy.get)
        return {"rank1_in_pool": round(rank1, 4), "answer_or_abstain": round(accuracy[t_best], 4),
                "threshold": round(float(t_best), 2), "pairs": len(rows)}
    predicted = logits.argmax(1)
    out = {"accuracy": round(float((predicted == y).mean()), 4), "pairs": len(rows)}
    for k, name in enumerate(STANCE_LABELS):
        tp = float(((predicted == k) & (y == k)).sum())
        prec, rec = tp / max(1, (predicted == k).sum()), tp / max(1, (y == k).sum())
        out[name] = {"p": round(prec, 3), "r": round(rec, 3), "f1": round(2 * prec * rec / max(1e-9, prec + rec), 3)}
    return out


def fit(task: str, pairs: Path, out: Path, *, layers: int, epochs: float, max_pairs: int | None,
        batch: int, lr: float, max_tokens: int, device: str | None) -> dict:
    import torch
    from tokenizers import Tokenizer

    torch.manual_seed(0)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        torch.set_num_threads(max(1, torch.get_num_threads()))
    with gzip.open(pairs / f"{task}.jsonl.gz", "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    train = [r for r in rows if r["fold"] == "train"]
    valid = [r for r in rows if r["fold"] == "valid"]
    rng = random.Random(0)
    if max_pairs and len(train) > max_pairs:
        train = rng.sample(train, max_pairs)
    tokenizer = Tokenizer.from_file(str(pairs / "tokenizer.json"))
    enc_train, enc_valid = _encode(tokenizer, train, max_tokens), _encode(tokenizer, valid, max_tokens)
    init = dict(np.load(pairs / "init.npz"))
    outputs = 1 if task == "reader" else len(STANCE_LABELS)
    net = _net(init, layers, outputs).to(device)
    head = [p for n, p in net.named_parameters() if n.startswith("head")]
    body = [p for n, p in net.named_parameters() if not n.startswith("head")]
    optimiser = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": head, "lr": lr * 20}], weight_decay=0.01)
    steps = int(np.ceil(len(train) / batch) * epochs)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) * max(0.0, 1 - s / max(1, steps)))
    y = torch.tensor([r["y"] for r in train], device=device)
    log.info("%s: %d training pairs, %d validation, %d steps on %s", task, len(train), len(valid), steps, device)
    started, step = time.time(), 0
    before = _report(task, _predict(net, enc_valid, device), valid)
    log.info("before: %s", before)
    while step < steps:
        order = np.random.default_rng(step).permutation(len(train))
        for start in range(0, len(order) - batch + 1, batch):
            index = order[start:start + batch]
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device == "cuda"):
                logits = net(*_batch(enc_train, index, device)).float()
            target = y[torch.from_numpy(index).to(device)]
            if task == "reader":
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits[:, 0], target.float())
            else:
                loss = torch.nn.functional.cross_entropy(logits, target)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            if step % 200 == 0:
                log.info("step %d/%d loss %.4f (%.0f s)", step, steps, float(loss), time.time() - started)
            if step >= steps:
                break
    after = _report(task, _predict(net, enc_valid, device), valid)
    seconds = round(time.time() - started, 1)
    log.info("after: %s (%.0f s)", after, seconds)
    meta = {"layers": str(layers), "labels": "answers" if task == "reader" else ",".join(STANCE_LABELS),
            "task": task, "trained_pairs": str(len(train)), "epochs": str(epochs), "device": device,
            "seconds": str(seconds), "validation": json.dumps(after), "validation_before": json.dumps(before)}
    cross.save(out, net.exported(), meta)
    return {"task": task, "before": before, "after": after, "seconds": seconds, "device": device}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=["pairs", "fit"])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--pairs", type=Path, default=OUT)
    parser.add_argument("--task", choices=["reader", "stance"], default="reader")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--max-pairs", type=int, default=None)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.step == "pairs":
        write_pairs(args.data)
        return
    result = fit(args.task, args.pairs, args.out or MODELS / f"{args.task}.npz", layers=args.layers,
                 epochs=args.epochs, max_pairs=args.max_pairs, batch=args.batch, lr=args.lr,
                 max_tokens=args.max_tokens, device=args.device)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
