"""How long the chat page takes to give its first answer, from `streamlit run` to the quoted lead
on screen, in a real headless Chromium (Debian's /usr/bin/chromium).

    .venv/bin/python bench/page_first_answer_bench.py            # 3 fresh servers, a table
    .venv/bin/python bench/page_first_answer_bench.py --json

Each run starts a fresh `streamlit run ui/app.py` on a free 127.0.0.1 port over the default
index (built from corpus/seeds first if missing) and measures, as the median of --runs:
- server: from the command to the server answering its health check;
- page ready: from opening the page to the chat box on screen (the engine and model load here);
- first answer: from pressing Enter on the first question to its lead on screen (asked --pause
  seconds after the chat box appears, the time a person takes to type; 0 by default, the worst case);
- next answer: the same for a second question.
The load average is printed beside the figures: on a busy machine every figure grows.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
QUESTIONS = ("How many servicemen were captured?", "How many soldiers were killed?")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(page, questions: tuple[str, str], pause: float = 0.0) -> dict[str, float]:
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                if server.poll() is not None or time.perf_counter() - start > 120:
                    raise SystemExit("streamlit did not start") from None
                time.sleep(0.1)
        figures = {"server": time.perf_counter() - start}
        opened = time.perf_counter()
        page.goto(url)
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(timeout=180_000)
        figures["page ready"] = time.perf_counter() - opened
        time.sleep(pause)
        for name, question in zip(("first answer", "next answer"), questions, strict=True):
            leads = page.locator(".na-lead, .na-abstain").count()
            box.fill(question)
            asked = time.perf_counter()
            box.press("Enter")
            page.locator(".na-lead, .na-abstain").nth(leads).wait_for(timeout=180_000)
            figures[name] = time.perf_counter() - asked
        return figures
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between the page being ready and "
                        "the first question (typing time); not counted in any figure")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("page_first_answer_bench: needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
              file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    subprocess.run([sys.executable, "-m", "cli.main", "sources"], cwd=ROOT, capture_output=True, check=True)
    load = os.getloadavg()[0]
    runs: list[dict[str, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            for _ in range(args.runs):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                runs.append(one_run(page, QUESTIONS, args.pause))
                page.close()
        finally:
            browser.close()
    medians = {name: round(statistics.median(r[name] for r in runs), 2) for name in runs[0]}
    if args.json:
        print(json.dumps({"runs": args.runs, "pause_s": args.pause, "cpus": os.cpu_count(),
                          "load_average": round(load, 2),
                          "median_s": medians, "questions": QUESTIONS}, indent=2))
        return 0
    print(f"chat page, {args.runs} fresh servers, first question {args.pause:g} s after the page is ready "
          f"(load average {load:.1f} on {os.cpu_count()} CPUs), median:")
    for name, seconds in medians.items():
        print(f"  {name:<13} {seconds:6.2f} s")
    print(f"  start to first answer on screen: {sum(medians.values()) - medians['next answer'] + args.pause:.2f} s "
          f"(pause included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
