"""The HTTP JSON API over the assistant (FastAPI).

    uvicorn: `assistant serve` (127.0.0.1:8000); in code: `create_app(index_dir)`.

POST /ask returns exactly the JSON of `assistant ask --json` plus `conversation_id`;
a follow-up sends that id back. GET /answers/{id}/card is the answer as an HTML
fragment with inline styles and every piece of article text escaped. The engine is
not thread-safe, so every call into the reading assistant holds one lock.

POST /ingest validates what it is sent at once (all or nothing) and answers 202 with a
job; the job runs in one background thread with an assistant of its own that writes a
new index version, while /ask keeps answering from the current one. Before each request
the reading assistant follows a newer `current` version (made by a job or by another
process): one readlink when nothing changed. GET /jobs/{id} follows a job.

Bad requests get a 4xx with a one-line `detail` (422s also list `errors`), every status
and body the server can answer is declared in the OpenAPI schema, and nothing answers
with a traceback.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
import typing
import uuid
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    create_model,
)
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import Answer, Assistant, AssistantError, Conversation, Dispute, SourceInfo
from assistant.api import MAX_QUESTION_CHARS
from assistant.lifecycle import follow_current
from briefing.html import CSP, answer_card
from corpus.records import Article
from corpus.upload import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES
from server.ingest import IngestInputError, articles_from_records, articles_from_upload, check_upload

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_FILES = 20
MAX_CONVERSATIONS = 1000
MAX_TURNS = 50
MAX_ANSWERS = 2000
MAX_TEXT_CHARS = 2_000_000
MAX_JOBS = 200  # finished jobs kept for GET /jobs/{id}


# --- request and response models ----------------------------------------------------------

def _plain(value: str) -> str:
    """Refuse text no article or question holds: NUL and unpaired surrogates."""
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("contains an unpaired surrogate (not valid Unicode text)")
    return value


def bounded(min_length: int = 0, max_length: int = 1000, pattern: str | None = None) -> Any:
    """A string field type: length-checked, then free of NUL and surrogates."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern),
                     AfterValidator(_plain)]


# ISO dates only ("2021-11-16"; a publication time may follow for articles), so the schema
# says exactly which strings the server takes.
def _iso_text(value: Any) -> Any:
    """Dates come as ISO 8601 text only (not numbers, not other spellings)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                                                      r"(Z|[+-]\d{2}:\d{2})?)?", value):
        raise ValueError("must be an ISO 8601 date such as 2021-11-16 (or a date-time for `published`)")
    return value


Day = Annotated[date, BeforeValidator(_iso_text)]
Published = Annotated[date | datetime, BeforeValidator(_iso_text)]


def _has_words(value: str) -> str:
    if not any(ch.isalnum() for ch in value):
        raise ValueError("has no words (only spaces, punctuation or symbols)")
    return value


Question = Annotated[bounded(1, MAX_QUESTION_CHARS), AfterValidator(_has_words),
                     Field(json_schema_extra={"pattern": r"[^\W_]"},
                           description="a question about the articles, with at least one letter or digit")]


class Filters(BaseModel):
    """Which articles may answer: outlets or titles, and a publication date range."""

    model_config = ConfigDict(extra="forbid")
    sources: list[bounded(1, 300)] | None = Field(
        None, max_length=50, description="only these outlets (or article titles)")
    since: Day | None = Field(None, description="published on or after, e.g. 2021-11-16")
    until: Day | None = Field(None, description="published on or before")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: Question
    filters: Filters = Field(default_factory=Filters)
    k: int = Field(5, ge=1, le=50, description="number of citations")
    conversation_id: bounded(1, 64, r"^[A-Za-z0-9_-]+$") | None = Field(
        None, description="the conversation_id of an earlier answer, to ask a follow-up")


class ArticleIn(BaseModel):
    """One article to add; the same fields as a line of a .jsonl file."""

    model_config = ConfigDict(extra="forbid")
    title: bounded(1, 1000)
    text: bounded(1, MAX_TEXT_CHARS)
    outlet: bounded(0, 300) | None = None
    author: bounded(0, 300) | None = None
    published: Published | None = Field(None, description="ISO 8601 date or date-time")
    url: bounded(1, 2000, r"^https?://\S+$") | None = None
    id: bounded(1, 100, r"^[A-Za-z0-9._:-]+$") | None = None


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[ArticleIn] = Field(min_length=1, max_length=500)


class IngestReportOut(BaseModel):
    """What an ingest did (the `assistant ingest` report) and how many articles are indexed now."""

    added: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: int
    duplicates: list[str]
    rejected: list[str]
    sentences_embedded: int
    seconds: float
    articles: int = Field(description="articles in the index now")


class Progress(BaseModel):
    done: int = Field(description="sentences embedded so far")
    total: int = Field(description="sentences to embed (0 until known)")


class Job(BaseModel):
    """A background ingest: POST /ingest answers with one, GET /jobs/{id} follows it."""

    id: str
    status: Literal["queued", "running", "done", "failed"]
    articles: int = Field(description="articles sent")
    submitted: str
    started: str | None
    finished: str | None
    progress: Progress
    report: IngestReportOut | None = Field(description="when done: what the ingest did")
    error: str | None = Field(description="when failed: why, in one line")


class Health(BaseModel):
    status: str
    articles: int
    sentences: int
    disputes: int
    claims_module: bool = Field(description="whether disputes are being found at ingest")


class Problem(BaseModel):
    detail: str = Field(description="what is wrong, in one line")


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(BaseModel):
    detail: str = Field(description="what is wrong, in one line")
    errors: list[FieldError] = Field(description="each invalid part of the request")


# The answer's schema, derived from the engine's own record so the two cannot drift apart.
AskResponse = create_model(
    "AskResponse",
    **{f.name: (typing.get_type_hints(Answer)[f.name], ...) for f in fields(Answer)},
    conversation_id=(str, Field(description="send it back with a follow-up question")),
)
JSON_PROBLEM = {"model": Problem, "description": "refused; `detail` says why"}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: JSON_PROBLEM, 413: JSON_PROBLEM,
    422: {"model": ValidationProblem, "description": "invalid request; `errors` lists each invalid part"}}
# For routes whose own response is not JSON (FastAPI would give a `model` their media type).
INVALID_JSON = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationProblem"}}},
                "description": "invalid request or content; `detail` names the item and the problem"}
UPLOAD_ERRORS = {413: JSON_PROBLEM, 415: JSON_PROBLEM, 422: INVALID_JSON}


# --- the engine: one reading assistant behind a lock, ingest jobs in the background ----------

def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class IngestJob:
    id: str
    articles: list[Article]
    count: int = 0
    status: str = "queued"
    submitted: str = field(default_factory=_now)
    started: str | None = None
    finished: str | None = None
    done: int = 0
    total: int = 0
    report: dict[str, Any] | None = None
    error: str | None = None

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "articles": self.count, "submitted": self.submitted,
                "started": self.started, "finished": self.finished,
                "progress": {"done": self.done, "total": self.total}, "report": self.report, "error": self.error}


class Engine:
    """The reading assistant, its conversations and recent answers (one caller at a time),
    and a queue of ingest jobs run one after another by a writer of their own."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.lock = threading.Lock()
        self.conversations: OrderedDict[str, Conversation] = OrderedDict()
        self.answers: OrderedDict[str, Answer] = OrderedDict()
        self.jobs: OrderedDict[str, IngestJob] = OrderedDict()
        self._jobs_lock = threading.Lock()
        self._queue: queue.Queue[IngestJob | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    def _current(self) -> Assistant:
        """The reading assistant, on the newest version (call with self.lock held)."""
        follow_current(self.assistant)
        return self.assistant

    def ask(self, request: AskRequest) -> tuple[Answer, str]:
        with self.lock:
            assistant = self._current()
            if request.conversation_id:
                conversation = self.conversations.get(request.conversation_id)
                if conversation is None:
                    raise HTTPException(404, f"unknown conversation_id {request.conversation_id!r}: "
                                             "leave it out to start a new conversation")
                self.conversations.move_to_end(request.conversation_id)
            else:
                conversation = assistant.conversation()
                self.conversations[conversation.id] = conversation
                while len(self.conversations) > MAX_CONVERSATIONS:
                    self.conversations.popitem(last=False)
            f = request.filters
            answer = conversation.ask(request.question, k=request.k, sources=f.sources or None,
                                      since=f.since.isoformat() if f.since else None,
                                      until=f.until.isoformat() if f.until else None)
            del conversation.turns[:-MAX_TURNS]
            self.answers[answer.id] = answer
            while len(self.answers) > MAX_ANSWERS:
                self.answers.popitem(last=False)
            return answer, conversation.id

    def answer(self, answer_id: str) -> Answer:
        with self.lock:
            found = self.answers.get(answer_id)
        if found is None:
            raise HTTPException(404, f"no answer {answer_id!r} here: cards exist for the last {MAX_ANSWERS} "
                                     "answers this server gave since it started")
        return found

    def sources(self) -> list[SourceInfo]:
        with self.lock:
            return self._current().sources()

    def disputes(self) -> list[Dispute]:
        with self.lock:
            return self._current().disputes()

    # ingest jobs -----------------------------------------------------------------------------
    def submit(self, articles: list[Article]) -> dict[str, Any]:
        """Queue an ingest of `articles`; it runs in the background."""
        job = IngestJob(id=uuid.uuid4().hex[:16], articles=articles, count=len(articles))
        with self._jobs_lock:
            self.jobs[job.id] = job
            finished = [j for j in self.jobs.values() if j.status in ("done", "failed")]
            for old in finished[:max(0, len(finished) - MAX_JOBS)]:
                del self.jobs[old.id]
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="ingest-jobs", daemon=True)
                self._worker.start()
        self._queue.put(job)
        return job.view()

    def job(self, job_id: str) -> dict[str, Any]:
        with self._jobs_lock:
            job = self.jobs.get(job_id)
            if job is None:
                raise HTTPException(404, f"no ingest job {job_id!r} here: jobs are kept while the server runs "
                                         f"(the last {MAX_JOBS} finished ones)")
            return job.view()

    def wait(self, job_id: str, timeout: float = 600) -> dict[str, Any]:
        """The job once it has finished (for tests and scripts in this process)."""
        deadline = time.monotonic() + timeout
        while (view := self.job(job_id))["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
        return view

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            self._run(job)

    def _run(self, job: IngestJob) -> None:
        job.status, job.started = "running", _now()

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        writer = Assistant(self.assistant.folder, self.assistant.encoder, load=False)
        try:
            report = writer.ingest_articles(job.articles, progress=False, on_progress=progress)
            total = writer.index.manifest.articles if writer.index is not None else 0
            job.report = {**asdict(report), "articles": total}
            job.status = "done"
            log.info("ingest job %s: %d added, %d updated, %d duplicates", job.id, len(report.added),
                     len(report.updated), len(report.duplicates))
        except AssistantError as exc:
            job.error, job.status = str(exc), "failed"
        except Exception as exc:  # noqa: BLE001 - a job's failure is reported by the job, not the thread
            log.error("ingest job %s failed", job.id, exc_info=exc)
            job.error, job.status = f"internal error ({type(exc).__name__}); the server log has the details", \
                "failed"
        finally:
            if writer.index is not None:
                writer.index.close()  # the readers follow the new version on their own
            job.articles = []  # kept only until it has run
            job.finished = _now()

    def health(self) -> dict[str, Any]:
        with self.lock:
            reader = self._current()
            sources = reader.sources()
            disputes = len(reader.disputes())
        try:
            import assistant.enrich  # noqa: F401
            claims = True
        except ImportError:
            claims = False
        return {"status": "ok", "articles": len(sources), "sentences": sum(s.sentences for s in sources),
                "disputes": disputes, "claims_module": claims}


# --- request size limit --------------------------------------------------------------------------

class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body too large (at most {limit // (1024 * 1024)} MB)")


class BodyLimit:
    """Refuse bodies over `max_bytes` with 413: by Content-Length at once; a body sent without
    one (chunked) is read here first, up to the limit, and handed on only if it fits, so every
    route answers 413 alike (FastAPI's own body reading would turn the error into a 400).

    Before answering 413 the rest of the body is read and dropped (up to a few times the
    limit), so the client gets to read the answer instead of a reset connection."""

    DRAIN_FACTOR = 4

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def _drain(self, receive: Receive, already: int) -> None:
        seen = already
        while seen <= self.max_bytes * self.DRAIN_FACTOR:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return
            seen += len(message.get("body", b""))

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
        response = JSONResponse({"detail": detail}, status_code=status, headers={"Connection": "close"})
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await self._refuse(scope, receive, send, 400, "Content-Length is not a number")
            elif int(length) > self.max_bytes:
                if int(length) <= self.max_bytes * self.DRAIN_FACTOR:
                    await self._drain(receive, 0)
                await self._refuse(scope, receive, send, 413, str(BodyTooLarge(self.max_bytes)))
            else:
                await self.app(scope, receive, send)
            return
        if b"chunked" not in headers.get(b"transfer-encoding", b"").lower():
            await self.app(scope, receive, send)  # no body
            return
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_bytes:
                if message.get("more_body", False):
                    await self._drain(receive, seen)
                await self._refuse(scope, receive, send, 413, str(BodyTooLarge(self.max_bytes)))
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay, send)


# --- the app -------------------------------------------------------------------------------------------

def _one_line_errors(errors: list[dict]) -> str:
    parts = []
    for err in errors[:5]:
        if err.get("type") == "json_invalid":
            parts.append(f"the body is not valid JSON ({err.get('ctx', {}).get('error', 'decode error')})")
            continue
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


def _inline_refs(schema: dict) -> dict:
    """A pydantic JSON schema with its $defs put in place (for an OpenAPI requestBody)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


INGEST_BODY = {"requestBody": {"required": True, "description": (
    f"at most {MAX_BODY_BYTES // 2**20} MB in all; all or nothing: one unreadable file or invalid article "
    "refuses the request"), "content": {
    "application/json": {"schema": _inline_refs(IngestRequest.model_json_schema())},
    "multipart/form-data": {"schema": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1,
                      "maxItems": MAX_FILES,
                      "description": f"{', '.join(UPLOAD_SUFFIXES)} files (by file name), at most "
                                     f"{MAX_UPLOAD_BYTES // 2**20} MB each, read as `assistant ingest` reads "
                                     "them; another type is refused with 415"},
            "articles": {"type": "string", "contentMediaType": "application/json",
                         "description": "a JSON list of articles (the JSON form's items)"},
        }}},
}}}


def create_app(index_dir: Path | None = None, *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The API over the index in `index_dir` (None: the default index, built on first use)."""
    engine = Engine(Assistant.open(index_dir))
    engine.assistant.encoder.encode(["warm up"])  # load the model now: the first question is not slow
    # /docs (Swagger UI) and /redoc load their scripts and styles from this app (the fastapi-offline
    # package's copies under /static-offline-docs), never from a CDN, so they work offline.
    app = FastAPIOffline(title="News assistant API", version="0.1.0", description=(
        "Cited, extractive answers from news articles: every answer is quoted from the sources, "
        "and where sources disagree both sides are shown. Nothing is written by a model."))
    app.state.engine = engine
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)

    @app.exception_handler(AssistantError)
    async def user_error(request: Request, exc: AssistantError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(IngestInputError)
    async def bad_upload(request: Request, exc: IngestInputError) -> JSONResponse:
        body: dict[str, Any] = {"detail": str(exc)}
        if exc.status == 422:
            body["errors"] = [{"loc": ["body"], "msg": str(exc), "type": "value_error"}]
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's words for a JSON body that is not UTF-8: say it as for any other bad JSON.
            detail = "the body is not valid JSON (it must be UTF-8 text)"
            return JSONResponse({"detail": detail, "errors": [{"loc": ["body"], "msg": detail,
                                                               "type": "json_invalid"}]}, status_code=422)
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=413, headers={"Connection": "close"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        detail = _one_line_errors([{**e, "ctx": {k: str(v) for k, v in (x.get("ctx") or {}).items()}}
                                   for e, x in zip(errors, exc.errors())])
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)

    @app.get("/health", response_model=Health, summary="Is the server up, and what does its index hold")
    def health() -> dict[str, Any]:
        return engine.health()

    @app.post("/ask", response_model=AskResponse,
              responses={**ERRORS, 404: {**JSON_PROBLEM, "description": "unknown conversation_id"}},
              summary="Answer a question with quoted, cited sentences (from the newest index version)")
    def ask(request: AskRequest) -> JSONResponse:
        answer, conversation_id = engine.ask(request)
        return JSONResponse({**answer.to_dict(), "conversation_id": conversation_id})

    @app.get("/sources", response_model=list[SourceInfo], summary="The indexed articles")
    def sources() -> JSONResponse:
        return JSONResponse([asdict(s) for s in engine.sources()])

    @app.get("/disputes", response_model=list[Dispute], summary="Every disagreement found in the corpus")
    def disputes() -> JSONResponse:
        return JSONResponse([asdict(d) for d in engine.disputes()])

    @app.get("/answers/{answer_id}/card", response_class=HTMLResponse,
             responses={200: {"content": {"text/html": {"schema": {"type": "string"}}},
                              "description": "an HTML fragment"},
                        404: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                              "description": "no such answer (any more)"},
                        422: INVALID_JSON},
             summary="An answer as an embeddable HTML card (inline styles, no scripts, text escaped)")
    def card(answer_id: Annotated[str, PathParam(min_length=1, max_length=64)]) -> HTMLResponse:
        html = answer_card(engine.answer(answer_id))
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"})

    @app.post("/ingest", status_code=202, response_model=Job, openapi_extra=INGEST_BODY,
              responses={400: JSON_PROBLEM, **UPLOAD_ERRORS},
              summary="Add articles in the background: JSON {articles: [...]} or a multipart upload of files; "
                      "answers with a job to follow at /jobs/{id}")
    async def ingest(request: Request) -> JSONResponse:
        articles = await _read_ingest(request)
        job = engine.submit(articles)
        return JSONResponse(job, status_code=202, headers={"Location": f"/jobs/{job['id']}"})

    @app.get("/jobs/{job_id}", response_model=Job, responses={404: JSON_PROBLEM, 422: ERRORS[422]},
             summary="An ingest job: queued, running (with progress), done (with its report) or failed")
    def job(job_id: Annotated[str, PathParam(min_length=1, max_length=64)]) -> JSONResponse:
        return JSONResponse(engine.job(job_id))

    return app


def _records(raw: bytes | str, where: str) -> list[dict]:
    """Validated article records (JSON-ready: dates as ISO strings)."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise IngestInputError(f"{where} is not valid JSON ({getattr(err, 'msg', err)})") from None
    if isinstance(data, list):
        data = {"articles": data}
    try:
        body = IngestRequest.model_validate(data)
    except ValidationError as err:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in err.errors()]
        raise IngestInputError(f"{where}: {_one_line_errors(errors)}") from None
    return [a.model_dump(mode="json") for a in body.articles]


async def _read_ingest(request: Request) -> list[Article]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        return articles_from_records(_records(await request.body(), "the JSON body"))
    if content_type != "multipart/form-data":
        raise IngestInputError("send application/json ({\"articles\": [...]}) or multipart/form-data "
                               "(files, and/or an 'articles' JSON field)", 415)
    form = await request.form(max_files=MAX_FILES, max_fields=10, max_part_size=MAX_BODY_BYTES)
    try:
        articles: list[Article] = []
        for key, value in form.multi_items():
            if key == "articles":
                text = value if isinstance(value, str) else (await value.read()).decode("utf-8", "replace")
                articles += articles_from_records(_records(text, "the 'articles' field"))
            elif key == "files":
                if isinstance(value, str):
                    raise IngestInputError("'files' must be uploaded files, not a text field")
                check_upload(value.filename, value.size or 0)
                data = await value.read()
                articles += await run_in_threadpool(articles_from_upload, value.filename, data)
            else:
                raise IngestInputError(f"unknown form field {key[:50]!r}: send 'files' and/or 'articles'")
    finally:
        await form.close()
    if not articles:
        raise IngestInputError("nothing to ingest: send 'files' and/or 'articles'")
    return articles
