"""Kills inside the build of small updates: is the index always whole, old or new, never between?

An update now links files from the version before (BM25 segments, the SQLite base, the
vector base) and writes only small new ones; this bench kills `assistant ingest` of two
short articles with SIGKILL at random moments after its new version folder appears (the
carry of SQLite, BM25, the ingest hook, vectors, fsync, swap), then opens the index and
checks it reads either the old version or the new one whole, answers, and keeps one version.
A measurement, not a test (the kill lands where the machine's speed puts it).

    .venv/bin/python bench/update_kill_bench.py [--trials 20] [--window 0 2.0]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from corpus import DEFAULT_CORPUS  # noqa: E402
from index.library import current_version  # noqa: E402

QUESTION = "How many servicemen were killed?"


def titles(index: Path) -> tuple[set[str], bool, list[str]]:
    """(article titles, whether it answers, version folders left after an open)."""
    assistant = Assistant.open(index, refresh=False)
    found = {s.title for s in assistant.sources()}
    answers = assistant.ask(QUESTION) is not None
    assistant.index.close()
    del assistant
    gc.collect()
    Assistant.open(index, refresh=False).index.close()  # an open removes what nobody holds
    return found, answers, sorted(p.name for p in index.glob("v-*"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--window", type=float, nargs=2, default=(0.0, 2.0),
                        help="kill this many seconds (uniform) after the new version folder appears")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="update-kills-"))
    rng = random.Random(5)
    whole = killed = 0
    try:
        index = work / "index"
        Assistant.build(index, [str(DEFAULT_CORPUS)], progress=False)
        for trial in range(args.trials):
            feed = work / "feed" / f"t{trial}"
            feed.mkdir(parents=True)
            new = set()
            for j in range(2):
                new.add(f"Harbour note {trial}-{j}")
                (feed / f"{j}.md").write_text(f"---\ntitle: Harbour note {trial}-{j}\n---\nThe harbour of town "
                                              f"{trial} counted {trial + j} ships on day {j}.\n\nCrews said "
                                              f"{j + 3} left.\n", encoding="utf-8")
            before, _, _ = titles(index)
            current = current_version(index)
            proc = subprocess.Popen([sys.executable, "-m", "assistant", "--index", str(index), "ingest", str(feed),
                                     "--no-progress"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None and not [v for v in index.glob("v-*") if v != current]:
                time.sleep(0.002)
            delay = rng.uniform(*args.window)
            started = time.time()
            while time.time() - started < delay and proc.poll() is None:
                time.sleep(0.002)
            finished = proc.poll() is not None
            if not finished:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
            proc.wait()
            try:
                after, answers, versions = titles(index)
                ok = after in (before, before | new) and answers and len(versions) == 1
                state = "new" if after == before | new else "old" if after == before else "MIXED"
            except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
                ok, state, versions = False, f"unusable ({exc})", []
            whole += ok
            what = "finished first" if finished else f"killed {delay:.2f} s into the build"
            print(f"trial {trial}: {what}: {'whole' if ok else 'BROKEN'}, reads the {state} version"
                  + ("" if ok else f" ({versions})"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{whole} of {args.trials} trials left the index whole ({killed} killed inside the build)")
    return 0 if whole == args.trials else 1


if __name__ == "__main__":
    sys.exit(main())
