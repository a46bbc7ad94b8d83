"""Notebooks as sources: turn an ``.ipynb`` into the same Markdown the pipeline reads.

Markdown cells pass through unchanged (citations, cross-references and math work as in ``.md``);
code cells become fenced code inside a foldable ``cell`` block; stored outputs become images,
text blocks, sanitized HTML or clearly styled errors. A code cell whose first lines carry Quarto
options ``#| label: fig-x`` and ``#| fig-cap: "…"`` becomes a numbered figure. ``execute()``
re-runs a notebook with nbclient under a per-cell timeout, cached by the code cells and kernel.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

from .errors import BuildError, Problem

ALLOWED_TAGS = {"table", "thead", "tbody", "tr", "th", "td", "caption", "div", "span", "p", "b", "i", "em", "strong", "code", "pre", "br"}


def read(path: Path, rel: str):
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise BuildError(Problem(rel, 1, 0, "notebook is not UTF-8 text")) from None
    except json.JSONDecodeError as exc:
        raise BuildError(Problem(rel, exc.lineno, exc.colno, f"notebook is not valid JSON: {exc.msg}")) from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        got = data.get("nbformat") if isinstance(data, dict) else None
        raise BuildError(Problem(rel, 1, 0, f"unsupported notebook format (nbformat {got!r}): save it as nbformat 4"))
    import nbformat  # imported when a notebook is read (it costs 70 ms, and most builds have none)

    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except (nbformat.ValidationError, KeyError, TypeError, AttributeError) as exc:
        raise BuildError(Problem(rel, 1, 0, f"notebook does not match nbformat 4: {str(exc).splitlines()[0]}")) from None
    return nb


def _options(source: str):
    opts, body = {}, []
    for line in source.split("\n"):
        m = re.match(r"^#\|\s*([\w-]+)\s*:\s*(.*)$", line)
        if m and not body:
            opts[m.group(1)] = m.group(2).strip().strip('"').strip("'")
        else:
            body.append(line)
    return opts, "\n".join(body).strip("\n")


def _sanitize_html(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|iframe|object|embed)\b.*?</\1\s*>", "", markup)
    markup = re.sub(r"(?is)<(script|style|iframe|object|embed)\b[^>]*>", "", markup)

    def tag(m):
        name = m.group(2).lower()
        if name not in ALLOWED_TAGS:
            return ""
        return f"<{m.group(1)}{name}>" if not m.group(1) else f"</{name}>"

    return re.sub(r"<(/?)([A-Za-z][\w-]*)\b[^>]*>", tag, markup)


def _fence(text: str, cls: str) -> str:
    ticks = "````" if "```" in text else "```"
    return f"{ticks}{cls}\n{text.rstrip()}\n{ticks}"


def to_markdown(nb, rel: str):
    """Return (text with front matter, line_map) where line_map[i] = (cell_index, line_in_cell)."""
    parts, line_map = [], []

    def add(text, cell, offset=0):
        lines = text.split("\n")
        for i in range(len(lines)):
            line_map.append((cell, i + 1 + offset))
        parts.append(text)
        parts.append("")
        line_map.append((cell, len(lines) + offset))

    cells = list(nb.cells)
    front = None
    if cells and cells[0].cell_type in ("raw", "markdown") and cells[0].source.lstrip().startswith("---"):
        front = cells.pop(0)
        add(front.source.strip(), 1)
    else:
        raise BuildError(
            Problem(rel, 1, 0, "notebook has no front matter: make the first cell a raw cell holding '---', title:, date:, '---'")
        )
    start = 2
    for idx, cell in enumerate(cells, start=start):
        if cell.cell_type == "markdown":
            add(cell.source, idx)
        elif cell.cell_type == "code":
            opts, code = _options(cell.source)
            blocks = [_fence(code, "python")] if code else []
            figs = []
            for out in cell.get("outputs", []):
                blocks.extend(_output(out, opts, figs))
            text = '::: {.cell-code collapse="false" title="Code"}\n\n' + "\n\n".join(b for b in blocks if b) + "\n\n:::"
            for f in figs:
                text += "\n\n" + f
            add(text, idx)
    return "\n".join(parts), line_map


def _output(out, opts, figs):
    kind = out.get("output_type")
    if kind == "stream":
        return [_fence(out.get("text", ""), "text")]
    if kind == "error":
        tb = "\n".join(re.sub(r"\x1b\[[0-9;]*m", "", line) for line in out.get("traceback", []))
        return ["::: {.cell-error}\n\n" + _fence(tb or f"{out.get('ename')}: {out.get('evalue')}", "text") + "\n\n:::"]
    data = out.get("data", {})
    for mime in ("image/svg+xml", "image/png", "image/jpeg"):
        if mime in data:
            payload = data[mime]
            if isinstance(payload, list):
                payload = "".join(payload)
            b64 = base64.b64encode(payload.encode()).decode() if mime == "image/svg+xml" else payload.replace("\n", "")
            uri = f"data:{mime};base64,{b64}"
            label = opts.get("label", "")
            cap = opts.get("fig-cap") or opts.get("fig-alt") or "Output of a notebook cell."
            attr = f"{{#{label}}}" if label.startswith("fig-") else ""
            figs.append(f"![{cap}]({uri}){attr}")
            return []
    if "text/html" in data:
        markup = data["text/html"]
        markup = "".join(markup) if isinstance(markup, list) else markup
        return ['<div class="cell-output" markdown="0">' + _sanitize_html(markup) + "</div>"]
    if "text/plain" in data:
        txt = data["text/plain"]
        return [_fence("".join(txt) if isinstance(txt, list) else txt, "text")]
    return []


def map_problem(p: Problem, line_map) -> Problem:
    if 1 <= p.line <= len(line_map):
        cell, line = line_map[p.line - 1]
        return Problem(p.path, line, p.col, f"{p.message} (cell {cell})", p.severity, p.check)
    return p


def code_hash(nb) -> str:
    h = hashlib.sha256()
    h.update(str(nb.metadata.get("kernelspec", {}).get("name", "python3")).encode())
    for c in nb.cells:
        if c.cell_type == "code":
            h.update(c.source.encode() + b"\0")
    return h.hexdigest()[:20]


def execute(nb, rel: str, cache: Path, timeout: int = 60):
    """Run the notebook (cached by its code); an error names the cell."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    key = code_hash(nb)
    cached = cache / f"{key}.ipynb"
    if cached.is_file():
        return nbformat.read(cached, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": "."}})
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as exc:
        index = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))
            ),
            None,
        )
        where = f"cell {index + 1}" if index is not None else "a cell"
        first = html.unescape(str(exc)).strip().splitlines()
        raise BuildError(Problem(rel, 1, 0, f"notebook execution failed in {where}: {first[-1] if first else exc}")) from None
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    nbformat.write(nb, tmp)
    tmp.replace(cached)
    return nb
