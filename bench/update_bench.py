"""What adding a few articles to a large index costs, phase by phase (issue 12, item 3).

Builds the FNC-1 index (about 2,600 bodies, ~48k sentences) without its last N bodies once,
keeping the sentence vectors in a cache so later builds (after a format change) skip the
encoder; then, for each trial, copies that index and adds the N held-out bodies with the
real encoder and the real ingest hook (the corpus-wide disputes), timing each phase that
`index.library.update` reports. A measurement, not a test.

    .venv/bin/python bench/update_bench.py [--add 10] [--trials 3] [--cache /tmp/update-bench]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest_bench import load_bodies  # noqa: E402
from index import library  # noqa: E402
from index.embed import Encoder, load_encoder  # noqa: E402

log = logging.getLogger("update_bench")


class CachedEncoder:
    """The real encoder's vectors for texts seen before (kept in an .npz), the encoder for the rest."""

    def __init__(self, encoder: Encoder, path: Path) -> None:
        self.encoder, self.path = encoder, path
        self.name, self.dimensions = encoder.name, encoder.dimensions
        self.known: dict[str, np.ndarray] = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            self.known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.encoder.encode(missing), strict=True))
        return np.stack([self.known[t] for t in texts]) if texts else np.zeros((0, self.dimensions), np.float32)

    def save(self) -> None:
        texts = list(self.known)
        np.savez(self.path, texts=np.asarray(texts), vectors=np.stack([self.known[t] for t in texts]))


def base_index(cache: Path, articles, encoder: Encoder, enrich, rebuild: bool) -> Path:
    """The FNC-1 index without the held-out bodies, built once (again when this code cannot open it)."""
    folder = cache / "base"
    if not rebuild and library.current_version(folder) is not None:
        try:
            library.Index.open(folder, encoder).close()
            return folder
        except library.IndexUnusable as exc:
            log.info("rebuilding the cached base index (%s)", exc)
    shutil.rmtree(folder, ignore_errors=True)
    cached = CachedEncoder(encoder, cache / "vectors.npz")
    started = time.perf_counter()
    library.update(folder, articles, encoder=cached, enrich=enrich, progress=True)
    log.info("built the base index in %.0f s", time.perf_counter() - started)
    cached.save()
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "fnc1")
    parser.add_argument("--add", type=int, default=10, help="articles added per trial")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1,
                        help="updates per trial: the first adds the articles, each later one changes their text")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/update-bench"))
    parser.add_argument("--rebuild-base", action="store_true", help="build the cached base index again")
    parser.add_argument("--no-enrich", action="store_true", help="leave the ingest hook out")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "update.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not (args.data / "train_bodies.csv").exists():
        print(f"skipped: FNC-1 data not found at {args.data}")
        return 0
    enrich = None
    if not args.no_enrich:
        from assistant.enrich import enrich

    bodies = load_bodies(args.data, None)
    held_out, rest = bodies[-args.add:], bodies[:-args.add]
    encoder = load_encoder()
    encoder.encode(["warm up"])
    args.cache.mkdir(parents=True, exist_ok=True)
    base = base_index(args.cache, rest, encoder, enrich, args.rebuild_base)
    manifest = library.Manifest.load(library.current_version(base))

    trials, later = [], []
    for trial in range(args.trials):
        work = args.cache / "work"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(base, work, symlinks=True)
        os.sync()  # the copy's pages on disk, as a version's files are once it was published
        for round_ in range(args.rounds):
            batch = held_out if round_ == 0 else [
                dataclasses.replace(a, text=f"{a.text}\n\nCorrection {round_}: this report was updated.")
                for a in held_out]
            report = library.update(work, batch, encoder=encoder, enrich=enrich, progress=False)
            assert len(report.added if round_ == 0 else report.updated) == args.add, report
            phases = {k: round(v, 3) for k, v in report.phases.items()}
            beyond = report.seconds - report.phases.get("embedding", 0.0)
            row = {"seconds": round(report.seconds, 3), "beyond_embedding": round(beyond, 3), "phases": phases,
                   "sentences_added": report.sentences_embedded}
            (trials if round_ == 0 else later).append(row)
            log.info("trial %d, %s: %.2f s, %.2f s beyond embedding", trial + 1,
                     "add" if round_ == 0 else f"change {round_}", report.seconds, beyond)
    shutil.rmtree(args.cache / "work", ignore_errors=True)

    names = list(dict.fromkeys(k for t in trials for k in t["phases"]))
    median = {k: round(statistics.median(t["phases"].get(k, 0.0) for t in trials), 3) for k in names}
    figures = {"base_articles": manifest.articles, "base_sentences": manifest.sentences,
               "articles_added": args.add, "sentences_added": trials[0]["sentences_added"],
               "enrich": not args.no_enrich,
               "seconds_median": round(statistics.median(t["seconds"] for t in trials), 3),
               "beyond_embedding_median": round(statistics.median(t["beyond_embedding"] for t in trials), 3),
               "phases_median": median, "trials": trials}
    if later:
        figures["changes_beyond_embedding_median"] = round(statistics.median(t["beyond_embedding"] for t in later), 3)
        figures["changes"] = later
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    print(f"base: {manifest.articles} articles, {manifest.sentences} sentences; adding {args.add} articles "
          f"({figures['sentences_added']} sentences), median of {args.trials}:")
    for name, seconds in sorted(median.items(), key=lambda kv: -kv[1]):
        print(f"{name:>28}: {seconds:7.3f} s")
    print(f"{'total':>28}: {figures['seconds_median']:7.3f} s")
    print(f"{'beyond embedding':>28}: {figures['beyond_embedding_median']:7.3f} s")
    if later:
        print(f"changing the same {args.add} articles again, {len(later)} times: median "
              f"{figures['changes_beyond_embedding_median']:.3f} s beyond embedding "
              f"(max {max(t['beyond_embedding'] for t in later):.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
