"""How long `assistant ask` takes from start to answer on the default index, and where it goes.

    .venv/bin/python bench/cli_start_bench.py                 # 5 runs, a table
    .venv/bin/python bench/cli_start_bench.py --runs 9 --json  # figures as JSON

It measures, each as the median of --runs fresh processes:
- `assistant ask QUESTION` end to end (process start, imports, model and index load, answer, print),
  wall time and CPU time (user + system): on a shared machine the wall time grows with the load,
  the CPU time much less, so compare CPU times across sessions and wall times only within one;
- the same with `python -X importtime`, to list the slowest imports (cumulative, top level first);
- inside one process: importing the command, opening the index (model load included), the first
  and a second question.
The load average is printed beside the figures: on a busy machine every figure grows.
The default index (index/built) is built from corpus/seeds first if it is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "How many servicemen were captured?"
PHASES = r"""
import json, sys, time
t0 = time.perf_counter()
from cli.main import build_parser, requested_command
t1 = time.perf_counter()
build_parser(requested_command(["ask", sys.argv[1]]))  # as `assistant ask` does: only its own subcommand
from assistant import Assistant
t2 = time.perf_counter()
engine = Assistant.open()
t3 = time.perf_counter()
engine.ask(sys.argv[1])
t4 = time.perf_counter()
engine.ask(sys.argv[1] + "?")
t5 = time.perf_counter()
print(json.dumps({"import the command": t2 - t0, "  of which cli.main": t1 - t0, "open the index and model": t3 - t2,
                  "first question": t4 - t3, "second question": t5 - t4}))
"""


def run(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TQDM_DISABLE": "1"}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise SystemExit(f"cli_start_bench: {' '.join(args[1:3])} ... failed: {tail[0]}")
    return done


def end_to_end(question: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system, all its threads) of one `assistant ask`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run([sys.executable, "-m", "cli.main", "ask", question])
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def slowest_imports(question: str, top: int) -> list[tuple[str, float]]:
    """(module, cumulative seconds) of the slowest imports, outermost first where nested."""
    done = run([sys.executable, "-X", "importtime", "-m", "cli.main", "ask", question])
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((name.rstrip(), int(cumulative) / 1e6))
    rows.sort(key=lambda row: -row[1])
    return [(name, seconds) for name, seconds in rows[:top]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--top", type=int, default=15, help="slowest imports to list")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    run([sys.executable, "-m", "cli.main", "sources"])  # builds the default index if it is missing
    load = os.getloadavg()[0]
    measured = [end_to_end(args.question) for _ in range(args.runs)]
    totals, cpu = [w for w, _ in measured], [c for _, c in measured]
    phases: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for name, seconds in json.loads(run([sys.executable, "-c", PHASES, args.question]).stdout).items():
            phases.setdefault(name, []).append(seconds)
    imports = slowest_imports(args.question, args.top)
    figures = {
        "question": args.question, "runs": args.runs, "cpus": os.cpu_count(),
        "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
        "ask_end_to_end_s": {"median": round(statistics.median(totals), 3), "min": round(min(totals), 3),
                             "max": round(max(totals), 3)},
        "ask_cpu_s": {"median": round(statistics.median(cpu), 3), "min": round(min(cpu), 3),
                      "max": round(max(cpu), 3)},
        "phases_median_s": {name: round(statistics.median(v), 3) for name, v in phases.items()},
        "slowest_imports_s": [[name, round(s, 3)] for name, s in imports],
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    e2e = figures["ask_end_to_end_s"]
    print(f"assistant ask, end to end ({args.runs} runs, load average {load:.1f} on {os.cpu_count()} CPUs): "
          f"median {e2e['median']:.2f} s (min {e2e['min']:.2f}, max {e2e['max']:.2f})")
    print(f"  CPU time (user + system; what a busy machine does not inflate): median "
          f"{figures['ask_cpu_s']['median']:.2f} s")
    print("\nin one process (median):")
    for name, seconds in figures["phases_median_s"].items():
        print(f"  {name:<28} {seconds:6.3f} s")
    print("\nslowest imports (cumulative, -X importtime, one run):")
    for name, seconds in imports:
        print(f"  {seconds:6.3f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
