"""Reports people can read: a terminal table, and a folder of Markdown, JSON and plots.

    write_report(Path("out"), runs, gold="eval/gold/seeds.jsonl")
    # out/report.md, out/report.json, out/recall_at_k.png, out/latency.png

`write_external_report` does the same for the SciFact and FNC-1 benchmarks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.harness import SUMMARY_KEYS, RunResult

log = logging.getLogger(__name__)

LABELS = {
    "n": "questions",
    "evidence_recall@5": "evidence recall@5",
    "evidence_recall@10": "evidence recall@10",
    "mrr": "MRR",
    "answer_hit@1": "answer hit@1",
    "answer_hit@3": "answer hit@3",
    "conflict_recall": "conflict recall",
    "false_conflicts": "false conflicts (pairs)",
    "abstention_accuracy": "abstention accuracy",
    "latency_ms_p50": "latency p50 (ms)",
    "latency_ms_p95": "latency p95 (ms)",
}


def fmt(value: Any) -> str:
    """A figure as shown in tables: 3 decimals for shares, 1 for milliseconds, '-' for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3f}"
    return str(value)


def text_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with aligned columns (first column left, others right)."""
    cells = [list(header)] + [[fmt(c) if i else str(c) for i, c in enumerate(row)] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    def cell(value: Any) -> str:
        return fmt(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) if i else str(c) for i, c in enumerate(row)) + " |" for row in rows]
    return "\n".join(lines)


def summary_rows(runs: Sequence[RunResult]) -> tuple[list[str], list[list[Any]]]:
    """Metric rows, one column per retriever."""
    aggregates = [r.aggregate() for r in runs]
    header = ["metric"] + [r.retriever for r in runs]
    def shown(key: str, value: Any) -> Any:
        return f"{value:.1f}" if key.startswith("latency") and value is not None else value

    return header, [[LABELS[key]] + [shown(key, a[key]) for a in aggregates] for key in SUMMARY_KEYS]


def summary_table(runs: Sequence[RunResult]) -> str:
    """The terminal table `assistant eval` prints."""
    header, rows = summary_rows(runs)
    seconds = ", ".join(f"{r.retriever} {r.seconds:.1f}s" for r in runs)
    return text_table(header, rows) + f"\n\ntime: {seconds}"


def worst_rows(run: RunResult, n: int) -> str:
    """Markdown for the n worst items of a run, with what was cited and what was missed."""
    parts = []
    for result in run.worst(n):
        record = result.to_dict()
        scores = ", ".join(f"{k} {fmt(v)}" for k, v in record["scores"].items() if v is not None)
        parts.append(f"#### {record['id']}: {record['question']} (score {record['quality']:.2f})\n")
        if record["history"]:
            parts.append(f"After: {' / '.join(record['history'])}\n")
        parts.append(f"- answerable: {fmt(record['answerable'])}; the assistant "
                     f"{'answered' if record['supported'] else 'abstained'}"
                     + (f" ({record['message']})" if record["message"] else "") + f"; {scores}")
        if record.get("error"):
            parts.append(f"- error: {record['error']}")
        for cited in record["cited"][:5]:
            mark = " (evidence)" if cited["matches_evidence"] else ""
            parts.append(f"- cited {cited['rank']}{mark}: “{cited['sentence']}” — *{cited['title']}*")
        for missed in record["missed_evidence"]:
            parts.append(f"- missed evidence: “{missed['quote']}” — *{missed['title']}*")
        for about in record["missed_conflicts"]:
            parts.append(f"- conflict not shown: {about}")
        if record["scores"].get("false_conflicts"):
            for dispute in record["disputes"]:
                parts.append(f"- dispute shown without gold conflict: {dispute['summary'] or dispute['about']}")
        parts.append("")
    return "\n".join(parts)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_recall_curves(curves: dict[str, dict[int, float | None]], path: Path, title: str,
                       ylabel: str = "evidence recall@k", xlabel: str = "k (citations)") -> Path:
    """One line per retriever: recall@k against k."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, curve in curves.items():
        ks = [k for k, v in sorted(curve.items()) if v is not None]
        ax.plot(ks, [curve[k] for k in ks], marker="o", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_latency(latencies: dict[str, list[float]], path: Path, title: str) -> Path:
    """Latency distribution per retriever (box plot with the points over it)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    names = list(latencies)
    ax.boxplot([latencies[n] or [0.0] for n in names], showfliers=False)
    ax.set_xticks(range(1, len(names) + 1), names)
    for i, name in enumerate(names, start=1):
        values = latencies[name]
        ax.scatter([i + 0.08 * ((j % 5) - 2) for j in range(len(values))], values, s=10, alpha=0.5)
    ax.set_ylabel("latency per question (ms)")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_report(folder: Path, runs: Sequence[RunResult], *, gold: str, index: str = "",
                 worst: int = 5) -> list[Path]:
    """Write report.md, report.json and the plots into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    data = {"gold": gold, "index": index, "created": when,
            "runs": {r.retriever: {**r.summary(), "seconds": round(r.seconds, 2),
                                   "recall_curve": r.recall_curve()} for r in runs}}
    json_path = folder / "report.json"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    recall_png = plot_recall_curves({r.retriever: r.recall_curve() for r in runs}, folder / "recall_at_k.png",
                                    "Evidence recall@k on the gold set")
    latency_png = plot_latency({r.retriever: [i.latency_ms for i in r.items] for r in runs},
                               folder / "latency.png", "Latency per question")
    header, rows = summary_rows(runs)
    lines = [
        "# Evaluation report", "",
        f"Gold set: `{gold}` ({runs[0].aggregate()['n'] if runs else 0} questions)  ",
        f"Index: `{index or 'default'}`  ",
        f"Made: {when}", "",
        "## Figures", "",
        markdown_table(header, rows), "",
        "Time per run: " + ", ".join(f"{r.retriever} {r.seconds:.1f} s" for r in runs), "",
        "Shares are means over the items where a measure applies (evidence recall and MRR: items "
        "with evidence; answer hit: items with answers; conflict recall: items with gold conflicts); "
        "false conflicts is the number of opposing pairs shown on items whose gold has none. "
        "See `eval/GOLD_FORMAT.md`.", "",
        "## Evidence recall@k", "", f"![recall@k]({recall_png.name})", "",
        "## Latency", "", f"![latency]({latency_png.name})", "",
    ]
    for run in runs:
        lines += [f"## Worst questions ({run.retriever})", "", worst_rows(run, worst)]
    md_path = folder / "report.md"
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return [md_path, json_path, recall_png, latency_png]


def write_external_report(folder: Path, results: dict[str, Any]) -> list[Path]:
    """Write external.md, external.json and plots for the SciFact / FNC-1 benchmark results."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    json_path = folder / "external.json"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(json_path)
    lines = ["# External benchmarks", ""]
    scifact = results.get("scifact")
    if scifact:
        runs = scifact["retrievers"]
        lines += ["## SciFact (dev claims)", "",
                  f"{scifact.get('claims_with_evidence', scifact['claims'])} claims with evidence "
                  f"({scifact['rationale_sentences']} rationale sentences) of {scifact['claims']}; "
                  f"{scifact['documents']} abstracts ({scifact['sentences']} sentences) indexed. Sentence "
                  "measures and doc nDCG@10 are over the claims with evidence; BEIR nDCG@10 over all "
                  "claims with their cited documents (BEIR's SciFact test set). A document scores as "
                  "its best sentence.", ""]
        keys = ["sentence_recall@5", "sentence_recall@10", "sentence_mrr@10", "doc_ndcg@10", "beir_ndcg@10",
                "seconds"]
        lines += [markdown_table(["retriever"] + keys, [[n] + [r[k] for k in keys] for n, r in runs.items()]), ""]
        curves = {n: {int(k): v for k, v in r["sentence_recall_curve"].items()} for n, r in runs.items()}
        png = plot_recall_curves(curves, folder / "scifact_recall_at_k.png", "SciFact: rationale sentence recall@k",
                                 ylabel="sentence recall@k", xlabel="k (retrieved sentences)")
        written.append(png)
        lines += [f"![SciFact recall@k]({png.name})", ""]
    fnc1 = results.get("fnc1")
    if fnc1:
        fitted = fnc1.get("stance_model_fitted_on")
        lines += ["## FNC-1 (related pairs of the competition test set)", "",
                  f"{fnc1['pairs']} pairs ({fnc1.get('bodies', 'all')} Body IDs"
                  + (f"; the stance model was fitted on {fitted}" if fitted else "")
                  + f"); accuracy {fmt(fnc1['accuracy'])}, macro F1 {fmt(fnc1['macro_f1'])}, "
                  f"{fnc1['seconds']:.1f} s.", ""]
        classes = fnc1["classes"]
        lines += [markdown_table(["stance", "precision", "recall", "F1", "support"],
                                 [[c, v["precision"], v["recall"], v["f1"], v["support"]]
                                  for c, v in classes.items()]), ""]
        labels = list(classes)
        lines += ["Confusion (rows: gold, columns: predicted):", "",
                  markdown_table(["gold \\ predicted"] + labels,
                                 [[g] + [fnc1["confusion"][g][p] for p in labels] for g in labels]), ""]
    md_path = folder / "external.md"
    md_path.write_text("\n".join(lines), encoding="utf-8")
    written.insert(0, md_path)
    return written
