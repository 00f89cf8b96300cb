"""`assistant eval` end to end on the project's gold set, with the real engine and model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from eval import command, scifact
from eval.data import data_root
from eval.gold import DEFAULT_GOLD, load_gold
from eval.harness import SUMMARY_KEYS, check_quotes, run_gold

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "corpus" / "seeds"


def run_eval(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="assistant eval")
    command.add_arguments(parser)
    code = command.run(parser.parse_args(list(argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_exactly_the_documented_keys(capsys, seed_index_dir):
    code, out, err = run_eval(capsys, str(DEFAULT_GOLD), "--index", str(seed_index_dir), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == [*SUMMARY_KEYS, "items"]
    items = load_gold(DEFAULT_GOLD)
    assert data["n"] == len(items) == len(data["items"])
    for key in SUMMARY_KEYS:
        assert data[key] is not None, key
    for key in ("evidence_recall@5", "evidence_recall@10", "mrr", "answer_hit@1", "answer_hit@3",
                "conflict_recall", "abstention_accuracy"):
        assert 0.0 <= data[key] <= 1.0, key
    assert data["evidence_recall@10"] >= data["evidence_recall@5"]
    assert data["answer_hit@3"] >= data["answer_hit@1"]
    assert 0 < data["latency_ms_p50"] <= data["latency_ms_p95"]
    assert isinstance(data["false_conflicts"], int)
    # Loose floors: a broken matcher or mapping would fall far below these.
    assert data["evidence_recall@10"] >= 0.6 and data["abstention_accuracy"] >= 0.6
    first = data["items"][0]
    assert first["id"] == "s01" and first["question"] == items[0].question
    assert set(first["scores"]) == {"evidence_recall@5", "evidence_recall@10", "rr", "answer_hit@1",
                                    "answer_hit@3", "conflict_recall", "false_conflicts", "abstention_correct"}
    assert first["cited"] and {"rank", "title", "sentence", "matches_evidence", "has_answer"} <= set(first["cited"][0])
    unanswerable = next(i for i in data["items"] if not i["answerable"])
    assert unanswerable["scores"]["evidence_recall@5"] is None and unanswerable["scores"]["rr"] is None
    follow_up = next(i for i in data["items"] if i["history"])
    assert follow_up["history"]


def test_table_ablation_and_report(capsys, seed_index_dir, tmp_path):
    report = tmp_path / "report"
    code, out, err = run_eval(capsys, str(DEFAULT_GOLD), "--index", str(seed_index_dir), "--retriever", "all",
                              "--report", str(report), "--limit", "8")
    assert code == 0, err
    header = next(line for line in out.splitlines() if line.startswith("metric"))
    assert header.split() == ["metric", "bm25", "dense", "hybrid"]
    assert "evidence recall@10" in out and "latency p95 (ms)" in out
    for name in ("report.md", "report.json", "recall_at_k.png", "latency.png"):
        assert (report / name).stat().st_size > 0, name
    data = json.loads((report / "report.json").read_text())
    assert list(data["runs"]) == ["bm25", "dense", "hybrid"]
    assert data["runs"]["bm25"]["n"] == 8 and len(data["runs"]["bm25"]["recall_curve"]) == 10
    markdown = (report / "report.md").read_text()
    assert "| evidence recall@5 |" in markdown and "## Worst questions (hybrid)" in markdown
    assert (report / "recall_at_k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_multiple_retrievers_json_is_keyed_by_retriever(capsys, seed_index_dir):
    code, out, _ = run_eval(capsys, str(DEFAULT_GOLD), "--index", str(seed_index_dir), "--retriever",
                            "bm25,dense", "--json", "--limit", "3")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["bm25", "dense"] and data["bm25"]["n"] == 3


def test_corpus_option_builds_a_temporary_index(capsys, tmp_path):
    gold = tmp_path / "one.jsonl"
    gold.write_text(DEFAULT_GOLD.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    code, out, err = run_eval(capsys, str(gold), "--corpus", str(SEEDS), "--json", "--retriever", "bm25")
    assert code == 0, err
    data = json.loads(out)
    assert data["n"] == 1 and data["evidence_recall@10"] > 0


@pytest.mark.parametrize(("argv", "message"), [
    (["--retriever", "tfidf"], "unknown retriever 'tfidf'"),
    (["--k", "0"], "--k must be between 1 and 50"),
    (["--index", "/nonexistent/index"], "--index /nonexistent/index: no such folder"),
    (["--corpus", "/nonexistent/news"], "--corpus /nonexistent/news: no such file or folder"),
])
def test_user_errors_exit_2_with_one_line(capsys, argv, message):
    code, out, err = run_eval(capsys, str(DEFAULT_GOLD), *argv)
    assert code == 2 and out == ""
    assert err.startswith("assistant eval: error: ") and message in err and err.count("\n") == 1


def test_bad_gold_file_names_line_and_field(capsys, tmp_path, seed_index_dir):
    gold = tmp_path / "bad.jsonl"
    good = DEFAULT_GOLD.read_text(encoding="utf-8").splitlines()[0]
    record = json.loads(good)
    record["evidence"][1]["quote"] = ""
    gold.write_text(good + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    code, _, err = run_eval(capsys, str(gold), "--index", str(seed_index_dir))
    assert code == 2
    assert err.strip() == (f"assistant eval: error: {gold}: line 2: field 'evidence[1].quote' must be a "
                           "non-empty string, got \"\"")


def test_empty_folder_as_index_is_refused(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run_eval(capsys, str(DEFAULT_GOLD), "--index", str(tmp_path / "empty"))
    assert code == 2 and "no index there" in err


def test_gold_quotes_all_match_the_seed_index(seed_assistant):
    assert check_quotes(seed_assistant, load_gold(DEFAULT_GOLD)) == []


def test_check_quotes_reports_wrong_titles_and_words(seed_assistant, tmp_path):
    record = json.loads(DEFAULT_GOLD.read_text(encoding="utf-8").splitlines()[0])
    record["evidence"][0]["title"] = "No such article"
    record["evidence"][1]["quote"] = "Seventy Azerbaijani troops"
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps(record) + "\n")
    problems = check_quotes(seed_assistant, load_gold(gold))
    assert len(problems) == 2
    assert "title 'No such article' is not an indexed article" in problems[0]
    assert "'Seventy Azerbaijani troops' is in no sentence of" in problems[1]


def test_run_gold_scores_follow_ups_in_a_conversation(seed_assistant):
    items = [i for i in load_gold(DEFAULT_GOLD) if i.history][:1]
    result = run_gold(seed_assistant, items, retriever="hybrid", progress=False)
    record = result.items[0].to_dict()
    assert record["history"] == list(items[0].history)
    assert result.aggregate()["n"] == 1 and result.items[0].latency_ms > 0


SCIFACT = data_root() / "scifact" / "corpus.jsonl"


@pytest.mark.slow
@pytest.mark.skipif(not SCIFACT.is_file(), reason=f"SciFact data absent: {SCIFACT} not found")
def test_scifact_slice_end_to_end(tmp_path):
    """Index 150 abstracts with the real engine; an exact rationale sentence maps back to its unit."""
    abstracts = scifact.load_corpus(limit=150)
    indexed = {a.doc_id for a in abstracts}
    claims = [c for c in scifact.load_claims(split="dev", with_evidence=False)
              if set(c.evidence) <= indexed and set(c.cited) <= indexed]
    assert claims
    assistant = scifact.open_index(tmp_path / "scifact-index", abstracts, progress=False)
    assert assistant.index.manifest.articles == 150
    kept = {a.doc_id: a.kept for a in abstracts}
    by_id = {a.doc_id: a for a in abstracts}
    doc, sentence = sorted(next(c for c in claims if c.evidence).rationale_units())[0]
    text = by_id[doc].sentences[sentence]
    top = assistant.search(text, k=1, retriever="bm25")[0]
    assert scifact.unit_of(top, kept) == (doc, sentence)
    figures = scifact.evaluate(assistant, claims, abstracts, retriever="bm25", progress=False)
    assert figures["claims"] == sum(bool(c.evidence) for c in claims) > 0
    assert figures["beir_claims"] == sum(bool(c.cited or c.evidence) for c in claims)
    for key in ("sentence_recall@5", "sentence_recall@10", "sentence_mrr@10", "doc_ndcg@10", "beir_ndcg@10"):
        assert 0.0 <= figures[key] <= 1.0
    assert figures["sentence_recall@10"] >= figures["sentence_recall@5"] > 0
    assert figures["doc_ndcg@10"] > 0.5  # 150 abstracts: the evidence abstract is easy to find
    again = scifact.open_index(tmp_path / "scifact-index", abstracts, progress=False)  # reused, not rebuilt
    assert again.index.version == assistant.index.version


def test_through_the_assistant_command(seed_index_dir, tmp_path):
    """`assistant --index DIR eval ...` and `assistant eval --index DIR ...`, as a user runs them."""
    import subprocess
    import sys

    gold = tmp_path / "two.jsonl"
    gold.write_text("\n".join(DEFAULT_GOLD.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    for argv in (["--index", str(seed_index_dir), "eval", str(gold), "--json", "--retriever", "bm25"],
                 ["eval", str(gold), "--index", str(seed_index_dir), "--json", "--retriever", "bm25"]):
        done = subprocess.run([sys.executable, "-m", "assistant", *argv], cwd=ROOT, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["n"] == 2
    bad = subprocess.run([sys.executable, "-m", "assistant", "eval", str(tmp_path / "none.jsonl")], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip() == f"assistant eval: error: {tmp_path / 'none.jsonl'}: no such file"
