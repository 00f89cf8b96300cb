"""SQuAD 2.0 (Rajpurkar et al., 2018) as one corpus: answer-sentence selection and answerability.

The dev set's 35 Wikipedia articles are split BY ARTICLE (never by question, so no
paragraph is on both sides): sorted by title, the articles at odd positions (1, 3, 5, ...)
are held out for evaluation and those at even positions (0, 2, 4, ...) are the training
half. The held-out articles are indexed together as ONE corpus and every question of
them is asked of it through `Assistant.ask`:

- rank-1 / top-5 (answerable questions): the first citation / one of the first five is
  a sentence holding a gold answer (its character span overlaps the answer's span in
  the same article); an abstention counts as a miss;
- answer-or-abstain accuracy (all questions): `answer.supported` equals answerable;
- the same rank figures for plain search (`Assistant.search(q, k, retriever=...)`),
  dense and hybrid, as baselines beside the full answer.

    articles = load_squad()                      # ../shared/data/squad2/dev-v2.0.json
    train, held_out = split(articles)
    assistant = open_index(Path("/tmp/squad-index"), held_out)
    result = score_squad(assistant, questions(held_out))
    result.summary()

An article's text is its paragraphs joined with a blank line (`article_text`), so every
answer has a well-defined character offset in the article (`SquadAnswer.start`), the
same text the index stores and cites offsets into.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from corpus.records import Article, article_id_for
from eval.data import dataset_dir
from eval.metrics import mean, percentile
from eval.report import text_table

if TYPE_CHECKING:
    from assistant import Assistant, Citation

log = logging.getLogger(__name__)

NAME = "squad2"
DEV_FILE = "dev-v2.0.json"
PARAGRAPH_SEPARATOR = "\n\n"
OUTLET = "Wikipedia"
BASELINES = ("dense", "hybrid")
TARGETS = {"rank1": 0.70, "top5": 0.90, "answer_or_abstain": 0.65}  # the product's, from the issue


class SquadFormatError(ValueError):
    """A file that is not SQuAD 2.0 JSON; the message names the file and the item."""


@dataclass(frozen=True)
class SquadAnswer:
    """A gold answer: its text and its character offset in the ARTICLE text (`article_text`)."""

    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class SquadQuestion:
    """One question; `answers` is empty when it is unanswerable (`answerable` False)."""

    id: str
    article_title: str
    question: str
    answerable: bool
    answers: list[SquadAnswer] = field(default_factory=list)


@dataclass(frozen=True)
class SquadArticle:
    """One Wikipedia article: its title (as in the data: 'Fresno,_California'), its paragraphs
    verbatim, and the questions asked of it (offsets into `article_text(article)`)."""

    title: str
    paragraphs: list[str]
    questions: list[SquadQuestion] = field(default_factory=list)


# loading -------------------------------------------------------------------------

def squad_file(path: Path | str | None = None) -> Path:
    """The dev file: `path` itself when it is a file, else found under the data folder `path`
    (or ../shared/data); DataMissing says where it was looked for."""
    if path is not None and Path(path).is_file():
        return Path(path)
    return dataset_dir(NAME, path, (DEV_FILE,)) / DEV_FILE


def _answer(context: str, offset: int, raw: Any, where: str) -> SquadAnswer:
    """An answer of a paragraph at article offset `offset`; its paragraph offset must hold its text."""
    try:
        text, start = raw["text"], int(raw["answer_start"])
    except (KeyError, TypeError, ValueError):
        raise SquadFormatError(f"{where}: an answer lacks 'text' or 'answer_start'") from None
    if not isinstance(text, str) or context[start:start + len(text)] != text:
        found = context.find(text) if isinstance(text, str) and text else -1
        if found < 0:
            raise SquadFormatError(f"{where}: answer {text!r} is not in its paragraph")
        log.debug("%s: answer %r found at %d, not at answer_start %d", where, text, found, start)
        start = found
    return SquadAnswer(text, offset + start)


def load_squad(path: Path | str | None = None) -> list[SquadArticle]:
    """The articles of a SQuAD 2.0 file (or of dev-v2.0.json under the data folder `path`), in file order."""
    file = squad_file(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SquadFormatError(f"{file}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise SquadFormatError(f"{file}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise SquadFormatError(f"{file}: not SQuAD JSON (no 'data' list at the top)")
    articles = []
    seen_titles: set[str] = set()
    for number, raw in enumerate(data["data"]):
        try:
            title = " ".join(str(raw["title"]).split())
            raw_paragraphs = list(raw["paragraphs"])
        except (KeyError, TypeError):
            raise SquadFormatError(f"{file}: data[{number}] lacks 'title' or 'paragraphs'") from None
        if not title or title in seen_titles:
            raise SquadFormatError(f"{file}: data[{number}]: title {title!r} is empty or repeated")
        seen_titles.add(title)
        paragraphs: list[str] = []
        found: list[SquadQuestion] = []
        offset = 0
        for p_number, paragraph in enumerate(raw_paragraphs):
            where = f"{file}: {title}, paragraph {p_number}"
            context = paragraph.get("context") if isinstance(paragraph, dict) else None
            if not isinstance(context, str) or not context.strip():
                raise SquadFormatError(f"{where}: 'context' is missing or empty")
            qas = paragraph.get("qas") or []
            if not isinstance(qas, list):
                raise SquadFormatError(f"{where}: 'qas' is not a list")
            for qa in qas:
                try:
                    qid, text = str(qa["id"]), " ".join(str(qa["question"]).split())
                    raw_answers = qa.get("answers") or []
                    impossible = bool(qa.get("is_impossible", not raw_answers))
                except (KeyError, TypeError, AttributeError):
                    raise SquadFormatError(f"{where}: a question lacks 'id' or 'question'") from None
                answers = [] if impossible else [_answer(context, offset, a, f"{where}, question {qid}")
                                                 for a in raw_answers]
                if not impossible and not answers:
                    raise SquadFormatError(f"{where}, question {qid}: answerable but no answer given")
                found.append(SquadQuestion(qid, title, text, not impossible, answers))
            paragraphs.append(context)
            offset += len(context) + len(PARAGRAPH_SEPARATOR)
        articles.append(SquadArticle(title, paragraphs, found))
    return articles


def article_text(article: SquadArticle) -> str:
    """The article's paragraphs, verbatim, joined with a blank line: what is indexed and cited."""
    return PARAGRAPH_SEPARATOR.join(article.paragraphs)


def questions(articles: Sequence[SquadArticle]) -> list[SquadQuestion]:
    """Every question of `articles`, article by article in file order."""
    return [q for a in articles for q in a.questions]


def split(articles: Sequence[SquadArticle]) -> tuple[list[SquadArticle], list[SquadArticle]]:
    """(train, held_out), by article: sorted by title, held-out = odd positions, train = even.

    Deterministic, independent of file order; a paragraph belongs to one article, so it
    is on one side only. With SQuAD 2.0 dev: 18 training articles, 17 held out.
    """
    ordered = sorted(articles, key=lambda a: a.title)
    return ordered[0::2], ordered[1::2]


def location_of(title: str) -> str:
    return f"squad2://{DEV_FILE}#{title}"


def article_id(title: str) -> str:
    """The indexed article id of the SQuAD article `title` (stable: derived from its location)."""
    return article_id_for(location_of(title))


def to_articles(articles: Sequence[SquadArticle]) -> list[Article]:
    """The articles as corpus records: outlet Wikipedia, no date, title with spaces for underscores."""
    return [Article(id=article_id(a.title), title=a.title.replace("_", " "), text=article_text(a),
                    outlet=OUTLET, location=location_of(a.title)) for a in articles]


# scoring -------------------------------------------------------------------------

def holds_answer(question: SquadQuestion, article: str, start: int, end: int) -> bool:
    """Some answer's [start, end) in the question's article overlaps the span [start, end) of `article`."""
    return article == article_id(question.article_title) and any(
        a.start < end and start < a.end for a in question.answers)


def is_answer_citation(question: SquadQuestion, citation: Citation) -> bool:
    """The citation is a sentence of the question's article whose span overlaps a gold answer."""
    source = citation.source
    return holds_answer(question, source.article_id, source.start, source.end)


def first_rank(flags: Sequence[bool]) -> int | None:
    """1-based position of the first True, None when there is none."""
    return next((rank for rank, flag in enumerate(flags, start=1) if flag), None)


@dataclass
class RankFigures:
    """Rank-1 and top-5 over the answerable questions of one ranking (an answer or a search)."""

    n: int
    rank1: float | None
    top5: float | None

    @classmethod
    def of(cls, ranks: Sequence[int | None]) -> RankFigures:
        return cls(len(ranks), _round(mean(float(r == 1) for r in ranks)),
                   _round(mean(float(r is not None and r <= 5) for r in ranks)))


@dataclass
class SquadOutcome:
    """One question as answered: did it answer, at which rank the first answer sentence was
    cited (None: not among the citations), and the same rank for each search baseline."""

    id: str
    article_title: str
    answerable: bool
    supported: bool
    rank: int | None
    latency_ms: float
    baseline_ranks: dict[str, int | None] = field(default_factory=dict)
    error: str = ""

    @property
    def correct_abstention(self) -> bool:
        return self.supported == self.answerable


@dataclass
class SquadResult:
    """The figures of one run; `summary()` is the JSON the bench writes."""

    n: int
    answerable: int
    unanswerable: int
    k: int
    rank1: float | None  # over answerable questions; an abstention is a miss
    top5: float | None
    rank1_when_supported: float | None  # over answerable questions the assistant answered
    top5_when_supported: float | None
    answer_or_abstain: float | None  # over all questions
    answer_or_abstain_answerable: float | None  # = share of answerable questions answered
    answer_or_abstain_unanswerable: float | None  # = share of unanswerable questions abstained on
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    baselines: dict[str, RankFigures]
    seconds: float
    outcomes: list[SquadOutcome] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, Any]:
        """The figures without the per-question outcomes."""
        record = asdict(self)
        record.pop("outcomes")
        return record


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def search_ranks(assistant: Assistant, question: SquadQuestion, retriever: str, k: int = 5) -> int | None:
    """Rank of the first answer sentence among `assistant.search(question, k, retriever=...)`."""
    hits = assistant.search(question.question, k, retriever=retriever)
    return first_rank([holds_answer(question, h.sentence.article_id, h.sentence.start, h.sentence.end)
                       for h in hits])


def baseline_ranks(assistant: Assistant, questions: Sequence[SquadQuestion], retriever: str, *, k: int = 5,
                   progress: bool = True) -> dict[str, int | None]:
    """{question id: rank of the first answer sentence in plain search with `retriever`}, answerable questions only."""
    answerable = [q for q in questions if q.answerable]
    return {q.id: search_ranks(assistant, q, retriever, k)
            for q in tqdm(answerable, desc=f"squad search ({retriever})", unit="q", disable=not progress,
                          leave=False)}


def search_baseline(assistant: Assistant, questions: Sequence[SquadQuestion], retriever: str, *,
                    k: int = 5, progress: bool = True) -> RankFigures:
    """Rank-1 and top-5 of plain search with `retriever` over the answerable `questions`."""
    return RankFigures.of(list(baseline_ranks(assistant, questions, retriever, k=k, progress=progress).values()))


def score_squad(assistant: Assistant, questions: Sequence[SquadQuestion], *, k: int = 5, progress: bool = True,
                baselines: Sequence[str] = BASELINES) -> SquadResult:
    """Ask every question (`assistant.ask(q, k=k)`), score it, and run the search `baselines`.

    A question the engine refuses (AssistantError) counts as an abstention with its error
    recorded. One untimed question is asked first so that loading does not count in latency.
    """
    from assistant import AssistantError

    started = time.perf_counter()
    if questions:
        assistant.ask(questions[0].question, k=k)
    outcomes = []
    for q in tqdm(questions, desc="squad (ask)", unit="q", disable=not progress, leave=False):
        t0 = time.perf_counter()
        try:
            answer = assistant.ask(q.question, k=k)
        except AssistantError as exc:
            log.warning("%s: the assistant refused the question: %s", q.id, exc)
            outcomes.append(SquadOutcome(q.id, q.article_title, q.answerable, False, None, 0.0, error=str(exc)))
            continue
        latency = (time.perf_counter() - t0) * 1000.0
        rank = first_rank([is_answer_citation(q, c) for c in answer.citations]) if answer.supported else None
        outcomes.append(SquadOutcome(q.id, q.article_title, q.answerable, answer.supported, rank, latency))
    by_id = {o.id: o for o in outcomes}
    figures = {}
    for retriever in baselines:
        ranks = baseline_ranks(assistant, questions, retriever, k=5, progress=progress)
        for qid, rank in ranks.items():
            by_id[qid].baseline_ranks[retriever] = rank
        figures[retriever] = RankFigures.of(list(ranks.values()))
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    answered = [o for o in answerable if o.supported]
    overall = RankFigures.of([o.rank for o in answerable])
    when_supported = RankFigures.of([o.rank for o in answered])
    latencies = [o.latency_ms for o in outcomes if not o.error]
    return SquadResult(
        n=len(outcomes), answerable=len(answerable), unanswerable=len(unanswerable), k=k,
        rank1=overall.rank1, top5=overall.top5,
        rank1_when_supported=when_supported.rank1, top5_when_supported=when_supported.top5,
        answer_or_abstain=_round(mean(float(o.correct_abstention) for o in outcomes)),
        answer_or_abstain_answerable=_round(mean(float(o.correct_abstention) for o in answerable)),
        answer_or_abstain_unanswerable=_round(mean(float(o.correct_abstention) for o in unanswerable)),
        latency_ms_p50=_round(percentile(latencies, 50), 2), latency_ms_p95=_round(percentile(latencies, 95), 2),
        baselines=figures, seconds=round(time.perf_counter() - started, 2), outcomes=outcomes)


# the index -----------------------------------------------------------------------

# What an index folder holds (index/library.py): versions, the `current` link, the lock, the sources list.
INDEX_ENTRIES = ("v-", ".current", ".lock", "current", "sources.json")


def open_index(index_dir: Path, articles: Sequence[SquadArticle], *, progress: bool = True,
               rebuild: bool = False) -> Assistant:
    """One index of `articles` in `index_dir`, built once and reused while the articles are the same.

    A JSON note beside the folder (`<index_dir>.json`) records the indexed articles'
    fingerprints; when it matches and the engine can read the index, it is opened as is;
    otherwise the folder is rebuilt (refused, untouched, if it holds anything but an index).
    """
    from assistant import Assistant, AssistantError

    records = to_articles(articles)
    wanted = {"articles": {a.id: a.fingerprint for a in records}}
    note = index_dir.with_name(index_dir.name + ".json")
    if not rebuild and note.is_file():
        try:
            same = json.loads(note.read_text(encoding="utf-8")) == wanted
        except (OSError, ValueError):
            same = False
        if same:
            try:
                assistant = Assistant.open(index_dir, refresh=False)
            except AssistantError as exc:
                log.warning("the SQuAD index at %s cannot be reused (%s): rebuilding it", index_dir, exc)
            else:
                if assistant.index is not None:
                    log.info("reusing the SQuAD index at %s", index_dir)
                    return assistant
    if index_dir.is_dir():
        other = [p.name for p in index_dir.iterdir() if not p.name.startswith(INDEX_ENTRIES)]
        if other:
            raise ValueError(f"{index_dir} holds files that are not an index ({other[0]}): choose another folder")
        shutil.rmtree(index_dir)
    note.unlink(missing_ok=True)
    index_dir.mkdir(parents=True)
    log.info("indexing %d SQuAD articles into %s", len(records), index_dir)
    assistant = Assistant(index_dir, load=False)
    report = assistant.ingest_articles(records, progress=progress, rebuild=True)
    if report.duplicates or report.rejected:
        log.warning("SQuAD: %d articles skipped as duplicates, %d rejected",
                    len(report.duplicates), len(report.rejected))
    note.write_text(json.dumps(wanted) + "\n", encoding="utf-8")
    return assistant


# one run, as the bench and `assistant eval --squad` make it ---------------------------

@dataclass
class HeldOutRun:
    """The held-out half of a SQuAD file asked of one index of it: what was indexed and the result."""

    data: str  # the SQuAD file
    held_out: list[str]  # article titles
    paragraphs: int
    sentences: int  # indexed
    index_seconds: float  # to build or reopen the index
    limit: int | None
    result: SquadResult

    def summary(self) -> dict[str, Any]:
        return {"data": self.data, "held_out": self.held_out, "paragraphs": self.paragraphs,
                "sentences": self.sentences, "index_seconds": self.index_seconds, "limit": self.limit,
                "targets": TARGETS, **self.result.summary()}

    def describe(self) -> str:
        """What was indexed and asked, one line."""
        r = self.result
        return (f"SQuAD 2.0 held-out: {len(self.held_out)} articles, {self.paragraphs} paragraphs, {self.sentences} "
                f"sentences indexed (ready in {self.index_seconds:.1f} s); {r.n} questions asked "
                f"({r.answerable} answerable), k={r.k}")

    def report(self) -> str:
        """The table (the answer beside the search baselines and the targets) and the finer figures."""
        r = self.result
        rows = [["assistant.ask (answer)", r.rank1, r.top5, r.answer_or_abstain]]
        rows += [[f"search, {name} only", f.rank1, f.top5, "-"] for name, f in r.baselines.items()]
        rows.append(["target", TARGETS["rank1"], TARGETS["top5"], TARGETS["answer_or_abstain"]])
        return "\n".join([
            text_table(["", "rank-1", "top-5", "answer-or-abstain"], rows),
            f"answer-or-abstain: answerable {r.answer_or_abstain_answerable} (answered), unanswerable "
            f"{r.answer_or_abstain_unanswerable} (abstained); when it answers: rank-1 {r.rank1_when_supported}, "
            f"top-5 {r.top5_when_supported}",
            f"ask latency p50 {r.latency_ms_p50} ms, p95 {r.latency_ms_p95} ms; {r.seconds:.1f} s in all"])


def run_held_out(index_dir: Path, data: Path | str | None = None, *, limit: int | None = None, k: int = 5,
                 progress: bool = True, rebuild: bool = False) -> HeldOutRun:
    """Load the SQuAD file, index its held-out articles in `index_dir` (reused when unchanged),
    ask their questions (the first `limit`) and score them. Raises DataMissing,
    SquadFormatError or ValueError (a folder that is not an index) with a one-line message."""
    file = squad_file(data)
    _, held_out = split(load_squad(file))
    asked = questions(held_out)[:limit] if limit else questions(held_out)
    started = time.perf_counter()
    assistant = open_index(Path(index_dir), held_out, progress=progress, rebuild=rebuild)
    index_seconds = time.perf_counter() - started
    result = score_squad(assistant, asked, k=k, progress=progress)
    return HeldOutRun(str(file), [a.title for a in held_out], sum(len(a.paragraphs) for a in held_out),
                      assistant.index.manifest.sentences, round(index_seconds, 2), limit, result)
