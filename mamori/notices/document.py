"""A notice as a small tree of sections, paragraphs, lists and tables, and its two renderings.

Builders (`builders/`) turn a privacy map into this tree; the renderers below turn the tree into
Markdown (CLI, diffs between versions) or accessible HTML (privacy center, embeds). Nothing here
imports Django, so `mamori notices render` needs no settings and no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape


@dataclass
class Paragraph:
    text: str


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Section:
    heading: str
    anchor: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block | None) -> Section:
        self.blocks.extend(block for block in blocks if block is not None)
        return self

    def paragraph(self, text: str | None) -> Section:
        if text:
            self.blocks.append(Paragraph(text))
        return self

    def bullets(self, items: list[str]) -> Section:
        if items:
            self.blocks.append(Bullets(items))
        return self

    @property
    def empty(self) -> bool:
        return not self.blocks


Block = Paragraph | Bullets | Table | Section


@dataclass
class Notice:
    kind: str
    language: str
    title: str
    meta: list[str] = field(default_factory=list)  # "Last modified: ...", "Effective from: ..."
    sections: list[Section] = field(default_factory=list)

    def add(self, section: Section) -> None:
        if not section.empty:
            self.sections.append(section)

    def text(self) -> str:
        """All visible text, for searching (tests) and for checking that nothing is left untranslated."""
        return to_markdown(self)


# ---------------------------------------------------------------- Markdown


def _md_inline(text: str) -> str:
    # Table cells and list items are one line; a pipe would end a cell.
    return text.replace("\n", " ").replace("|", "\\|").strip()


def to_markdown(notice: Notice) -> str:
    lines = [f"# {notice.title}", ""]
    if notice.meta:
        lines += [f"{line}  " for line in notice.meta] + [""]
    for section in notice.sections:
        _md_section(section, 2, lines)
    return "\n".join(lines).rstrip() + "\n"


def _md_section(section: Section, level: int, lines: list[str]) -> None:
    lines += [f"{'#' * min(level, 6)} {section.heading}", ""]
    for block in section.blocks:
        if isinstance(block, Section):
            _md_section(block, level + 1, lines)
        elif isinstance(block, Paragraph):
            lines += [block.text.strip(), ""]
        elif isinstance(block, Bullets):
            lines += [f"- {_md_inline(item)}" for item in block.items] + [""]
        else:
            if block.caption:
                lines += [f"*{block.caption}*", ""]
            lines.append("| " + " | ".join(_md_inline(h) for h in block.headers) + " |")
            lines.append("|" + "|".join(" --- " for _ in block.headers) + "|")
            lines += ["| " + " | ".join(_md_inline(cell) or "—" for cell in row) + " |" for row in block.rows]
            lines.append("")


# ---------------------------------------------------------------- HTML

_LINKABLE = re.compile(r"(https?://[^\s<>\"')\]）」、。]+|/privacy/[^\s<>\"')\]）」、。]*|[\w.+-]+@[\w-]+\.[\w.-]+\w)")  # noqa: RUF001


def _html_inline(text: str) -> str:
    """Escape, then make web addresses and e-mail addresses links (people click them in a notice)."""
    out: list[str] = []
    position = 0
    for match in _LINKABLE.finditer(text):
        out.append(escape(text[position : match.start()]))
        target = match.group(0)
        href = f"mailto:{target}" if "@" in target and "://" not in target else target
        out.append(f'<a href="{escape(href)}">{escape(target)}</a>')
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out).replace("\n", "<br>")


def to_html(notice: Notice, *, heading_level: int = 1) -> str:
    """An `<article>` with the notice's language set, headings in order and table headers marked.

    `heading_level` lets a page that has its own <h1> embed the notice one level down.
    """
    parts = [f'<article class="notice notice-{escape(notice.kind)}" lang="{escape(notice.language)}">']
    parts.append(f"<h{heading_level}>{escape(notice.title)}</h{heading_level}>")
    if notice.meta:
        parts.append('<p class="notice-meta">' + "<br>".join(escape(line) for line in notice.meta) + "</p>")
    if len(notice.sections) > 3:
        toc = "".join(f'<li><a href="#{escape(s.anchor)}">{escape(s.heading)}</a></li>' for s in notice.sections)
        parts.append(f'<nav class="notice-toc" aria-label="{escape(notice.title)}"><ol>{toc}</ol></nav>')
    for section in notice.sections:
        _html_section(section, heading_level + 1, parts)
    parts.append("</article>")
    return "\n".join(parts)


def _html_section(section: Section, level: int, parts: list[str]) -> None:
    tag = f"h{min(level, 6)}"
    parts.append(f'<section id="{escape(section.anchor)}" aria-labelledby="{escape(section.anchor)}-h">')
    parts.append(f'<{tag} id="{escape(section.anchor)}-h">{escape(section.heading)}</{tag}>')
    for block in section.blocks:
        if isinstance(block, Section):
            _html_section(block, level + 1, parts)
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{_html_inline(block.text.strip())}</p>")
        elif isinstance(block, Bullets):
            parts.append("<ul>" + "".join(f"<li>{_html_inline(item)}</li>" for item in block.items) + "</ul>")
        else:
            # A wide table scrolls inside its box on a phone: the box takes keyboard focus to scroll.
            label = escape(block.caption or section.heading)
            parts.append(f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">')
            parts.append('<table class="table">')
            if block.caption:
                parts.append(f"<caption>{escape(block.caption)}</caption>")
            parts.append(
                "<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in block.headers) + "</tr></thead>"
            )
            parts.append("<tbody>")
            for row in block.rows:
                first, *rest = row or [""]
                cells = f'<th scope="row">{_html_inline(first)}</th>' + "".join(
                    f"<td>{_html_inline(cell) or '—'}</td>" for cell in rest
                )
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</tbody></table></div>")
    parts.append("</section>")


def standalone_html(notice: Notice) -> str:
    """A whole printable page (the CLI's `--format html`)."""
    return (
        f'<!doctype html>\n<html lang="{escape(notice.language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(notice.title)}</title>\n'
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.6}"
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;"
        "vertical-align:top}thead th{background:#eee}@media print{nav.notice-toc{display:none}}</style>\n"
        f"</head>\n<body>\n{to_html(notice)}\n</body>\n</html>\n"
    )
