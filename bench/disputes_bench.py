"""Figures for the disagreement analysis, printed as a small report.

1. Gold set (../shared/gold/seeds.jsonl) over the two seed articles: conflict recall
   (gold pairs that some dispute shown for the question holds on two different sides)
   and false conflicts (disputes shown for questions whose gold lists none). "Shown"
   means `assistant.disputes.relevance(question, dispute) > 0`, the answer's selection.
2. SciFact dev: per (claim, abstract) with rationales, CONTRADICT precision / recall.
3. FNC-1 competition test, bodies with odd ids (the even ones are for fitting): related
   pairs, `disagree` precision / recall (over all related pairs and over agree+disagree).
4. Claim extraction throughput over the ~2,600 FNC-1 bodies, and dispute finding.

    .venv/bin/python bench/disputes_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from assistant.claims import extract_claims_many, is_candidate  # noqa: E402
from assistant.disputes import find_disputes, relevance  # noqa: E402
from corpus import read_source  # noqa: E402
from corpus.records import Article  # noqa: E402
from index.library import make_sentences  # noqa: E402
from index.records import Sentence  # noqa: E402

GOLD = ROOT.parent / "shared" / "gold" / "seeds.jsonl"
DATA = ROOT.parent / "shared" / "data"


def norm(text: str) -> str:
    """Case folded, white space collapsed, quotation marks and apostrophes ignored."""
    text = re.sub(r"[\"'“”‘’«»]", "", text.replace("\u00a0", " ")).casefold()
    return " ".join(text.split())


def matches(sentence: str, quote: str) -> bool:
    a, b = norm(sentence), norm(quote)
    return a in b or b in a


def seed_articles() -> list[Article]:
    folder = ROOT / "corpus" / "seeds"
    paths = sorted(folder.glob("*.md")) or sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
    return [a for p in paths for a in read_source(str(p))]


def _side_matches(side: dict, claim: dict, sentences: dict[int, Sentence], titles: dict[str, str]) -> bool:
    return any(matches(sentences[i].text, claim["quote"]) and
               norm(titles[sentences[i].article_id]) == norm(claim["title"]) for i in side["sentence_ids"])


def gold_figures() -> dict:
    articles = seed_articles()
    items = [(a, make_sentences(a)) for a in articles]
    claims = [c for cs in extract_claims_many(items).values() for c in cs]
    sentences = {s.id: s for _, ss in items for s in ss}
    titles = {a.id: a.title for a in articles}
    disputes, agreements = find_disputes(claims, {a.id: a for a in articles}, sentences)
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = total = false = 0
    rows = []
    for item in gold:
        shown = [d for d in disputes if relevance(item["question"], d) > 0]
        for pair in item["conflicts"]:
            total += 1
            a, b = pair["claims"]
            hit = next((d for d in shown for i, sa in enumerate(d["sides"]) for sb in d["sides"][i + 1:]
                        if (_side_matches(sa, a, sentences, titles) and _side_matches(sb, b, sentences, titles))
                        or (_side_matches(sa, b, sentences, titles) and _side_matches(sb, a, sentences, titles))),
                       None)
            found += hit is not None
            rows.append(f"  {item['id']} {pair['about']}: " + (f"found ({hit['kind']})" if hit else "MISSED"))
        if not item["conflicts"] and shown:
            false += len(shown)
            rows += [f"  {item['id']} false conflict: {d['summary']}" for d in shown]
    agreed = [a for a in agreements if relevance(gold[0]["question"], a) > 0]
    return {"conflict_recall": found / max(1, total), "gold_pairs": total, "false_conflicts": false,
            "disputes": len(disputes), "agreements": len(agreements), "details": rows,
            "s01_agreement": agreed[0]["summary"] if agreed else None,
            "all_disputes": [f"  [{d['kind']}] {d['summary']}" for d in disputes]}


def _pr(y_true: list[str], y_pred: list[str], label: str) -> tuple[float, float, int]:
    tp = sum(t == p == label for t, p in zip(y_true, y_pred, strict=True))
    predicted = sum(p == label for p in y_pred)
    actual = sum(t == label for t in y_true)
    return tp / max(1, predicted), tp / max(1, actual), actual


def stance_figures() -> dict:
    from train_stance import fnc_pairs, scifact_pairs

    from assistant.stance import stance_many

    out = {}
    pairs, labels, _ = scifact_pairs("dev", per="doc")
    predicted = [label for label, _ in stance_many(pairs)]
    out["scifact_contradict"] = _pr(labels, predicted, "disagree")
    pairs, labels, _ = fnc_pairs("odd")
    predicted = [label for label, _ in stance_many(pairs)]
    out["fnc_disagree_related"] = _pr(labels, predicted, "disagree")
    kept = [(t, p) for t, p in zip(labels, predicted, strict=True) if t in ("agree", "disagree")]
    out["fnc_disagree_vs_agree"] = _pr([t for t, _ in kept], [p for _, p in kept], "disagree")
    out["fnc_pairs"] = len(labels)
    return out


def throughput(limit: int | None) -> dict:
    articles = []
    for name in ("competition_test_bodies.csv", "train_bodies.csv"):
        with open(DATA / "fnc1" / name, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                articles.append(Article(id=f"{name[:5]}{row['Body ID']}", title=f"body {row['Body ID']}",
                                        text=row["articleBody"].replace("\n", "\n\n")))
    articles = articles[:limit] if limit else articles
    items = [(a, make_sentences(a)) for a in articles]
    n_sentences = sum(len(s) for _, s in items)
    candidates = sum(is_candidate(s.text) for _, ss in items for s in ss)
    extract_claims_many(items[:5])  # load the model outside the timing
    out = {"articles": len(articles), "sentences": n_sentences, "candidates": candidates}
    for n_process in (1, 2):
        started = time.perf_counter()
        found = extract_claims_many(items, n_process=n_process)
        out[f"seconds_{n_process}"] = time.perf_counter() - started
    claims = [c for cs in found.values() for c in cs]
    started = time.perf_counter()
    disputes, agreements = find_disputes(claims, {a.id: a for a in articles},
                                         {s.id: s for _, ss in items for s in ss})
    out.update(claims=len(claims), disputes=len(disputes), agreements=len(agreements),
               dispute_seconds=time.perf_counter() - started)
    return out


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="throughput on 300 articles only")
    args = parser.parse_args()
    g = gold_figures()
    print(f"gold conflict recall: {g['conflict_recall']:.2f} ({g['gold_pairs']} pairs); "
          f"false conflicts: {g['false_conflicts']}; {g['disputes']} disputes, {g['agreements']} agreements")
    print("\n".join(g["details"]))
    print(f"  s01 agreement shown: {g['s01_agreement']}")
    print("all disputes over the seeds:\n" + "\n".join(g["all_disputes"]))
    if not DATA.exists():
        print(f"skipped SciFact, FNC-1 and throughput: {DATA} is not there")
        return 0
    s = stance_figures()
    p, r, n = s["scifact_contradict"]
    print(f"SciFact dev CONTRADICT: precision {p:.2f} recall {r:.2f} ({n} contradicting pairs)")
    p, r, n = s["fnc_disagree_vs_agree"]
    print(f"FNC-1 disagree vs agree (odd bodies): precision {p:.2f} recall {r:.2f} ({n} disagree pairs)")
    p, r, n = s["fnc_disagree_related"]
    print(f"FNC-1 disagree over all {s['fnc_pairs']} related pairs: precision {p:.2f} recall {r:.2f}")
    t = throughput(300 if args.quick else None)
    for n_process in (1, 2):
        seconds = t[f"seconds_{n_process}"]
        print(f"claim extraction, n_process={n_process}: {t['articles']} articles, {t['sentences']} sentences "
              f"({t['candidates']} parsed) in {seconds:.1f}s = {t['sentences'] / seconds:.0f} sentences/s")
    print(f"find_disputes: {t['claims']} claims -> {t['disputes']} disputes, {t['agreements']} agreements "
          f"in {t['dispute_seconds']:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
