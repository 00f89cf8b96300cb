"""Evaluation: gold Q&A sets, their measures, the external benchmarks and readable reports.

- `eval.gold`: read and validate a gold file (format: eval/GOLD_FORMAT.md);
- `eval.metrics`: the per-response measures and ranked-retrieval measures;
- `eval.harness`: run a gold set through `assistant.Assistant`;
- `eval.scifact`, `eval.fnc1`: loaders and runs for the external benchmarks;
- `eval.report`: tables, Markdown, JSON and plots;
- `eval.command`: the `assistant eval` subcommand.
"""
