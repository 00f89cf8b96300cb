"""SciFact (Wadden et al., 2020): sentence-level evidence retrieval, scored like BEIR.

Every sentence of every abstract is indexed as its own paragraph, so a hit maps back to
(doc_id, sentence index) through `Sentence.paragraph`. For each dev claim with evidence:

- sentence recall@5, recall@10 and MRR@10 against the rationale sentences;
- document nDCG@10 against the evidence abstracts, a document scoring as its best
  sentence (its first appearance in the sentence ranking), the BEIR measure;
- and, to set beside published BEIR figures, document nDCG@10 over all 300 dev claims
  with their cited documents as relevant (how BEIR's SciFact test set is made).

    abstracts = load_corpus()
    claims = load_claims(split="dev")
    assistant = open_index(Path("/tmp/scifact-index"), abstracts)
    figures = evaluate(assistant, claims, retriever="bm25")
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from corpus.records import Article
from eval.data import dataset_dir
from eval.metrics import percentile, ranked_measures

if TYPE_CHECKING:
    from assistant import Assistant, Hit

log = logging.getLogger(__name__)

NAME = "scifact"
CORPUS = "corpus.jsonl"
CLAIMS = {"dev": "claims_dev.jsonl", "train": "claims_train.jsonl"}
ID_PREFIX = "scifact:"
CURVE_KS = (1, 2, 3, 5, 10, 20)


@dataclass(frozen=True)
class Abstract:
    """One abstract, already split into sentences by the data set's authors."""

    doc_id: int
    title: str
    sentences: tuple[str, ...]

    def article(self) -> Article:
        """The abstract as an Article: one sentence per paragraph, blank sentences dropped.

        `kept` maps the article's paragraph numbers back to sentence indices.
        """
        text = "\n\n".join(" ".join(self.sentences[i].split()) for i in self.kept)
        return Article(id=f"{ID_PREFIX}{self.doc_id}", title=" ".join(self.title.split()), text=text,
                       location=f"scifact://{CORPUS}#{self.doc_id}")

    @property
    def kept(self) -> list[int]:
        """Indices of the sentences that are not blank (paragraph p is sentence kept[p])."""
        return [i for i, s in enumerate(self.sentences) if s.strip()]


@dataclass(frozen=True)
class Claim:
    """A claim and its rationales: {doc_id: [(sentence indices, SUPPORT|CONTRADICT), ...]}."""

    id: int
    claim: str
    evidence: dict[int, tuple[tuple[tuple[int, ...], str], ...]]
    cited: tuple[int, ...] = ()  # cited_doc_ids: BEIR's relevant documents for the claim

    def rationale_units(self) -> set[tuple[int, int]]:
        """Every (doc_id, sentence index) in a rationale."""
        return {(doc, i) for doc, sets in self.evidence.items() for sentences, _ in sets for i in sentences}


def _jsonl(path: Path, limit: int | None = None) -> Iterator[tuple[int, dict]]:
    with open(path, encoding="utf-8") as handle:
        count = 0
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {number}: not valid JSON ({exc.msg})") from None
            yield number, record
            count += 1
            if limit is not None and count >= limit:
                return


def load_corpus(path: Path | str | None = None, *, limit: int | None = None) -> list[Abstract]:
    """The abstracts of corpus.jsonl (the first `limit` when given)."""
    folder = dataset_dir(NAME, path, (CORPUS,))
    abstracts = []
    for number, record in _jsonl(folder / CORPUS, limit):
        try:
            abstracts.append(Abstract(int(record["doc_id"]), str(record.get("title", "")),
                                      tuple(str(s) for s in record["abstract"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{folder / CORPUS}: line {number}: not a SciFact abstract ({exc})") from None
    return abstracts


def load_claims(path: Path | str | None = None, *, split: str = "dev", with_evidence: bool = True,
                limit: int | None = None) -> list[Claim]:
    """The claims of one split; only those with evidence unless `with_evidence` is False."""
    if split not in CLAIMS:
        raise ValueError(f"unknown SciFact split {split!r}: choose {', '.join(CLAIMS)}")
    folder = dataset_dir(NAME, path, (CLAIMS[split],))
    claims = []
    for number, record in _jsonl(folder / CLAIMS[split]):
        try:
            evidence = {int(doc): tuple((tuple(int(i) for i in r["sentences"]), str(r["label"])) for r in sets)
                        for doc, sets in record.get("evidence", {}).items()}
            cited = tuple(int(d) for d in record.get("cited_doc_ids", []))
            claim = Claim(int(record["id"]), str(record["claim"]), evidence, cited)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{folder / CLAIMS[split]}: line {number}: not a SciFact claim ({exc})") from None
        if claim.evidence or not with_evidence:
            claims.append(claim)
        if limit is not None and len(claims) >= limit:
            break
    return claims


def doc_id_of(article_id: str) -> int | None:
    """The SciFact doc_id of an indexed article id, None for another article."""
    if not article_id.startswith(ID_PREFIX):
        return None
    try:
        return int(article_id[len(ID_PREFIX):])
    except ValueError:
        return None


def unit_of(hit: Hit, kept: dict[int, list[int]]) -> tuple[int, int] | None:
    """(doc_id, sentence index) of a search hit, through its paragraph number."""
    doc = doc_id_of(hit.sentence.article_id)
    if doc is None or doc not in kept or hit.sentence.paragraph >= len(kept[doc]):
        return None
    return doc, kept[doc][hit.sentence.paragraph]


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_mtime_ns, st.st_size]


INDEX_ENTRIES = ("v-", ".current", ".lock", "current", "sources.json")  # what an index folder holds


def _clear_index(index_dir: Path) -> None:
    """Remove an index folder that must be rebuilt (an interrupted build, an older schema).

    Refuses, leaving it untouched, when the folder holds anything but index versions and locks.
    """
    if not index_dir.is_dir():
        return
    other = [p.name for p in index_dir.iterdir() if not p.name.startswith(INDEX_ENTRIES)]
    if other:
        raise ValueError(f"{index_dir} holds files that are not an index ({other[0]}): choose another folder")
    shutil.rmtree(index_dir)


def open_index(index_dir: Path, abstracts: list[Abstract], *, data: Path | str | None = None,
               progress: bool = True, rebuild: bool = False) -> Assistant:
    """An index of every sentence of `abstracts` in `index_dir`, built once and reused.

    A small JSON note beside the folder records what was indexed; when it still matches
    (same corpus file, same abstracts) and the engine can still read the index, it is
    opened as is; otherwise it is rebuilt from scratch.
    """
    from assistant import Assistant, AssistantError

    corpus_file = dataset_dir(NAME, data, (CORPUS,)) / CORPUS
    wanted = {"corpus": str(corpus_file.resolve()), "stamp": _stamp(corpus_file),
              "documents": len(abstracts), "first": abstracts[0].doc_id if abstracts else None,
              "last": abstracts[-1].doc_id if abstracts else None}
    note = index_dir.with_name(index_dir.name + ".json")
    if not rebuild and note.is_file() and json.loads(note.read_text()) == wanted:
        try:
            assistant = Assistant.open(index_dir, refresh=False)
        except AssistantError as exc:
            log.warning("the SciFact index at %s cannot be reused (%s): rebuilding it", index_dir, exc)
        else:
            if assistant.index is not None:
                log.info("reusing the SciFact index at %s", index_dir)
                return assistant
    log.info("indexing %d SciFact abstracts into %s", len(abstracts), index_dir)
    note.unlink(missing_ok=True)
    _clear_index(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    assistant = Assistant.open(index_dir, refresh=False)
    report = assistant.ingest_articles([a.article() for a in abstracts], progress=progress, rebuild=True)
    if report.duplicates or report.rejected:
        log.warning("SciFact: %d abstracts skipped as duplicates, %d rejected",
                    len(report.duplicates), len(report.rejected))
    note.write_text(json.dumps(wanted) + "\n")
    return assistant


def evaluate(assistant: Assistant, claims: list[Claim], abstracts: list[Abstract], *,
             retriever: str = "hybrid", depth: int = 100, progress: bool = True) -> dict[str, Any]:
    """Search every claim with `retriever` and score the rankings (see the module docstring).

    Sentence measures and `doc_ndcg@10` are over the claims with evidence (against their
    rationale sentences and evidence abstracts). `beir_ndcg@10` is over every claim given,
    with its cited documents as the relevant ones: BEIR's SciFact test set (300 dev
    claims, 339 judgements), so that figure sits beside published ones. `depth` sentences
    are retrieved per claim, enough for ten distinct documents.
    """
    kept = {a.doc_id: a.kept for a in abstracts}
    with_evidence = [c for c in claims if c.evidence]
    sentence_qrels = {str(c.id): {f"{d}:{i}": 1 for d, i in c.rationale_units()} for c in with_evidence}
    doc_qrels = {str(c.id): {str(d): 1 for d in c.evidence} for c in with_evidence}
    beir_qrels = {str(c.id): {str(d): 1 for d in (c.cited or tuple(c.evidence))} for c in claims}
    beir_qrels = {q: docs for q, docs in beir_qrels.items() if docs}
    sentence_run: dict[str, list[str]] = {}
    doc_run: dict[str, list[str]] = {}
    latencies = []
    started = time.perf_counter()
    for claim in tqdm(claims, desc=f"scifact ({retriever})", unit="claim", disable=not progress, leave=False):
        t0 = time.perf_counter()
        hits = assistant.search(claim.claim, k=depth, retriever=retriever)
        latencies.append((time.perf_counter() - t0) * 1000.0)
        units = [u for u in (unit_of(h, kept) for h in hits) if u is not None]
        sentence_run[str(claim.id)] = list(dict.fromkeys(f"{d}:{i}" for d, i in units))
        doc_run[str(claim.id)] = list(dict.fromkeys(str(d) for d, _ in units))
    seconds = time.perf_counter() - started
    sentence = ranked_measures(sentence_qrels, sentence_run,
                               ["R@5", "R@10", "RR@10"] + [f"R@{k}" for k in CURVE_KS])
    docs = ranked_measures(doc_qrels, doc_run, ["nDCG@10", "R@10", "R@100"])
    beir = ranked_measures(beir_qrels, doc_run, ["nDCG@10", "R@100"])
    return {
        "retriever": retriever,
        "claims": len(with_evidence),
        "beir_claims": len(beir_qrels),
        "sentence_recall@5": round(sentence["R@5"], 4),
        "sentence_recall@10": round(sentence["R@10"], 4),
        "sentence_mrr@10": round(sentence["RR@10"], 4),
        "doc_ndcg@10": round(docs["nDCG@10"], 4),
        "doc_recall@10": round(docs["R@10"], 4),
        "doc_recall@100": round(docs["R@100"], 4),
        "beir_ndcg@10": round(beir["nDCG@10"], 4),
        "beir_recall@100": round(beir["R@100"], 4),
        "sentence_recall_curve": {k: round(sentence[f"R@{k}"], 4) for k in CURVE_KS},
        "latency_ms_p50": round(percentile(latencies, 50) or 0.0, 2),
        "latency_ms_p95": round(percentile(latencies, 95) or 0.0, 2),
        "seconds": round(seconds, 2),
    }


@dataclass(frozen=True)
class Rationale:
    """A claim and the rationale sentences of one evidence abstract, with their label."""

    claim_id: int
    doc_id: int
    claim: str
    sentences: tuple[str, ...]
    label: str  # SUPPORT | CONTRADICT


def rationales(claims: list[Claim], abstracts: list[Abstract]) -> list[Rationale]:
    """One (claim, rationale sentences) pair per claim and evidence abstract.

    The sentences of all the abstract's rationale sets are joined, in the abstract's order
    (its sets share one label in SciFact). A stance is judged on these, not on the abstract.
    """
    by_id = {a.doc_id: a for a in abstracts}
    out = []
    for claim in claims:
        for doc_id, sets in claim.evidence.items():
            if doc_id not in by_id:
                raise ValueError(f"SciFact: claim {claim.id} cites abstract {doc_id}, which is not loaded")
            labels = {label for _, label in sets}
            if len(labels) != 1:
                log.warning("SciFact claim %d, abstract %d: rationale sets disagree (%s); the first is kept",
                            claim.id, doc_id, ", ".join(sorted(labels)))
            indices = sorted({i for sentences, _ in sets for i in sentences})
            out.append(Rationale(claim.id, doc_id, claim.claim, tuple(by_id[doc_id].sentences[i] for i in indices),
                                 sets[0][1]))
    return out
