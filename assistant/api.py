"""The assistant's public API: open an index, ingest articles, ask questions.

    a = Assistant.open()                       # the default index, built on first use
    answer = a.ask("How many people were injured in the fire?")
    conv = a.conversation(); conv.ask("..."); conv.ask("and how many were captured?")

Everything the CLI, the chat page, the HTTP API, the briefings and the evaluation
harness show comes from here.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np
from dateutil import parser as dateparser

from assistant.compare import Finding
from assistant.compose import compose, leaning
from assistant.conversation import Conversation, interpret
from assistant.errors import AssistantError
from assistant.judge import answer_threshold, judge
from assistant.lifecycle import Lifecycle
from assistant.pool import SIZE as POOL_SIZE
from assistant.pool import Pool, gather
from assistant.records import Agreement, Answer, Citation, Dispute, Side, Source, SourceInfo
from assistant.retrieval import MODES, Hit, Retriever
from corpus.records import Article
from index import library
from index.embed import DEFAULT_MODEL, Encoder, load_encoder
from index.library import Index, IngestReport
from index.records import Sentence
from index.store import neighbours
from index.text import STOPWORDS

log = logging.getLogger(__name__)

DEFAULT_INDEX = Path(__file__).resolve().parent.parent / "index" / "built"
MAX_QUESTION_CHARS = 1000
VERB_ALIKE = 0.58  # cosine of two words' vectors from which one stands for the other ("buy" for "acquire")


class Assistant(Lifecycle):
    """Answers questions from one index folder."""

    def __init__(self, folder: Path, encoder: Encoder | None = None, *, load: bool = True) -> None:
        """An assistant on `folder`; with load=False the index there is not read (for a rebuild)."""
        self.folder = Path(folder)
        self.encoder = encoder or load_encoder()
        self._word_vectors: dict[str, np.ndarray] = {}
        self.index: Index | None = None
        self._articles: dict[str, Article] = {}
        self._retriever: Retriever | None = None
        self._disputes: list[Finding] = []
        if load:
            self._load()

    # opening and ingesting ------------------------------------------------
    @classmethod
    def open(cls, index_dir: Path | str | None = None, *, refresh: bool = True,
             model: str = DEFAULT_MODEL) -> Assistant:
        """Open an index folder. The default index is built from the default corpus
        on first use, and any index whose local files changed is brought up to date."""
        folder = Path(index_dir) if index_dir else DEFAULT_INDEX
        encoder = load_encoder(model)
        if library.current_version(folder) is None:
            if index_dir is not None and folder.exists() and any(folder.iterdir()):
                raise AssistantError(f"{folder} is not an index folder (no manifest): "
                                     "give an empty or new folder, or an index made by `assistant ingest`")
            if index_dir is None:
                from corpus import DEFAULT_CORPUS

                log.info("no index yet: building it from the default corpus %s", DEFAULT_CORPUS)
                assistant = cls(folder, encoder, load=False)
                assistant.ingest([str(DEFAULT_CORPUS)])
                return assistant
        try:
            assistant = cls(folder, encoder)
        except AssistantError as exc:
            if index_dir is not None:
                raise
            # The default index is only ever built from files: rebuild it rather than refuse.
            log.warning("%s; rebuilding the default index from its sources", exc)
            assistant = cls(folder, encoder, load=False)
            assistant.ingest(_recorded_sources(folder), rebuild=True)
            return assistant
        if refresh and assistant.index is not None:
            assistant.refresh()
        return assistant

    def refresh(self) -> IngestReport | None:
        """Bring the index up to date with its local files: re-read what changed or was
        added in ingested folders, drop articles whose file is gone. None if up to date."""
        stale = self.index.stale_files() if self.index else []
        if not stale:
            return None
        log.info("%d indexed files changed since the index was built: refreshing", len(stale))
        gone = [a.id for a in self._articles.values()
                if "://" not in a.location and not Path(a.location.split("#", 1)[0]).exists()]
        present = [s for s in self.index.manifest.sources if "://" not in s and Path(s).exists()]
        articles, errors = _read(present)
        for error in errors:  # named once: the manifest then records the file and the next open is quiet
            log.warning("skipped: %s", error)
        return self._update(articles, remove=gone, sync_roots=[s for s in present if Path(s).is_dir()],
                            progress=False)

    @classmethod
    def build(cls, index_dir: Path | str, sources: list[str], *, progress: bool = True) -> Assistant:
        """A fresh index of `sources` in `index_dir`, opened."""
        assistant = cls(Path(index_dir), load=False)
        assistant.ingest(sources, progress=progress, rebuild=True)
        return assistant

    def _load(self) -> None:
        """Open the current version; the one read so far is closed only once the new one opened."""
        previous = self.index
        try:
            index = Index.open(self.folder, self.encoder)
            # metadata only in memory (titles, outlets, dates); texts are read from SQLite when needed
            articles = {a.id: replace(a, text="") for a in index.db.articles()}
            findings = [Finding.from_dict(d) for d in index.db.annotations("finding")]
        except library.IndexMissing:
            index, articles, findings = None, {}, []
        except library.IndexUnusable as exc:
            raise AssistantError(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            raise AssistantError(f"index at {self.folder} is damaged (SQLite: {exc}); rebuild it with "
                                 f"`{library.rebuild_command(self.folder)}`") from None
        if previous is not None:
            previous.close()
        self.index, self._articles, self._disputes = index, articles, findings
        self._retriever = Retriever(index, self.encoder, articles) if index else None

    def article(self, article_id: str) -> Article | None:
        """The indexed article with this id (its whole text, for a reader view), or None."""
        return self.index.db.article(article_id) if self.index is not None else None

    def ingest(self, sources: list[str], *, progress: bool = True, rebuild: bool = False,
               remove: list[str] = (), on_progress: library.Progress | None = None,
               backend: str | None = None, backend_options: dict[str, str] | None = None) -> IngestReport:
        """Read files, folders, URLs or feeds and add them; only what changed is embedded.
        A folder read again also drops the articles that are no longer in it.
        `on_progress(done, total)` is called as sentences are embedded (for a UI's bar);
        `backend` names the vector store of a new or rebuilt index ("faiss-flat", "milvus", ...)."""
        from corpus import CorpusError

        if not sources and not remove and not rebuild:
            raise AssistantError("nothing to ingest: give files, folders or URLs")
        articles, errors = _read(list(sources))
        sync_roots = [s for s in sources if "://" not in s and Path(s).is_dir()]
        report = self._update(articles, remove=self._resolve_removals(remove), sync_roots=sync_roots,
                              sources=[_source_key(s) for s in sources], rebuild=rebuild, progress=progress,
                              on_progress=on_progress, vector_backend=backend, backend_options=backend_options)
        report.rejected = [str(e) for e in errors if isinstance(e, CorpusError)] + report.rejected
        return report

    def ingest_articles(self, articles: list[Article], *, progress: bool = True, rebuild: bool = False,
                        on_progress: library.Progress | None = None) -> IngestReport:
        """Add Article records made elsewhere (a loader, an upload)."""
        return self._update(articles, rebuild=rebuild, progress=progress, on_progress=on_progress)

    def _update(self, articles: list[Article], **options) -> IngestReport:
        from assistant.enrich import enrich  # spaCy loads only when something is ingested

        try:
            report = library.update(self.folder, articles, encoder=self.encoder,
                                    enrich=enrich, **options)
        except library.IndexUnusable as exc:
            raise AssistantError(str(exc)) from None
        self._load()
        return report

    def _resolve_removals(self, remove: list[str]) -> list[str]:
        ids = []
        for item in remove:
            matches = [a.id for a in self._articles.values()
                       if item in (a.id, a.location, a.url, a.title)]
            if not matches:
                raise AssistantError(f"nothing indexed matches {item!r} (give an article id, path, URL or title)")
            ids += matches
        return ids

    # browsing ---------------------------------------------------------------
    def sources(self) -> list[SourceInfo]:
        if not self.index:
            return []
        counts = self.index.db.sentence_counts()
        return [SourceInfo(a.id, a.title, a.outlet, a.author, a.published, a.url, a.location,
                           counts.get(a.id, 0)) for a in self._articles.values()]

    def disputes(self) -> list[Dispute]:
        """Every disagreement found in the corpus, without a question."""
        return [self._dispute(d) for d in self._disputes if d.kind != "agreement"]

    def agreements(self) -> list[Agreement]:
        return [self._agreement(a) for a in self._disputes if a.kind == "agreement"]

    def conversation(self) -> Conversation:
        return Conversation(self, id=uuid.uuid4().hex[:12])

    # asking -------------------------------------------------------------------
    def search(self, question: str, k: int = 10, *, retriever: str = "hybrid",
               sources: list[str] | None = None, since: str | None = None,
               until: str | None = None) -> list[Hit]:
        """The k best sentences for `question`, fused and diversified."""
        return self._search(question, k, retriever, self._allowed(sources, since, until))

    def _search(self, question: str, k: int, retriever: str, allowed: np.ndarray | None) -> list[Hit]:
        if self._retriever is None:
            return []
        if retriever not in MODES:
            raise AssistantError(f"unknown retriever {retriever!r}: choose one of {', '.join(MODES)}")
        return self._retriever.search(question, k, mode=retriever, allowed=allowed)

    def ask(self, question: str, *, k: int = 5, sources: list[str] | None = None,
            since: str | None = None, until: str | None = None, retriever: str = "hybrid",
            context: str | None = None) -> Answer:
        """Answer from the sources, quoting them; abstain when they do not answer.

        `context` is the previous question (as interpreted), for follow-ups.
        """
        question = _checked_question(question)
        if not 1 <= k <= 50:
            raise AssistantError(f"k must be between 1 and 50, not {k}")
        since, until = _checked_date(since, "since"), _checked_date(until, "until")
        filters = {"sources": list(sources or []), "since": since, "until": until}
        interpreted = interpret(question, context)
        allowed = self._allowed(sources, since, until)
        answer = Answer(question=question, supported=False, lead="", interpreted_as=interpreted,
                        filters=filters, id=uuid.uuid4().hex[:12])
        if self._retriever is None:
            answer.message = "No indexed article matches this question and these filters."
            return answer
        if retriever not in MODES:
            raise AssistantError(f"unknown retriever {retriever!r}: choose one of {', '.join(MODES)}")
        pool = gather(self._retriever, interpreted, max(POOL_SIZE, k), mode=retriever, allowed=allowed)
        kind, judged, answerable = judge(interpreted, pool.hits, pool.contexts, pool.near)
        sentences = {h.sentence.id: h.sentence for h in pool.hits}
        shown = compose(interpreted, kind, pool, judged, answerable, answer_threshold(), k,
                        earlier=lambda sid: self._earlier(sentences[sid]), entity_doc=_entity_doc,
                        stance=lambda claim, texts: _stance_labels(claim, texts, pool), alike=self._alike,
                        conflict=_conflict)
        if not shown.supported:
            answer.related = [self._citation(j.hit.sentence, j.relevance, 0, pool.around) for j in shown.related]
            answer.message = ("The sources do not answer this question." if judged else
                              "No indexed article matches this question and these filters.")
            return answer
        answer.supported = True
        answer.citations = [self._citation(j.hit.sentence, j.relevance, n, pool.around)
                            for n, j in enumerate(shown.cited, start=1)]
        for c in answer.citations:
            c.speaker = shown.speakers.get(c.id)
        answer.related = [self._citation(j.hit.sentence, j.relevance, 0, pool.around) for j in shown.related]
        number_of = {c.id: c.number for c in answer.citations}
        answer.lead = " ".join(_lead_item(j, number_of[j.id], shown.speakers.get(j.id)) for j in shown.lead)
        answer.disputes = [self._dispute(Finding.of(d), pool.around) for d in shown.disputes]
        answer.agreements = [self._agreement(Finding.of(a), pool.around) for a in shown.agreements]
        notes = [f"Sources differ: {d.summary}" for d in answer.disputes] + [a.summary for a in answer.agreements]
        answer.message = "; ".join(notes)
        return answer

    def _alike(self, word: str, verbs: tuple[str, ...]) -> bool:
        """Does `word` mean what one of `verbs` does ("buying" for "acquiring")? By the cosine of
        the words' own vectors from the sentence encoder (cached: the same words recur)."""
        missing = [w for w in (word, *verbs) if w not in self._word_vectors]
        if missing:
            if len(self._word_vectors) > 50_000:
                self._word_vectors.clear()
            self._word_vectors.update(zip(missing, self.encoder.encode(missing), strict=True))
        own = self._word_vectors[word]
        return word not in STOPWORDS and max(float(own @ self._word_vectors[v]) for v in verbs) >= VERB_ALIKE

    def _earlier(self, sentence: Sentence, window: int = 3) -> list[str]:
        """The sentences just before `sentence` in its article, nearest last."""
        if sentence.position == 0:
            return []
        before = Sentence(sentence.id, sentence.article_id, sentence.position - window, 0, 0, "")
        return [s.text for s in neighbours(self.index.db, before, window)
                if s.position < sentence.position]

    # building records ---------------------------------------------------------
    def _allowed(self, sources, since, until) -> np.ndarray | None:
        if not (sources or since or until):
            return None
        if sources:
            known = {(a.outlet or "").casefold() for a in self._articles.values()} | \
                    {a.title.casefold() for a in self._articles.values()}
            unknown = [s for s in sources if s.casefold() not in known]
            if unknown:
                raise AssistantError(f"no indexed source is called {unknown[0]!r}: see `assistant sources`")
        ids = self.index.db.sentence_ids_where(sources, since, until)
        return np.asarray(ids, dtype=np.int64)

    def _citation(self, sentence: Sentence, score: float, number: int,
                  known: dict[int, list[Sentence]] | None = None) -> Citation:
        """A citation of `sentence`; `known` holds neighbours already read for it."""
        article = self._articles[sentence.article_id]
        around = (known or {}).get(sentence.id) or neighbours(self.index.db, sentence)
        before = " ".join(s.text for s in around if s.position < sentence.position)
        after = " ".join(s.text for s in around if s.position > sentence.position)
        source = Source(article.id, article.title, article.outlet, article.author, article.published,
                        article.url, article.location, sentence.start, sentence.end)
        context = " ".join(part for part in (before, sentence.text, after) if part)
        return Citation(id=sentence.id, sentence=sentence.text, context=context, score=round(score, 4),
                        source=source, number=number, context_before=before, context_after=after)

    def _sentences(self, ids: list[int]) -> list[Sentence]:
        found = self.index.db.sentences(ids)
        return [found[i] for i in ids if i in found]

    def _dispute(self, finding: Finding, known: dict[int, list[Sentence]] | None = None) -> Dispute:
        """A finding as a Dispute record with citations (each with who says it)."""
        sides = []
        for side in finding.sides:
            found = self.index.db.sentences(side.sentence_ids)
            citations = []
            for sid, who in zip(side.sentence_ids, side.speakers, strict=True):
                if sid in found:
                    citation = self._citation(found[sid], 0.0, 0, known)
                    citation.speaker = who
                    citations.append(citation)
            if citations:
                sides.append(Side(position=side.position, speaker=side.speaker, citations=citations))
        return Dispute(id=finding.id, kind=finding.kind, about=finding.about, summary=finding.summary,
                       reason=finding.reason, sides=sides, relevance=1.0 if known is not None else 0.0)

    def _agreement(self, finding: Finding, known: dict[int, list[Sentence]] | None = None) -> Agreement:
        side = finding.sides[0]
        found = self.index.db.sentences(side.sentence_ids)
        citations = [self._citation(found[i], 0.0, 0, known) for i in side.sentence_ids if i in found]
        return Agreement(about=finding.about, value=side.position, summary=finding.summary, citations=citations)


def _lead_item(judged, number: int, speaker: str | None) -> str:
    """A lead sentence, verbatim, with its citation mark; a sentence that leans on the one
    before for its speaker ("It also reported ...") names it in an editorial bracket."""
    text = f"{judged.hit.sentence.text} [{number}]"
    return f"[{speaker}:] {text}" if speaker and leaning(judged) else text


def _entity_doc(judged):
    from assistant.entities import doc_of

    return doc_of(judged.hit.sentence.text)


def _conflict(pairs: list[tuple[str, str]]) -> list[float]:
    """For each (claim, sentence), the probability that the sentence refutes the claim
    (the stance cross-encoder; none where it is not installed)."""
    from assistant.cross import scorer

    model = scorer("stance")
    if model is None or not pairs:
        return [0.0] * len(pairs)
    probs = model.scores([a for a, _ in pairs], [b for _, b in pairs])
    return [float(p) for p in probs[:, model.labels.index("refutes")]]


def _stance_labels(claim: str, sentences: list[str], pool: Pool) -> list[str]:
    """'supports', 'refutes' or 'neither' for each sentence towards the claim, from the vectors
    the pool already holds (the question's and the stored sentences'): no encoder pass."""
    from assistant.stance import stance_scores

    known = {pool.question: pool.vector} | {h.sentence.text: pool.vectors[h.sentence.id] for h in pool.hits}
    if claim not in known:
        known[claim] = pool.vector

    def encode(texts: list[str]) -> np.ndarray:
        return np.stack([known[t] for t in texts])

    out = []
    for scores in stance_scores([(claim, [s]) for s in sentences], encode):
        label, p = max(scores.items(), key=lambda kv: kv[1])
        out.append({"agree": "supports", "disagree": "refutes"}.get(label, "neither") if p >= 0.5 else "neither")
    return out


def _recorded_sources(folder: Path) -> list[str]:
    """The sources an index was built from, as its manifest lists them (the default corpus
    where the manifest cannot be read or names nothing that still exists)."""
    from corpus import DEFAULT_CORPUS

    version = library.current_version(folder)
    try:
        sources = json.loads((version / "manifest.json").read_text(encoding="utf-8")).get("sources", [])
    except (OSError, ValueError, TypeError, AttributeError):
        sources = []
    sources = [s for s in sources if "://" in s or Path(s).exists()]
    return sources or [str(DEFAULT_CORPUS)]


def _read(sources: list[str]):
    from corpus import read_sources

    return read_sources(sources)


def _source_key(source: str) -> str:
    return source if "://" in source else str(Path(source).resolve())


def _checked_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise AssistantError("the question is empty: type a question about the articles")
    if len(question) > MAX_QUESTION_CHARS:
        raise AssistantError(f"the question is too long ({len(question):,} characters; "
                             f"at most {MAX_QUESTION_CHARS:,})")
    if "\x00" in question:
        raise AssistantError("the question contains a NUL character")
    if not any(ch.isalnum() for ch in question):
        raise AssistantError("the question has no words: type a question about the articles")
    return " ".join(question.split())


def _checked_date(value: str | None, name: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return dateparser.parse(value).date().isoformat()
    except (ValueError, OverflowError, TypeError):
        raise AssistantError(f"{name} date {value!r} is not a date (try 2021-11-16)") from None
