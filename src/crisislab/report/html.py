"""Self-contained HTML: one file with inline CSS and figures embedded as data URIs.

A report must open offline, survive being mailed or archived, and never fetch anything, so it
holds no script, no stylesheet link and no remote image: everything it shows is in the file.
Every piece of text passes through `esc`.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from crisislab.output import write_text
from crisislab.report.plots import plt

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; max-width: 1080px; margin: 2rem auto; padding: 0 1rem; color: #222;
       line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem;
     margin-top: 2.4rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .25rem .55rem; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
th[scope="row"] { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.paired td.num { white-space: normal; }
caption { caption-side: bottom; text-align: left; font-size: .85rem; color: #555;
          padding-top: .3rem; }
figure { margin: 1.2rem 0; }
figure img { width: 100%; height: auto; }
figcaption { font-size: .88rem; color: #444; }
.meta th { background: none; border: none; padding: .05rem 1rem .05rem 0; color: #555; }
.meta td { border: none; padding: .05rem 0; }
.note { background: #f6f8fa; border-left: 4px solid #0072B2; padding: .5rem .9rem; }
details { border: 1px solid #ddd; border-radius: 4px; padding: .4rem .9rem; margin: .7rem 0; }
summary { cursor: pointer; font-weight: 600; }
ol.story { font-size: .88rem; padding-left: 1.4rem; }
ol.story li { margin: .12rem 0; }
nav ul { columns: 2; margin: .3rem 0; }
footer { margin-top: 3rem; font-size: .8rem; color: #777; }
@media print { figure, details, table { break-inside: avoid; } }
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def document(title: str, body: str) -> str:
    """A complete page: the only styling is the inline CSS above."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def para(text: str, cls: str | None = None) -> str:
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def bullets(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    caption: str | None = None,
    text: Collection[int] = (),
    cls: str | None = None,
) -> str:
    """A table whose first column names the row and whose other cells are right-aligned
    numbers, except the columns `text`, which hold words: left-aligned and wrapping. `cls`: a
    class of the table (``paired``: its numbers may wrap at a plain space)."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)

    def cell(i: int, value: object) -> str:
        if i == 0:
            return f'<th scope="row">{esc(value)}</th>'
        return f"<td>{esc(value)}</td>" if i in text else f'<td class="num">{esc(value)}</td>'

    body = "".join(
        "<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>\n" for row in rows
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<table{attr}>{cap}<thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>"


def meta(pairs: Iterable[tuple[str, object]]) -> str:
    """The key facts under the title: scenario, runs, seed, date."""
    rows = "".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in pairs)
    return f'<table class="meta"><tbody>{rows}</tbody></table>'


def figure(fig: Figure, caption: str, alt: str) -> str:
    """Embed a figure as an SVG data URI (crisp at any zoom, no external file) and close it."""
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def section(anchor: str, title: str, *parts: str) -> str:
    return (
        f'<section id="{esc(anchor)}">\n<h2>{esc(title)}</h2>\n' + "\n".join(parts) + "</section>"
    )


def contents(sections: Iterable[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in sections)
    return f'<nav aria-label="contents"><ul>{items}</ul></nav>'


def write_html(text: str, path: str | Path) -> Path:
    """Write the page: a regular file atomically (a reader never sees half a report, a failure
    leaves none), a pipe or device through (see `crisislab.output`)."""
    return write_text(path, text)


def posterior_meta(about: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The posterior a page's runs drew their parameters from, as one line of its header, or
    none."""
    if not about:
        return []
    names = ", ".join(str(n) for n in about.get("parameters", []))
    return [
        (
            "parameters",
            f"drawn from the posterior {about.get('posterior') or '(unnamed)'} "
            f"(sha256 {str(about.get('sha256', ''))[:12]}…; {about.get('particles', 0):,} "
            f"particles, effective size {about.get('effective_size', '?')}; one draw per "
            f"{about.get('runs_per_draw', '?')} runs): {names}",
        )
    ]
