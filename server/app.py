"""The HTTP JSON API over the assistant (FastAPI).

    uvicorn: `assistant serve` (127.0.0.1:8000); in code: `create_app(index_dir)`.

POST /ask returns exactly the JSON of `assistant ask --json` plus `conversation_id`;
a follow-up sends that id back. GET /answers/{id}/card is the answer as an HTML
fragment with inline styles and every piece of article text escaped. The engine is
not thread-safe, so every call into it holds one lock; bad requests get a 4xx with a
one-line `detail`, and nothing answers with a traceback.
"""

from __future__ import annotations

import json
import logging
import threading
import typing
from collections import OrderedDict
from dataclasses import asdict, fields
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import Answer, Assistant, AssistantError, Conversation, Dispute, SourceInfo
from assistant.api import MAX_QUESTION_CHARS
from briefing.html import CSP, answer_card
from corpus.records import Article
from server.ingest import IngestInputError, articles_from_records, articles_from_upload

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_FILES = 20
MAX_CONVERSATIONS = 1000
MAX_TURNS = 50
MAX_ANSWERS = 2000
MAX_TEXT_CHARS = 2_000_000


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


DateText = bounded(max_length=40)


class Filters(BaseModel):
    """Which articles may answer: outlets or titles, and a publication date range."""

    model_config = ConfigDict(extra="forbid")
    sources: list[bounded(1, 300)] | None = Field(
        None, max_length=50, description="only these outlets (or article titles)")
    since: DateText | None = Field(None, description="published on or after, e.g. 2021-11-16")
    until: DateText | None = Field(None, description="published on or before")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: bounded(1, MAX_QUESTION_CHARS)
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
    published: DateText | None = Field(None, description="ISO date or datetime")
    url: bounded(1, 2000, r"^https?://\S+$") | None = None
    id: bounded(1, 100, r"^[A-Za-z0-9._:-]+$") | None = None


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[ArticleIn] = Field(min_length=1, max_length=500)


class IngestResponse(BaseModel):
    added: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: int
    duplicates: list[str]
    rejected: list[str]
    sentences_embedded: int
    seconds: float
    articles: int = Field(description="articles in the index now")


class Health(BaseModel):
    status: str
    articles: int
    sentences: int
    disputes: int
    claims_module: bool = Field(description="whether disputes are being found at ingest")


class Problem(BaseModel):
    detail: str


# The answer's schema, derived from the engine's own record so the two cannot drift apart.
AskResponse = create_model(
    "AskResponse",
    **{f.name: (typing.get_type_hints(Answer)[f.name], ...) for f in fields(Answer)},
    conversation_id=(str, Field(description="send it back with a follow-up question")),
)
ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": Problem}, 422: {"model": Problem}}


# --- the engine, behind one lock ---------------------------------------------------------------

class Engine:
    """The assistant, its conversations and its recent answers; one caller at a time."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.lock = threading.Lock()
        self.conversations: OrderedDict[str, Conversation] = OrderedDict()
        self.answers: OrderedDict[str, Answer] = OrderedDict()

    def ask(self, request: AskRequest) -> tuple[Answer, str]:
        with self.lock:
            if request.conversation_id:
                conversation = self.conversations.get(request.conversation_id)
                if conversation is None:
                    raise HTTPException(404, f"unknown conversation_id {request.conversation_id!r}: "
                                             "leave it out to start a new conversation")
                self.conversations.move_to_end(request.conversation_id)
            else:
                conversation = self.assistant.conversation()
                self.conversations[conversation.id] = conversation
                while len(self.conversations) > MAX_CONVERSATIONS:
                    self.conversations.popitem(last=False)
            f = request.filters
            answer = conversation.ask(request.question, k=request.k, sources=f.sources or None,
                                      since=f.since, until=f.until)
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
            return self.assistant.sources()

    def disputes(self) -> list[Dispute]:
        with self.lock:
            return self.assistant.disputes()

    def ingest(self, articles: list[Article]) -> dict[str, Any]:
        with self.lock:
            report = self.assistant.ingest_articles(articles, progress=False)
            total = len(self.assistant.sources())
        log.info("ingested via API: %d added, %d updated, %d duplicates", len(report.added),
                 len(report.updated), len(report.duplicates))
        return {**asdict(report), "articles": total}

    def health(self) -> dict[str, Any]:
        with self.lock:
            sources = self.assistant.sources()
            disputes = len(self.assistant.disputes())
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
    """Refuse bodies over `max_bytes`: by Content-Length at once, else while they stream in.

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            if length.isdigit():
                status, detail = 413, str(BodyTooLarge(self.max_bytes))
                if int(length) <= self.max_bytes * self.DRAIN_FACTOR:
                    await self._drain(receive, 0)
            else:
                status, detail = 400, "Content-Length is not a number"
            response = JSONResponse({"detail": detail}, status_code=status, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    if message.get("more_body", False):
                        await self._drain(receive, seen)
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited, send)


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


INGEST_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": _inline_refs(IngestRequest.model_json_schema())},
    "multipart/form-data": {"schema": {
        "type": "object",
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": MAX_FILES,
                      "description": ".md, .txt, .html or .jsonl files, read as `assistant ingest` reads them"},
            "articles": {"type": "string", "description": "a JSON list of articles (the JSON form's items)"},
        }}},
}}}


def create_app(index_dir: Path | None = None, *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The API over the index in `index_dir` (None: the default index, built on first use)."""
    engine = Engine(Assistant.open(index_dir))
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
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

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

    @app.post("/ask", response_model=AskResponse, responses={**ERRORS, 404: {"model": Problem}},
              summary="Answer a question with quoted, cited sentences")
    def ask(request: AskRequest) -> JSONResponse:
        answer, conversation_id = engine.ask(request)
        return JSONResponse({**answer.to_dict(), "conversation_id": conversation_id})

    @app.get("/sources", response_model=list[SourceInfo], summary="The indexed articles")
    def sources() -> JSONResponse:
        return JSONResponse([asdict(s) for s in engine.sources()])

    @app.get("/disputes", response_model=list[Dispute], summary="Every disagreement found in the corpus")
    def disputes() -> JSONResponse:
        return JSONResponse([asdict(d) for d in engine.disputes()])

    @app.get("/answers/{answer_id}/card", response_class=HTMLResponse, responses={404: {"model": Problem}},
             summary="An answer as an embeddable HTML card (inline styles, no scripts, text escaped)")
    def card(answer_id: Annotated[str, PathParam(min_length=1, max_length=64)]) -> HTMLResponse:
        html = answer_card(engine.answer(answer_id))
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"})

    @app.post("/ingest", response_model=IngestResponse, openapi_extra=INGEST_BODY,
              responses={**ERRORS, 413: {"model": Problem}, 415: {"model": Problem}},
              summary="Add articles: JSON {articles: [...]} or a multipart upload of files")
    async def ingest(request: Request) -> JSONResponse:
        articles = await _read_ingest(request)
        return JSONResponse(await run_in_threadpool(engine.ingest, articles))

    return app


def _records(raw: bytes | str, where: str) -> list[dict]:
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
    return [a.model_dump() for a in body.articles]


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
                articles += articles_from_upload(value.filename, await value.read())
            else:
                raise IngestInputError(f"unknown form field {key[:50]!r}: send 'files' and/or 'articles'")
    finally:
        await form.close()
    if not articles:
        raise IngestInputError("nothing to ingest: send 'files' and/or 'articles'")
    return articles
