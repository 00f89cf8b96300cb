"""Options every answering command takes (`ask`, `chat`): citations and source filters."""

from __future__ import annotations

import argparse


def add_answer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--k", type=int, default=5, help="number of citations (default 5)")
    parser.add_argument("--source", action="append", default=[], metavar="OUTLET",
                        help="only this outlet (or article title); repeatable")
    parser.add_argument("--since", metavar="DATE", help="only articles published on or after DATE")
    parser.add_argument("--until", metavar="DATE", help="only articles published on or before DATE")
