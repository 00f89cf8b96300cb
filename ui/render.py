"""HTML and Markdown for the chat page, built so that article text is always data.

Every string that comes from an article, a question or an upload goes through
`esc` (HTML) or `md_escape` (Markdown) before it reaches the page; nothing here
ever passes article text through unescaped. Links are only made for http(s) URLs.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from assistant.records import Agreement, Answer, Citation, Dispute, Side, Source
from briefing.display import display_text, shorten

ROOT = Path(__file__).resolve().parent.parent

KIND_LABELS = {
    "numeric": "Figures differ",
    "entity": "Names differ",
    "date": "Dates differ",
    "verdict": "Supported vs refuted",
    "blame": "Who is to blame",
    "framing": "Told differently",
    "update": "Figure updated",
}
SIDE_LETTERS = "ABCDEFGH"
SHOWN_QUOTES = 2  # quotes shown per side; the rest fold under "N more quotes"
LABEL_CHARS = 48  # an article without an outlet is named by its title, shortened at a word to this
_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_MARKER = re.compile(r" ?\[(\d+)\]")


def esc(text: object) -> str:
    """The text, HTML-escaped (quotes included), bidirectional controls removed; None becomes ''."""
    return html.escape(display_text(text), quote=True)


def md_escape(text: object) -> str:
    """The text with every ASCII punctuation mark backslash-escaped, so Markdown,
    HTML tags, links, LaTeX (`$`) and Streamlit directives (`:red[...]`) show as typed."""
    plain = display_text(text)
    return _MD_SPECIAL.sub(r"\\\1", plain).replace("\n", " ")


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None (no javascript:, data:, file: links)."""
    if url and re.match(r"^https?://[^\s\"'<>]+$", url.strip(), re.I):
        return url.strip()
    return None


def date_label(published: str | None) -> str:
    """'17 Nov 2021, 14:03' or '18 Nov 2021' from an ISO date; '' when unknown."""
    if not published:
        return ""
    try:
        moment = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return published[:16]
    day = f"{moment.day} {moment:%b %Y}"
    has_time = "T" in published and (moment.hour or moment.minute)
    return f"{day}, {moment:%H:%M}" if has_time else day


def location_label(location: str) -> str:
    """A path shown relative to the project when it lies inside it."""
    try:
        return str(Path(location).resolve().relative_to(ROOT))
    except (ValueError, OSError):
        return location


def source_name(source: Source) -> str:
    """What to call a source in a heading: its outlet, else its title shortened at a word."""
    return source.outlet or shorten(source.title, LABEL_CHARS)


def title_label(title: str) -> str:
    """An article title as a name among outlets: quoted and shortened at a word."""
    return f"“{shorten(title, LABEL_CHARS)}”"


def _link(source: Source) -> str:
    url = safe_url(source.url) or safe_url(source.location)
    if url:
        return f'<a class="na-link" href="{esc(url)}" target="_blank" rel="noopener noreferrer">open article ↗</a>'
    return f'<code class="na-path" title="{esc(source.location)}">{esc(location_label(source.location))}</code>'


def citation_tip(c: Citation, tip_id: str = "") -> str:
    """The quote and its source, shown while the citation number is hovered or focused."""
    where = " · ".join(esc(p) for p in (source_name(c.source), date_label(c.source.published)) if p)
    title = f" · “{esc(c.source.title)}”" if c.source.outlet else ""
    ident = f' id="{esc(tip_id)}"' if tip_id else ""
    return (f'<span class="na-tip" role="tooltip"{ident}><span class="na-tip-quote">{esc(c.sentence)}</span>'
            f'<span class="na-tip-src">{where}{title}</span></span>')


def lead_html(answer: Answer) -> str:
    """The lead answer, escaped, with its [n] markers as small linked badges; hovering or
    focusing one shows the quoted sentence and its source."""
    by_number = {c.number: c for c in answer.citations}

    def marker(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in by_number:
            return match.group(0)
        tip = f"tip-{answer.id}-{n}"
        return (f'<a class="na-ref" href="#cite-{esc(answer.id)}-{n}" aria-describedby="{esc(tip)}">{n}'
                f"{citation_tip(by_number[n], tip)}</a>")

    return f'<div class="na-lead">{_MARKER.sub(marker, esc(answer.lead))}</div>'


def citation_card(c: Citation, answer_id: str = "", *, related: bool = False) -> str:
    """One quoted sentence, highlighted inside its neighbours, with where it comes from."""
    s = c.source
    number = f'<span class="na-num">{c.number}</span>' if c.number else ""
    meta = [f'<span class="na-outlet">{esc(source_name(s))}</span>']
    if s.published:
        meta.append(f'<span class="na-date">{esc(date_label(s.published))}</span>')
    foot = []
    if s.outlet or source_name(s) != s.title:
        foot.append(f"“{esc(s.title)}”")
    if s.author:
        foot.append(f"by {esc(s.author)}")
    if c.speaker:
        foot.append(f"speaker: {esc(c.speaker)}")
    foot.append(_link(s))
    context = " ".join(part for part in (
        esc(c.context_before), f"<mark>{esc(c.sentence)}</mark>", esc(c.context_after)) if part)
    anchor = f' id="cite-{esc(answer_id)}-{c.number}"' if answer_id and c.number else ""
    kind = " na-card-related" if related else ""
    return (f'<div class="na-card{kind}"{anchor}><div class="na-card-head">{number}{"".join(meta)}</div>'
            f'<p class="na-context">{context}</p>'
            f'<div class="na-card-foot">{" · ".join(foot)}</div></div>')


def citations_html(citations: Iterable[Citation], answer_id: str = "", *, related: bool = False) -> str:
    """A column of citation cards."""
    cards = "".join(citation_card(c, answer_id, related=related) for c in citations)
    return f'<div class="na-cards">{cards}</div>'


def agreement_badge(agreement: Agreement) -> str:
    """'✓ 2 sources agree' with what they agree on."""
    outlets = list(dict.fromkeys(source_name(c.source) for c in agreement.citations))
    if len(outlets) >= 2:
        count = f"{len(outlets)} sources agree"
    else:
        count = f"{len(agreement.citations)} statements agree"
    detail = agreement.summary or f"{agreement.about}: {agreement.value}"
    return (f'<div class="na-agree"><span class="na-badge na-badge-agree">✓ {esc(count)}</span>'
            f'<span class="na-agree-text">{esc(detail)}</span>'
            f'<span class="na-agree-who">{esc(", ".join(outlets))}</span></div>')


def abstain_html(answer: Answer) -> str:
    """The box that says the sources do not answer."""
    message = answer.message or "The sources do not answer this question."
    return (f'<div class="na-abstain"><div class="na-abstain-title">Not in the sources</div>'
            f"<div>{esc(message)} Nothing is made up to fill the gap; the nearest passages are "
            f"below, folded under “Related”.</div></div>")


def filters_note(filters: dict) -> str:
    """What the answer was limited to, in one line ('' when it was not)."""
    parts = []
    if filters.get("sources"):
        parts.append("only " + ", ".join(shorten(name, LABEL_CHARS) for name in filters["sources"]))
    if filters.get("since"):
        parts.append(f"from {filters['since']}")
    if filters.get("until"):
        parts.append(f"until {filters['until']}")
    return ("Filtered: " + " · ".join(parts)) if parts else ""


def dispute_head(d: Dispute) -> str:
    """The kind badge, what the sources disagree on, and the dispute in one line."""
    kind = KIND_LABELS.get(d.kind, d.kind.capitalize() or "Disagreement")
    summary = f'<div class="na-dispute-summary">{esc(d.summary)}</div>' if d.summary else ""
    return (f'<div class="na-dispute-head"><span class="na-badge na-kind na-kind-{esc(d.kind)}">⚖ {esc(kind)}</span>'
            f'<span class="na-about">{esc(d.about or d.summary)}</span></div>{summary}')


def side_html(side: Side, index: int) -> str:
    """One side of a dispute as a card: position, speaker, quotes, outlet and date."""
    letter = SIDE_LETTERS[index % len(SIDE_LETTERS)]
    quotes = []
    for c in side.citations:
        meta = " · ".join(esc(p) for p in (source_name(c.source), date_label(c.source.published)) if p)
        quotes.append(f'<blockquote class="na-quote">{esc(c.sentence)}</blockquote>'
                      f'<div class="na-quote-meta">{meta}</div>')
    shown, folded = quotes[:SHOWN_QUOTES], quotes[SHOWN_QUOTES:]
    more = (f'<details class="na-more"><summary>{len(folded)} more quote{"s" if len(folded) > 1 else ""}'
            f'</summary>{"".join(folded)}</details>') if folded else ""
    speaker = esc(side.speaker) if side.speaker else '<span class="na-muted">speaker not named</span>'
    return (f'<div class="na-side na-side-{index % 4}"><div class="na-side-top">'
            f'<span class="na-side-letter">{letter}</span><span class="na-position">{esc(side.position)}</span></div>'
            f'<div class="na-speaker">{speaker}</div>{"".join(shown)}{more}</div>')


def versus_html() -> str:
    """The small 'vs' disc between two sides."""
    return '<div class="na-vs"><span>vs</span></div>'


def reason_html(d: Dispute) -> str:
    """Why the pair is shown, in small print."""
    return f'<div class="na-reason">Why shown: {esc(d.reason)}</div>' if d.reason else ""


def source_row(title: str, outlet: str | None, published: str | None, sentences: int) -> str:
    """A sidebar line for one indexed article."""
    outlet_html = esc(outlet) if outlet else '<span class="na-muted">outlet not named</span>'
    meta = " · ".join(p for p in (esc(date_label(published)) or "undated", f"{sentences} sentences"))
    return (f'<div class="na-src"><div class="na-src-outlet">{outlet_html}</div>'
            f'<div class="na-src-title">{esc(title)}</div><div class="na-src-meta">{meta}</div></div>')


def cited_span(text: str, sentence: str, start: int, end: int) -> tuple[int, int] | None:
    """Where `sentence` stands in `text`: at its offsets when they still hold it, else where it
    first occurs (the article was re-read since); None when it is not there at all."""
    if 0 <= start < end <= len(text) and text[start:end] == sentence:
        return start, end
    found = text.find(sentence) if sentence else -1
    return (found, found + len(sentence)) if found >= 0 else None


def _paragraphs_html(text: str) -> str:
    """Escaped text whose blank-line-separated paragraphs become <p> elements."""
    return "".join(f"<p>{esc(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip())


def reader_html(title: str, outlet: str | None, author: str | None, published: str | None, url: str | None,
                location: str, text: str, span: tuple[int, int] | None) -> str:
    """A whole article for reading: title, outlet, author, date, a link to the original (http(s)
    only), and the text with the cited sentence highlighted as `#na-cited`."""
    meta = [f'<span class="na-outlet">{esc(outlet)}</span>' if outlet
            else '<span class="na-muted">outlet not named</span>']
    if author:
        meta.append(f"by {esc(author)}")
    meta.append(esc(date_label(published)) if published else '<span class="na-muted">undated</span>')
    link = safe_url(url) or safe_url(location)
    where = (f'<a class="na-link" href="{esc(link)}" target="_blank" rel="noopener noreferrer">Original article ↗</a>'
             if link else f'<code class="na-path">{esc(location_label(location))}</code>')
    if span is None:
        body = (f'<div class="na-note">The cited sentence is no longer in this article as stored.</div>'
                f"{_paragraphs_html(text)}")
    else:
        start, end = span
        head, tail = text[:start].rsplit("\n\n", 1) if "\n\n" in text[:start] else ("", text[:start])
        rest, after = text[end:].split("\n\n", 1) if "\n\n" in text[end:] else (text[end:], "")
        cited = (f"<p>{esc(tail)}<mark id=\"na-cited\">{esc(text[start:end])}</mark>{esc(rest)}</p>"
                 .replace("\n", "<br>"))
        body = _paragraphs_html(head) + cited + _paragraphs_html(after)
    return (f'<article class="na-reader"><h2 class="na-reader-title">{esc(title)}</h2>'
            f'<div class="na-reader-meta">{" · ".join(meta)} · {where}</div>'
            f'<div class="na-reader-text">{body}</div></article>')


# Scrolls the dialog to the highlighted sentence once it is on the page (it holds no article text).
SCROLL_TO_CITED = """<script>
(() => {
  let tries = 0;
  const go = () => {
    const el = document.getElementById("na-cited");
    if (el) { el.scrollIntoView({block: "center"}); return; }
    if (++tries < 40) setTimeout(go, 50);
  };
  go();
})();
</script>"""


def text_html(text: str, css_class: str = "na-question") -> str:
    """A block of plain text (a question, a message), escaped."""
    return f'<div class="{esc(css_class)}">{esc(text)}</div>'


CSS = """
<style>
.na-question, .na-lead, .na-card, .na-side, .na-about, .na-dispute-summary, .na-agree, .na-abstain, .na-reason,
.na-src, .na-note, .na-quote { overflow-wrap: anywhere; word-break: break-word; min-width: 0; }
.na-question { font-size: 1.02rem; font-weight: 600; color: #0f172a; }
.na-lead { position: relative; font-size: 1.08rem; line-height: 1.6; color: #0f172a; border-left: 4px solid #4f46e5;
  padding: .2rem 0 .2rem .9rem; margin: .1rem 0 .5rem 0; }
.na-tip { display: none; position: absolute; left: .9rem; right: 0; top: 100%; z-index: 20; margin-top: .2rem;
  padding: .5rem .7rem; border-radius: .5rem; background: #0f172a; color: #f8fafc; font-size: .84rem;
  font-weight: 400; line-height: 1.45; text-align: left; vertical-align: baseline; letter-spacing: 0;
  box-shadow: 0 6px 18px rgba(15, 23, 42, .25); overflow-wrap: anywhere; word-break: break-word; }
.na-ref:hover .na-tip, .na-ref:focus .na-tip, .na-ref:focus-visible .na-tip { display: block; }
.na-ref:focus-visible { outline: 2px solid #4f46e5; outline-offset: 1px; }
.na-tip-quote { display: block; font-style: italic; }
.na-tip-src { display: block; margin-top: .25rem; color: #cbd5e1; font-size: .76rem; }
.na-ref { display: inline-block; min-width: 1.25rem; padding: 0 .3rem; margin-left: .15rem; border-radius: .6rem;
  background: #eef2ff; color: #4338ca !important; font-size: .72rem; font-weight: 700; text-align: center;
  vertical-align: super; line-height: 1.2rem; text-decoration: none !important; }
.na-note { color: #64748b; font-size: .82rem; margin: .1rem 0 .4rem 0; }
.na-section { font-size: .78rem; font-weight: 700; letter-spacing: .06em; text-transform: uppercase;
  color: #64748b; margin: .9rem 0 .4rem 0; }
.na-cards { display: flex; flex-direction: column; gap: .55rem; }
.na-card { border: 1px solid #e2e8f0; border-radius: .6rem; padding: .6rem .8rem; background: #ffffff;
  box-shadow: 0 1px 2px rgba(15, 23, 42, .04); }
.na-card-related { background: #f8fafc; }
.na-card-head { display: flex; align-items: center; gap: .5rem; font-size: .84rem; margin-bottom: .25rem; }
.na-num { background: #4f46e5; color: white; border-radius: .35rem; padding: 0 .4rem; font-weight: 700;
  font-size: .75rem; }
.na-outlet { font-weight: 700; color: #0f172a; }
.na-date { color: #64748b; }
.na-context { margin: 0; font-size: .9rem; line-height: 1.55; color: #475569; }
.na-context mark { background: #fef08a; color: #0f172a; padding: .05rem .15rem; border-radius: .2rem; }
.na-card-foot { margin-top: .3rem; font-size: .78rem; color: #64748b; }
.na-path { font-size: .74rem; background: #f1f5f9; color: #475569; padding: .05rem .3rem; border-radius: .25rem; }
.na-link { color: #4338ca !important; }
.na-badge { display: inline-block; border-radius: 999px; padding: .12rem .6rem; font-size: .76rem;
  font-weight: 700; white-space: nowrap; }
.na-agree { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin: .25rem 0; font-size: .88rem; }
.na-badge-agree { background: #dcfce7; color: #166534; border: 1px solid #86efac; }
.na-agree-text { color: #0f172a; }
.na-agree-who { color: #64748b; font-size: .8rem; }
.na-abstain { border: 1px solid #fcd34d; background: #fffbeb; color: #78350f; border-radius: .6rem;
  padding: .7rem .9rem; font-size: .92rem; }
.na-abstain-title { font-weight: 800; font-size: 1rem; margin-bottom: .15rem; }
.na-dispute-head { display: flex; flex-wrap: wrap; align-items: center; gap: .6rem; }
.na-kind { background: #fee2e2; color: #991b1b; border: 1px solid #fca5a5; }
.na-kind-blame { background: #ffedd5; color: #9a3412; border-color: #fdba74; }
.na-kind-framing { background: #f3e8ff; color: #6b21a8; border-color: #d8b4fe; }
.na-kind-update { background: #e0f2fe; color: #075985; border-color: #7dd3fc; }
.na-kind-entity, .na-kind-date { background: #ffedd5; color: #9a3412; border-color: #fdba74; }
.na-kind-verdict { background: #f3e8ff; color: #6b21a8; border-color: #d8b4fe; }
.na-about { font-weight: 800; font-size: 1.05rem; color: #0f172a; }
.na-dispute-summary { color: #334155; font-size: .9rem; margin: .3rem 0 .2rem 0; }
.na-side { border-radius: .7rem; padding: .7rem .85rem; border: 1px solid; border-top-width: 5px; height: 100%; }
.na-side-0 { border-color: #2563eb; background: #eff6ff; }
.na-side-1 { border-color: #ea580c; background: #fff7ed; }
.na-side-2 { border-color: #7c3aed; background: #f5f3ff; }
.na-side-3 { border-color: #059669; background: #ecfdf5; }
.na-side-top { display: flex; align-items: baseline; gap: .55rem; }
.na-side-letter { font-size: .72rem; font-weight: 800; color: white; border-radius: .3rem; padding: 0 .38rem; }
.na-side-0 .na-side-letter { background: #2563eb; } .na-side-1 .na-side-letter { background: #ea580c; }
.na-side-2 .na-side-letter { background: #7c3aed; } .na-side-3 .na-side-letter { background: #059669; }
.na-position { font-size: 1.6rem; font-weight: 800; line-height: 1.15; color: #0f172a; }
.na-speaker { font-weight: 600; color: #334155; font-size: .88rem; margin: .2rem 0 .35rem 0; }
.na-quote { margin: .35rem 0 .1rem 0; padding: 0 0 0 .6rem; border-left: 3px solid rgba(15, 23, 42, .18);
  font-style: italic; color: #1e293b; font-size: .9rem; line-height: 1.5; }
.na-quote-meta { font-size: .76rem; color: #64748b; margin-left: .7rem; }
.na-vs { display: flex; justify-content: center; padding-top: 1.6rem; }
.na-vs span { display: inline-flex; align-items: center; justify-content: center; width: 2.1rem; height: 2.1rem;
  border-radius: 50%; background: #0f172a; color: white; font-weight: 800; font-size: .8rem; }
.na-reason { color: #64748b; font-size: .76rem; margin-top: .35rem; }
.na-more summary { cursor: pointer; color: #475569; font-size: .8rem; margin-top: .35rem; }
.na-muted { color: #94a3b8; font-style: italic; }
.na-src { padding: .45rem 0; border-bottom: 1px solid #e2e8f0; }
.na-src-outlet .na-muted { text-transform: none; letter-spacing: 0; font-weight: 400; }
.na-src-outlet { font-size: .72rem; font-weight: 700; letter-spacing: .04em; text-transform: uppercase;
  color: #4f46e5; }
.na-src-title { font-size: .86rem; font-weight: 600; color: #0f172a; line-height: 1.3; }
.na-src-meta { font-size: .74rem; color: #64748b; }
.na-reader { overflow-wrap: anywhere; word-break: break-word; min-width: 0; }
.na-reader-title { font-size: 1.35rem; margin: 0 0 .2rem 0; padding: 0; color: #0f172a; }
.na-reader-meta { font-size: .85rem; color: #64748b; margin-bottom: .8rem; }
.na-reader-text p { font-size: .98rem; line-height: 1.65; color: #1e293b; margin: 0 0 .8rem 0; }
.na-reader-text mark { background: #fef08a; color: #0f172a; padding: .05rem .15rem; border-radius: .2rem;
  scroll-margin: 6rem; }
.na-hero { padding: .4rem 0 .2rem 0; }
.na-hero h1 { font-size: 1.7rem; margin: 0; padding: 0; color: #0f172a; }
.na-hero p { color: #475569; margin: .2rem 0 0 0; font-size: .95rem; }
[class*="st-key-conv-open-"] button { justify-content: flex-start; text-align: left; min-height: 2.2rem;
  padding: .3rem .6rem; }
[class*="st-key-conv-open-"] { flex: 1 1 0; min-width: 0; }
[class*="st-key-conv-open-"] button p { font-size: .88rem; line-height: 1.3; overflow-wrap: anywhere; }
</style>
"""
