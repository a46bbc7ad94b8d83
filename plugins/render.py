"""Parse one source (Markdown text) once, into HTML for the site and a tree for LaTeX.

``render(text, path, ctx)`` returns a :class:`Doc` with the HTML, the tree, the metadata, the
citations it uses, its labels and figures, and every problem found, each with file and line.
"""

from __future__ import annotations

import math
import os
import posixpath
import re
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
from markdown.extensions.toc import slugify_unicode

from . import fastinline, frontmatter
from .errors import BuildError, Problem
from .markdown_ext import XREF_KINDS, AcxExtension, cite_json

ROOT_TOKEN = "@@ROOT@@/"


@dataclass
class RenderContext:
    """What a document needs from the rest of the build (picklable for worker processes)."""

    bib: dict = field(default_factory=dict)  # key -> bibliography.Entry
    figures: set = field(default_factory=set)  # generated figure names ("deception_phase")
    urls: dict = field(default_factory=dict)  # source path ("posts/x.md") -> site URL ("posts/x/")
    root: str = "."
    bib_suggest: object = None  # callable(key) -> close key, optional
    figure_scripts: dict = field(default_factory=dict)  # figure name -> "figures/x.py"
    repo_url: str = ""  # for "Code" links under figures


@dataclass
class Doc:
    path: str
    meta: dict
    html: str = ""
    tree: object = None
    toc: list = field(default_factory=list)
    citations: list = field(default_factory=list)  # keys in order of first use
    labels: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)  # figure names used
    images: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    words: int = 0
    footnotes: bool = False
    raw_html_lines: list = field(default_factory=list)

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.words / 230))


# --------------------------------------------------------------------------- source scanning
_FENCED = re.compile(r"^([ \t]*)(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\2[`~]*[ \t]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`(`*)(?!`).+?(?<!`)`\1(?!`)", re.S)  # "(`+)...\1" with the first backtick outside the group
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
# "(?<![\\$])\$" written as "\$(?<![\\$]\$)": the same match, but a leading literal lets the regex
# engine jump from dollar sign to dollar sign instead of trying every position.
_INLINE_MATH = re.compile(r"\$(?<![\\$]\$)(?=\S)(?:[^$\n]|\n(?!\s*\n))+?(?<![\s\\])\$")
_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(m: re.Match) -> str:
    return _NOT_NEWLINE.sub(" ", m.group(0))


def mask_source(body: str) -> str:
    """Blank out code (fenced and inline) and math, keeping positions, for locating tokens.

    Each pass runs on the previous pass's result: code hides dollar signs from the math passes."""
    masked = body
    for pattern, needed in ((_FENCED, ("```", "~~~")), (_INLINE_CODE, ("`",)), (_DISPLAY_MATH, ("$$",)), (_INLINE_MATH, ("$",))):
        if any(n in masked for n in needed):
            masked = pattern.sub(_blank, masked)
    return masked


class DocState:
    """Per-document state shared by the extension's processors (``md.acx``)."""

    def __init__(self, md, doc: Doc, ctx: RenderContext, masked: str, first_line: int):
        self.md = md
        self.doc = doc
        self.ctx = ctx
        self.masked = masked
        self.first_line = first_line
        self.blocks = []
        self.xrefs = []
        self.labels = {}
        self.headings = []
        self.images = []
        self.cited = []
        self.tree = None
        self.keep_tree = True  # keep a copy of the finished tree for the LaTeX serializer
        self.body = ""

    # locations ------------------------------------------------------------
    def locate(self, token: str, word=True):
        pat = re.escape(token) + (r"(?![\w:.#$%&+?<>~/-]*[A-Za-z0-9_])" if word else "")
        hits = []
        for m in re.finditer(pat, self.masked):
            line = self.masked.count("\n", 0, m.start())
            col = m.start() - (self.masked.rfind("\n", 0, m.start()) + 1) + 1
            hits.append((line + self.first_line, col))
        return hits

    def problem(self, line, col, message, severity="error", check="markdown"):
        self.doc.problems.append(Problem(self.doc.path, line, col, message, severity, check))

    def error_for_token(self, token, message, check="xref"):
        hits = self.locate(token) or [(self.first_line, 0)]
        for line, col in hits:
            self.problem(line, col, message, check=check)

    def error_for_image(self, src, message):
        hits = self.locate("](" + src, word=False) or [(self.first_line, 0)]
        self.problem(hits[0][0], hits[0][1], message, check="figures")

    def warn(self, message):
        self.problem(self.first_line, 0, message, severity="warning")

    def add_label(self, label, kind, number):
        if label in self.labels:
            self.error_for_token("{#" + label + "}", f"duplicate label '{{#{label}}}': labels must be unique in a piece", check="xref")
        self.labels[label] = (kind, number)

    # citations ------------------------------------------------------------
    def cite_element(self, items, mode):
        span = etree.Element("span", {"class": "citation", "data-cite": cite_json(items, mode)})
        bib = self.ctx.bib
        known = []
        for it in items:
            key = it["key"]
            if key not in bib:
                if not any(p.message.startswith(f"unknown citation key '{key}'") for p in self.doc.problems):
                    hint = self.ctx.bib_suggest(key) if self.ctx.bib_suggest else None
                    extra = f" (did you mean '{hint}'?)" if hint else "; add it to a file in bib/"
                    self.error_for_token("@" + key, f"unknown citation key '{key}'{extra}", check="citations")
            else:
                known.append(it)
                if key not in self.cited:
                    self.cited.append(key)
        if not known:
            span.set("class", "citation missing")
            span.text = "[" + "; ".join("?" + i["key"] for i in items) + "]"
            return span

        def link(parent, key, text):
            a = etree.SubElement(parent, "a", {"class": "cite", "href": f"#ref-{key}", "data-key": key})
            a.text = text
            return a

        if mode == "t":
            it = known[0]
            e = bib[it["key"]]
            loc = f", {it['locator']}" if it["locator"] else ""
            link(span, it["key"], f"{e.authors} ({e.year_label}{loc})")
            return span
        span.text = "("
        last = None
        for i, it in enumerate(known):
            e = bib[it["key"]]
            sep = "; " if i else ""
            pre = (it["prefix"] + " ") if it["prefix"] else ""
            if last is not None:
                last.tail = (last.tail or "") + sep + pre
            else:
                span.text += pre
            label = e.year_label if (it["suppress"] or mode == "year") else e.cite_text("p")
            last = link(span, it["key"], label)
            if it["locator"]:
                last.tail = ", " + it["locator"]
        last.tail = (last.tail or "") + ")"
        return span

    def append_references(self, root):
        if not self.cited:
            return
        bib = self.ctx.bib
        keys = sorted(self.cited, key=lambda k: (bib[k].authors.lower(), bib[k].year_label, bib[k].title.lower(), k))
        sec = etree.SubElement(root, "section", {"class": "references", "id": "references"})
        h = etree.SubElement(sec, "h2", {"class": "unnumbered", "id": "references-title"})
        h.text = "References"
        ol = etree.SubElement(sec, "ol", {"class": "reference-list"})
        for k in keys:
            e = bib[k]
            li = etree.SubElement(ol, "li", {"id": f"ref-{k}", "class": "reference"})
            try:
                frag = etree.fromstring("<span>" + e.html.replace("&nbsp;", "\u00a0") + "</span>")
                frag.set("class", "ref-text")
                li.append(frag)
            except etree.ParseError:
                s = etree.SubElement(li, "span", {"class": "ref-text"})
                s.text = e.text
            links = etree.SubElement(li, "span", {"class": "ref-links"})
            for label, url in e.links:
                a = etree.SubElement(links, "a", {"href": url, "class": "ref-link"})
                a.text = label
                a.tail = " "
        self.headings.append({"id": "references-title", "level": 0, "number": "", "title": "References"})

    # captions -------------------------------------------------------------
    def raw_alt(self, src):
        m = re.search(r"!\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(" + re.escape(src) + r"[\s)]", self.body)
        return m.group(1) if m else None

    def inline_markup(self, el, text):
        holder = etree.Element("div")
        el.text = text
        holder.append(el)
        self.md.treeprocessors["inline"].run(holder)


# --------------------------------------------------------------------------- rendering
_MD = threading.local()  # one Markdown instance per thread, reset between documents


class _Links(markdown.treeprocessors.Treeprocessor):
    """Link rewriting and word counts, inside the tree pass (before serialisation)."""

    def run(self, root):
        _rewrite_links(self.md.acx, root)
        self.md.acx.doc.words = _words(root)


def _make_md(doc, ctx, masked, first_line):
    """A Markdown converter whose ``md.acx`` is a fresh state for this document. Building one costs
    more than converting a short post, so each thread keeps one and resets it (Python-Markdown's
    ``reset`` clears the stash, references and every extension's state)."""

    def factory(md):
        return DocState(md, doc, ctx, masked, first_line)

    md = getattr(_MD, "md", None)
    if md is not None:
        md.acx_extension.state_factory = factory
        md.reset()
        return md
    ext = AcxExtension(state_factory=factory)
    md = markdown.Markdown(
        extensions=[
            "markdown.extensions.footnotes",
            "markdown.extensions.tables",
            "markdown.extensions.attr_list",
            "markdown.extensions.md_in_html",
            "markdown.extensions.sane_lists",
            "markdown.extensions.toc",
            "markdown.extensions.smarty",
            "pymdownx.smartsymbols",
            "pymdownx.tilde",
            "pymdownx.magiclink",
            ext,
        ],
        extension_configs={
            "markdown.extensions.footnotes": {"UNIQUE_IDS": False, "BACKLINK_TITLE": "Back to text"},
            "markdown.extensions.toc": {"slugify": slugify_unicode, "permalink": False},
            "pymdownx.magiclink": {"hide_protocol": False},
            "pymdownx.smartsymbols": {
                "fractions": False,
                "ordinal_numbers": False,
                "copyright": False,
                "registered": False,
                "trademark": False,
                "care_of": False,
            },
        },
        output_format="html",
        tab_length=4,
    )
    fastinline.install(md)
    md.treeprocessors.register(_Links(md), "acx_links", 4)
    md.acx_extension = ext
    _MD.md = md
    return md


_WORD = re.compile(r"\w+")
# ASCII bytes with each character that is not a word character (``\w``) made a space.
_ASCII_WORD_RUNS = bytes(c if chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(128)) + b" " * 128


def count_words(texts) -> int:
    r"""How many runs of word characters (``\w+``) the texts hold, counted in each text. ASCII texts
    are counted by mapping every other character to a space and splitting (six times faster than
    the regular expression, and the same count); the others with the expression."""
    ascii_texts, others = [], []
    for t in texts:
        (ascii_texts if t.isascii() else others).append(t)
    n = len(" ".join(ascii_texts).encode("ascii").translate(_ASCII_WORD_RUNS).split())
    return n + (len(_WORD.findall(" ".join(others))) if others else 0)


_PLACEHOLDER = re.compile("\x02[^\x03]*\x03")  # Python-Markdown's stash and escape markers


def _words(root) -> int:
    """Words of prose: the text of code, math and hidden raw blocks is left out, the text that
    follows them is not; the markers Python-Markdown leaves in the text for what it stashed
    (typographic quotes, escapes) are not words ("don't" is one word, as "dont" would be)."""
    texts = []
    for el in root.iter():
        cls = el.get("class") or ""
        if el.text and el.tag not in ("pre", "code") and "math" not in cls and not cls.startswith("raw-"):
            texts.append(el.text)
        if el.tail:
            texts.append(el.tail)
    return count_words(_PLACEHOLDER.sub("", t) if "\x02" in t else t for t in texts)


_NOT_LOCAL = re.compile(r"^[a-z][a-z0-9+.-]*:|^#|^//", re.I)
_FIGURE_PATH = re.compile(r"^figures/[\w-]+\.(svg|png|pdf)$")


def _rewrite_links(state: DocState, root):
    ctx, doc = state.ctx, state.doc
    here = posixpath.dirname(doc.path)
    for el in root.iter():
        if not el.attrib:
            continue
        for attr in ("href", "src"):
            target = el.get(attr)
            if not target or "\x02" in target or "&#" in target or _NOT_LOCAL.match(target):
                continue
            if target.startswith("/") or target.startswith("\\"):
                state.error_for_token(target, f"absolute path '{target}' in a link: write a path relative to this file", check="links")
                continue
            path, _, frag = target.partition("#")
            if el.tag == "img" and _FIGURE_PATH.match(path):
                name = path.split("/")[1].rsplit(".", 1)[0]
                if name not in ctx.figures:
                    state.error_for_image(
                        target, f"no figure script produces '{name}': add figures/<script>.py that saves '{name}', or fix the name"
                    )
                else:
                    doc.figures.append(name)
                    el.set(attr, f"{ROOT_TOKEN}figures/{name}.svg")
                continue
            joined = posixpath.normpath(posixpath.join(here, path))
            if joined.startswith("..") or posixpath.isabs(joined):
                state.error_for_token(target, f"link '{target}' points outside the repository", check="links")
                continue
            local = os.path.join(ctx.root, joined)
            if os.path.islink(local) and not os.path.realpath(local).startswith(os.path.realpath(ctx.root) + os.sep):
                state.error_for_token(target, f"'{target}' is a symbolic link that leads outside the repository", check="links")
                continue
            if joined in ctx.urls:
                el.set(attr, ROOT_TOKEN + ctx.urls[joined] + (("#" + frag) if frag else ""))
            elif path.endswith((".md", ".ipynb")):
                state.error_for_token(target, f"link to '{target}': no such post or paper ({joined})", check="links")
            else:
                el.set(attr, ROOT_TOKEN + joined + (("#" + frag) if frag else ""))
                doc.images.append(joined)


def render_body(body: str, path: str, meta: dict, ctx: RenderContext, first_line: int = 1, keep_tree: bool = True) -> Doc:
    """Parse and render one document. ``keep_tree=False`` leaves ``Doc.tree`` (the LaTeX
    serializer's input) None, for documents only the site shows."""
    doc = Doc(path=path, meta=meta)
    masked = mask_source(body)
    md = _make_md(doc, ctx, masked, first_line)
    md.acx.body = body
    md.acx.keep_tree = keep_tree
    try:
        html = md.convert(body)
    except RecursionError:
        _MD.md = None  # a converter interrupted mid-document is not reused
        raise BuildError(
            Problem(path, first_line, 0, "document nests too deeply to parse: simplify nested lists, quotes or brackets")
        ) from None
    except BaseException:
        _MD.md = None
        raise
    state = md.acx
    for m in re.finditer(r"(?m)^ {0,3}\[(-?@[^\]\n]+)\]:", masked) if "@" in masked else ():
        doc.problems.append(
            Problem(
                path,
                masked.count("\n", 0, m.start()) + first_line,
                m.start() - masked.rfind("\n", 0, m.start()),
                f"'[{m.group(1)}]:' at the start of a line is a Markdown link definition, so the line disappears:"
                " reword so the citation is not followed by ':'",
                check="citations",
            )
        )
    if "\x02" in html or "\x03" in html:
        html = html.replace("\x02", "").replace("\x03", "")
    doc.html = html
    doc.tree = state.tree
    doc.labels = state.labels
    doc.citations = state.cited
    doc.toc = state.headings
    doc.footnotes = 'class="footnote"' in html
    doc.raw_html_lines = _raw_html_lines(masked, first_line)
    doc.html_stash = list(md.htmlStash.rawHtmlBlocks)
    return doc


def _raw_html_lines(masked: str, first_line: int):
    """Lines holding raw HTML tags (outside code and math), for the LaTeX export's warnings."""
    out = []
    for m in re.finditer(r"<(?!/?(div|details|summary)\b)[A-Za-z][^>\n]*>", masked):
        line = masked.count("\n", 0, m.start()) + first_line
        out.append((line, m.group(0)[:60]))
    return out


def render(text: str, path: str, ctx: RenderContext) -> Doc:
    """Front matter + body. Raises BuildError for front-matter problems."""
    meta, body, first = frontmatter.parse(text, path)
    doc = render_body(body, path, meta, ctx, first)
    return doc


__all__ = ["Doc", "RenderContext", "render", "render_body", "ROOT_TOKEN", "XREF_KINDS"]
