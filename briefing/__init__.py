"""Editorial briefings: cited answers as Markdown, HTML or DOCX, with the disputed facts shown.

    from briefing import render_briefing
    data = render_briefing(conversation.turns, title="Morning briefing",
                           sources=assistant.sources(), fmt="html")

Every fact keeps its provenance: each quoted sentence is a numbered footnote (outlet,
title, date, the sentence), every disagreement touching the answers is shown side by
side in a "Disputed facts" box, and a coverage line says which outlets are cited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from assistant import SourceInfo
from assistant.errors import AssistantError
from assistant.records import Answer
from briefing.model import Brief, build_brief

log = logging.getLogger(__name__)

Format = Literal["md", "html", "docx"]
FORMATS: tuple[str, ...] = ("md", "html", "docx")
MEDIA_TYPES = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _renderer(fmt: str) -> Callable[[Brief], bytes]:
    if fmt == "md":
        from briefing.md import render_markdown
        return render_markdown
    if fmt == "html":
        from briefing.html import render_html
        return render_html
    if fmt == "docx":
        from briefing.docx import render_docx
        return render_docx
    raise AssistantError(f"unknown briefing format {fmt!r}: choose one of {', '.join(FORMATS)}")


def render_briefing(answers: list[Answer], *, title: str, sources: list[SourceInfo], fmt: Format,
                    made_at: datetime | None = None) -> bytes:
    """The briefing for `answers` (in order) as the bytes of a .md, .html or .docx file.

    `sources` is the corpus the answers came from (`Assistant.sources()`); `made_at`
    defaults to now. Raises AssistantError for an unknown format.
    """
    render = _renderer(fmt)
    return render(build_brief(list(answers), title=title, sources=list(sources), made_at=made_at))


__all__ = ["FORMATS", "MEDIA_TYPES", "render_briefing"]
