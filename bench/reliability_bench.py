"""Reliability figures (issue 11): bad inputs, kills mid-ingest, generated API requests, /ask latency.

    .venv/bin/python bench/reliability_bench.py [--kills 10] [--schema-cases 40] [--clients 8] [--questions 25]

Reports, on the default corpus (copied into a temporary folder; index/built is never touched):

- the bad-input catalogue: each bad file, question, option, damaged index and bad request,
  and whether it got a clear answer (one line, exit status 2 or a 4xx, no traceback, the
  index unchanged and usable);
- kill trials: ingests killed with SIGKILL at a random moment; survived = the index still
  opens, answers, and holds the articles of before or of after (never half), and the
  half-built version is gone after the next open;
- schemathesis: generated requests per operation with its conformance checks on, and findings;
- /ask p50/p95 over 8 concurrent clients, idle and while an API ingest job runs.

Figures are printed (and written as JSON with --json FILE); nothing here is a test.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from cli.main import main as cli_main  # noqa: E402
from corpus import DEFAULT_CORPUS  # noqa: E402
from index.library import current_version  # noqa: E402

log = logging.getLogger("reliability_bench")
QUESTION = "How many Azerbaijani soldiers were wounded?"
GOOD_MD = ("---\ntitle: Harbour reopens\noutlet: Coast Daily\npublished: 2021-11-20\n---\n"
           "The harbour in Port Ellis reopened on Monday after storms closed it for a week, the port authority said.\n")


@dataclass
class Case:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Figures:
    bad_inputs: list[Case] = field(default_factory=list)
    kills: list[dict] = field(default_factory=list)
    schema: dict = field(default_factory=dict)
    latency: dict = field(default_factory=dict)


# --- the bad-input catalogue ----------------------------------------------------------------------

def run_cli(*args: str) -> tuple[int, str, str]:
    """`assistant ARGS` in this process (the model loads once); an escaping exception is a failure."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except Exception as exc:  # noqa: BLE001 - what the catalogue looks for
            import traceback

            traceback.print_exc(file=err)
            code = f"raised {type(exc).__name__}"
    return code, out.getvalue(), err.getvalue()


def refused(code, stderr: str, *words: str, lines_expected: int = 1) -> tuple[bool, str]:
    # argparse's own refusals print the usage first: the answer is its last line
    lines = [line for line in stderr.strip().splitlines()
             if not line.startswith(("WARNING", "INFO", "usage:", " "))]
    ok = code == 2 and "Traceback" not in stderr and len(lines) == lines_expected \
        and all(w.casefold() in stderr.casefold() for w in words)
    return ok, (lines[-1] if lines else stderr.strip())[:200]


def cli_cases(work: Path, seed: Path) -> list[Case]:
    files = work / "files"
    files.mkdir()
    bad_files: dict[str, tuple[bytes, list[str]]] = {  # name -> content, words its refusal must hold
        "binary.txt": (b"\x00\x01\x02PNG\x00\xff" * 50, ["binary"]),
        "empty.txt": (b"", ["empty"]),
        "blank.md": (b"   \n\n  ", ["empty"]),
        "latin1.txt": ("Caf\xe9 owners said the border was calm.".encode("latin-1"), ["utf-8"]),
        "utf16.txt": ("Officials said it was calm.".encode("utf-16"), ["utf-16"]),
        "baddate.md": (b"---\ntitle: T\npublished: 2021-13-45\n---\nThe ferry left at noon.\n", ["not a date"]),
        "feb30.md": (b"---\ntitle: T\npublished: 2021-02-30\n---\nThe ferry left at noon.\n", ["not a date"]),
        "badyaml.md": (b"---\ntitle: [unclosed\n---\nThe ferry left at noon.\n", ["yaml"]),
        "alias.md": (b"---\ntitle: &a [*a]\n---\nThe ferry left at noon.\n", ["alias"]),
        "pytag.md": (b"---\ntitle: !!python/object:os.system x\n---\nText.\n", ["yaml"]),
        "unclosed.md": (b"---\ntitle: T\nThe ferry left at noon.\n", ["closing"]),
        "listfm.md": (b"---\n- a\n- b\n---\nThe ferry left at noon.\n", ["key: value"]),
        "titleonly.md": (b"---\ntitle: Only a title\n---\n\n* * *\n", ["titleonly.md"]),
        "bad.jsonl": (b'{"title": "t", "text": "ok"}\n{nope\n', ["line 2"]),
        "bad.html": (b"<html><body><nav>menu</nav></body></html>", ["bad.html"]),
        "broken.pdf": (b"%PDF-1.4", ["pdf"]),
        "broken.docx": (b"PK\x03\x04 not a zip", ["broken.docx"]),
        "scan.png": (b"\x89PNG", ["unsupported file type"]),
    }
    cases = []
    for name, (data, words) in bad_files.items():
        (files / name).write_bytes(data)
        index = copy_index(seed, work / f"idx-{name}")
        code, _, err = run_cli("--index", str(index), "ingest", str(files / name), "--no-progress")
        ok, detail = refused(code, err, name, *words)
        ok = ok and usable(index)
        cases.append(Case(f"ingest {name}", ok, detail))
    # a bad file among good ones, given together: the good one is added
    mixed = work / "mixed"
    mixed.mkdir()
    (mixed / "good.md").write_text(GOOD_MD, encoding="utf-8")
    shutil.copy(files / "baddate.md", mixed / "bad.md")
    index = copy_index(seed, work / "idx-mixed")
    code, out, err = run_cli("--index", str(index), "ingest", str(mixed), "--no-progress")
    cases.append(Case("folder with one bad file", code == 2 and "added 1" in out and "Traceback" not in err,
                      err.strip()[:200]))
    # a bad file dropped into an ingested folder: ask and sources still work
    (mixed / "later.md").write_bytes((files / "alias.md").read_bytes())
    code, out, err = run_cli("--index", str(index), "sources")
    cases.append(Case("bad file dropped into an ingested folder, then sources", code == 0 and "Traceback" not in err,
                      err.strip()[:200]))
    cases.append(Case("missing path", *refused(*run_cli("--index", str(index), "ingest", str(work / "nope.md"))[::2],
                                               "no such file")))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cases.append(Case("unreachable URL", *refused(*run_cli("--index", str(index), "ingest",
                                                          f"http://127.0.0.1:{port}/x.html")[::2], "connect")))
    # questions and options
    for name, args, words in [
        ("empty question", ["ask", ""], ["empty"]),
        ("blank question", ["ask", "  \t "], ["empty"]),
        ("long question", ["ask", "x" * 100_000], ["too long"]),
        ("punctuation-only question", ["ask", "?!?!...;;"], ["no words"]),
        ("non-UTF-8 question", ["ask", "Who attacked \udcff?"], ["utf-8"]),
        ("non-UTF-8 --source", ["ask", "Who?", "--source", "Caf\udce9"], ["utf-8"]),
        ("--since not a date", ["ask", "Who attacked?", "--since", "yesterdayish"], ["not a date"]),
        ("unknown --source", ["ask", "Who attacked?", "--source", "Nowhere Times"], ["nowhere times"]),
        ("--k 0", ["ask", "Who attacked?", "--k", "0"], ["k must"]),
        ("--k not a number", ["ask", "Who attacked?", "--k", "many"], ["invalid int"]),
        ("unknown --retriever", ["ask", "Who?", "--retriever", "magic"], ["invalid choice"]),
        ("--remove unknown", ["ingest", "--remove", "no-such-article"], ["nothing indexed matches"]),
    ]:
        code, _, err = run_cli("--index", str(seed), *args)
        cases.append(Case(name, *refused(code, err, *words)))
    a_file = work / "notes.txt"
    a_file.write_text("hello", encoding="utf-8")
    (work / "emptydir").mkdir()
    for name, index_arg, words in [("--index is a file", a_file, ["is a file"]),
                                   ("--index folder missing", work / "typo", ["no such folder"]),
                                   ("--index folder without an index", work / "emptydir", ["no index"])]:
        code, _, err = run_cli("--index", str(index_arg), "ask", QUESTION)
        cases.append(Case(name, *refused(code, err, *words)))
    # damaged indexes: refused in one line, then `ingest --rebuild` restores them
    damage: dict[str, Callable[[Path], None]] = {
        "truncated FAISS": lambda v: os.truncate(v / "vectors.faiss", 1000),
        "truncated SQLite": lambda v: os.truncate(v / "index.sqlite", 8192),
        "missing BM25": lambda v: shutil.rmtree(v / "bm25"),
        "missing manifest": lambda v: (v / "manifest.json").unlink(),
        "missing version folder": lambda v: shutil.rmtree(v),
    }
    for name, hurt in damage.items():
        index = copy_index(seed, work / f"idx-{name.replace(' ', '-')}")
        hurt(current_version(index))
        code, _, err = run_cli("--index", str(index), "ask", QUESTION)
        ok, detail = refused(code, err, "damaged", "ingest --rebuild")
        code2, _, err2 = run_cli("--index", str(index), "ingest", "--rebuild", "--no-progress")
        cases.append(Case(f"damaged index: {name}", ok and code2 == 0 and usable(index), detail))
    return cases


def api_cases(url: str) -> list[Case]:
    import httpx

    def check(name: str, response: httpx.Response, status: int, words: list[str]) -> Case:
        try:
            detail = response.json().get("detail", "")
        except ValueError:
            detail = response.text[:200]
        ok = response.status_code == status and isinstance(detail, str) and "\n" not in detail \
            and all(w.casefold() in detail.casefold() for w in words) and "Traceback" not in response.text
        return Case(f"API {name}", ok, f"{response.status_code} {detail}"[:200])

    def chunks(total: int):
        for _ in range(total // (128 * 1024)):
            yield b"x" * (128 * 1024)

    big = 11 * 1024 * 1024
    with httpx.Client(base_url=url, timeout=300) as c:
        return [
            check("empty question", c.post("/ask", json={"question": ""}), 422, ["question"]),
            check("punctuation-only question", c.post("/ask", json={"question": "?!?!...;;"}), 422, ["no words"]),
            check("non-UTF-8 body", c.post("/ask", content=b'{"question": "Who \xff?"}',
                                           headers={"content-type": "application/json"}), 422, ["not valid JSON"]),
            check("NUL in question", c.post("/ask", json={"question": "Who?\u0000"}), 422, ["NUL"]),
            check("invalid JSON", c.post("/ask", content=b"{nope", headers={"content-type": "application/json"}),
                  422, ["not valid JSON"]),
            check("since not a date", c.post("/ask", json={"question": "Who?", "filters": {"since": "soon"}}),
                  422, ["since"]),
            check("unknown source", c.post("/ask", json={"question": "Who?", "filters": {"sources": ["Nobody"]}}),
                  400, ["nobody"]),
            check("chunked /ask over 10 MB", c.post("/ask", content=chunks(big),
                                                    headers={"content-type": "application/json"}), 413, ["too large"]),
            check("chunked /ingest over 10 MB", c.post("/ingest", content=chunks(big),
                                                       headers={"content-type": "application/json"}), 413,
                  ["too large"]),
            check("PNG upload", c.post("/ingest", files=[("files", ("a.png", b"\x89PNG", "image/png"))]), 415,
                  ["unsupported"]),
            check("bad date upload", c.post("/ingest", files=[("files", ("a.md", b"---\ntitle: T\npublished: "
                                                                         b"2021-13-45\n---\nText.\n"))]), 422,
                  ["not a date"]),
            check("empty multipart", c.post("/ingest", content=b"",
                                            headers={"content-type": "multipart/form-data; boundary=x"}), 422,
                  ["nothing to ingest"]),
            check("CSV body", c.post("/ingest", content=b"a,b", headers={"content-type": "text/csv"}), 415, ["send"]),
            check("card id of 65 characters", c.get("/answers/" + "a" * 65 + "/card"), 422, ["answer_id"]),
            check("unknown card", c.get("/answers/nothere/card"), 404, ["no answer"]),
            check("unknown job", c.get("/jobs/nothere"), 404, ["no ingest job"]),
        ]


def copy_index(seed: Path, target: Path) -> Path:
    shutil.copytree(seed, target, symlinks=True)
    return target


def usable(index: Path) -> bool:
    try:
        a = Assistant.open(index, refresh=False)
        return len(a.sources()) >= 2 and bool(a.search(QUESTION, 3))
    except Exception:  # noqa: BLE001
        return False


# --- kill trials ----------------------------------------------------------------------------------------

def kill_trials(seed: Path, work: Path, n: int) -> list[dict]:
    folder = work / "killfeed"
    folder.mkdir()
    for i in range(60):
        body = " ".join(f"Report {i} line {j}: officials in district {j} counted {i + j} damaged homes."
                        for j in range(25))
        (folder / f"a{i:03d}.txt").write_text(f"Bulletin number {i}\n\n{body}\n", encoding="utf-8")
    index = copy_index(seed, work / "idx-kills")
    rng = random.Random(11)
    trials = []
    for trial in range(n):
        before = len(Assistant.open(index, refresh=False).sources())
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "--index", str(index), "ingest", str(folder),
                                 "--no-progress"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rng.uniform(0.5, 12.0)
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        leftovers = len([p for p in index.glob("v-*") if p != current_version(index)])
        try:
            a = Assistant.open(index, refresh=False)
            after = len(a.sources())
            answers = a.ask(QUESTION) is not None
            ok = after in (before, 62) and answers and len(list(index.glob("v-*"))) == 1
        except Exception as exc:  # noqa: BLE001
            ok, after = False, repr(exc)
        trials.append({"trial": trial, "killed_after_s": round(delay, 2), "finished_first": finished,
                       "articles_before": before, "articles_after": after, "half_built_left": leftovers,
                       "survived": ok})
        if after == 62:  # start again from the seeds for the next trial
            Assistant.open(index, refresh=False).ingest([], remove=[str(p) for p in sorted(folder.glob("*.txt"))],
                                                        progress=False)
    return trials


# --- the live server: schemathesis and latency ----------------------------------------------------------

def start_server(index: Path):
    import uvicorn

    from server import create_app

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    app = create_app(index)
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


def schema_run(url: str, cases_per_operation: int) -> dict:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode, checks

    chosen = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
              checks.response_headers_conformance, checks.response_schema_conformance,
              checks.negative_data_rejection]
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    total, findings = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=strategy)
        @settings(max_examples=cases_per_operation, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            nonlocal total
            total += 1
            response = case.call(base_url=url, timeout=300)
            try:
                case.validate_response(response, checks=chosen)
            except Exception as exc:  # noqa: BLE001 - a finding, recorded and counted
                findings.append(f"{case.method} {case.path}: {str(exc).strip().splitlines()[0][:200]}")

        run()
    return {"cases": total, "findings": len(findings), "examples": findings[:10],
            "checks": [c.__name__ for c in chosen]}


def latency(url: str, clients: int, questions: int, during: Callable[[], Callable[[], bool]] | None) -> dict:
    """p50/p95 of /ask over `clients` concurrent clients; with `during`, only while its job runs."""
    import httpx

    pool = ["How many Azerbaijani soldiers were wounded?", "How many Armenian servicemen were captured?",
            "Who attacked first?", "When did the clashes happen?", "How many soldiers were killed?",
            "Which ministry reported the deaths?"]
    times: list[float] = []
    errors: list[str] = []
    running = during() if during else (lambda: True)
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=url, timeout=300) as c:
            for i in range(questions):
                if during and not running():
                    return
                started = time.perf_counter()
                response = c.post("/ask", json={"question": pool[(n + i) % len(pool)]})
                took = time.perf_counter() - started
                with lock:
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {response.text[:100]}")
                    elif not during or running():
                        times.append(took)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    pick = (lambda q: round(1000 * times[min(len(times) - 1, int(q * len(times)))], 1)) if times else (lambda q: None)
    return {"requests": len(times), "errors": len(errors), "p50_ms": pick(0.5), "p95_ms": pick(0.95),
            "mean_ms": round(1000 * statistics.mean(times), 1) if times else None}


def ingest_job(url: str, articles: int) -> Callable[[], Callable[[], bool]]:
    """Starts an API ingest of `articles` articles; returns a check 'is it still running'."""
    import httpx

    def start() -> Callable[[], bool]:
        body = {"articles": [{"title": f"Bulletin {i}", "outlet": "Bench Wire", "text": " ".join(
            f"Officials in district {j} of region {i} counted {i * 7 + j} damaged homes on day {j}."
            for j in range(20))} for i in range(articles)]}
        job = httpx.post(f"{url}/ingest", json=body, timeout=300).json()
        state = {"running": True}

        def poll() -> None:
            while state["running"]:
                try:
                    status = httpx.get(f"{url}/jobs/{job['id']}", timeout=60).json()["status"]
                except httpx.HTTPError:
                    status = "gone"  # the server stopped
                state["running"] = status in ("queued", "running")
                time.sleep(0.1)

        threading.Thread(target=poll, daemon=True).start()
        return lambda: state["running"]

    return start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--schema-cases", type=int, default=40, help="generated requests per operation")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--questions", type=int, default=25, help="questions per client")
    parser.add_argument("--ingest-articles", type=int, default=300)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--catalogue-only", action="store_true",
                        help="only the bad-input catalogue (it also runs against older versions of the project)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    figures = Figures()
    work = Path(tempfile.mkdtemp(prefix="reliability-"))
    try:
        seed = work / "seed"
        Assistant.build(seed, [str(DEFAULT_CORPUS)], progress=False)
        started = time.perf_counter()
        figures.bad_inputs = cli_cases(work, seed)
        server, thread, url = start_server(copy_index(seed, work / "idx-api"))
        figures.bad_inputs += api_cases(url)
        print(f"bad inputs: {sum(c.ok for c in figures.bad_inputs)} of {len(figures.bad_inputs)} got a clear "
              f"answer ({time.perf_counter() - started:.0f} s)")
        for c in figures.bad_inputs:
            if not c.ok:
                print(f"  FAILED {c.name}: {c.detail}")
        if args.catalogue_only:
            server.should_exit = True
            return 0
        if args.schema_cases:
            figures.schema = schema_run(url, args.schema_cases)
            print(f"schemathesis: {figures.schema['cases']} generated requests, {figures.schema['findings']} findings")
        figures.latency["idle"] = latency(url, args.clients, args.questions, None)
        figures.latency["during_ingest"] = latency(url, args.clients, args.questions * 4,
                                                   ingest_job(url, args.ingest_articles))
        for when, row in figures.latency.items():
            print(f"/ask with {args.clients} clients, {when}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms "
                  f"({row['requests']} requests, {row['errors']} errors)")
        server.should_exit = True
        thread.join(timeout=60)
        if args.kills:
            figures.kills = kill_trials(seed, work, args.kills)
            survived = sum(t["survived"] for t in figures.kills)
            killed = sum(not t["finished_first"] for t in figures.kills)
            print(f"kill trials: {survived} of {len(figures.kills)} survived ({killed} killed mid-ingest, "
                  f"{sum(t['half_built_left'] for t in figures.kills)} half-built versions left by the kills, "
                  "all removed on the next open)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(asdict(figures), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
