"""Serialize a rendered document to LaTeX: the second renderer of the one parse.

``render.render`` (or ``site.parse_one``) parses Markdown once and keeps a snapshot of the finished
tree on ``Doc.tree``. :func:`to_latex` walks that tree and writes the body of a LaTeX document
(headings with labels, natbib citations, cross-references with ``\\ref``, math, figures, booktabs
tables, listings, callouts, footnotes). It never parses Markdown again.

Prose is escaped with pylatexenc (special characters, quotes, dashes, Unicode), so nothing an
author types outside math and an explicit ```` ```{=latex} ```` block can run as LaTeX. Math is
passed through after a check that it uses no file, shell or definition primitives.
"""

from __future__ import annotations

import base64
import binascii
import html as htmllib
import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from markdown.util import HTML_PLACEHOLDER_RE
from pylatexenc.latexencode import RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

from .errors import Problem
from .render import ROOT_TOKEN

AMP_RE = re.compile("\x02amp\x03(#?\\w+;)")
FN_NBSP = "qq3936677670287331zz"  # Python-Markdown footnotes' placeholder for a no-break space
FN_BACK = "zz1337820767766393qq"
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
HEADINGS = ("section", "subsection", "subsubsection", "paragraph", "subparagraph")
XREF_WORDS = {"fig": "Figure", "tbl": "Table", "eq": "Equation", "sec": "Section"}
CALLOUT_KINDS = ("note", "tip", "warning", "important", "caution")
# Markdown info string -> listings language (only languages listings ships).
LST_LANGS = {
    "python": "Python",
    "py": "Python",
    "python3": "Python",
    "ipython": "Python",
    "pycon": "Python",
    "bash": "bash",
    "sh": "bash",
    "shell": "bash",
    "console": "bash",
    "zsh": "bash",
    "c": "C",
    "cpp": "C++",
    "c++": "C++",
    "java": "Java",
    "r": "R",
    "sql": "SQL",
    "html": "HTML",
    "xml": "XML",
    "tex": "TeX",
    "latex": "TeX",
    "haskell": "Haskell",
    "ruby": "Ruby",
    "perl": "Perl",
    "matlab": "Matlab",
    "fortran": "Fortran",
    "lisp": "Lisp",
    "make": "make",
    "makefile": "make",
}
# Primitives that read or write files, run programs or redefine things: refused in math.
MATH_FORBIDDEN = re.compile(
    r"\\(input|include|includeonly|InputIfFileExists|IfFileExists|write|immediate|openin|openout|read|readline|"
    r"catcode|lccode|uccode|def|edef|gdef|xdef|let|futurelet|csname|expandafter|usepackage|RequirePackage|"
    r"documentclass|special|pdf[a-z]*|directlua|newcommand|renewcommand|providecommand|DeclareRobustCommand|"
    r"makeatletter|endinput|verb|url|href|begin\s*\{\s*(document|filecontents)|end\s*\{\s*document)(?![A-Za-z])"
)
# Macros pylatexenc may emit that the preprint's fonts and packages lack (found by compiling every
# character pylatexenc knows with the template's preamble): such characters print as "?".
_UNSUPPORTED = re.compile(
    r"\\(cyr[A-Za-z]*|CYR[A-Za-z]*|C|U|DownArrowUpArrow|VDash|allequal|approxnotequal|arrowwaveleft|arrowwaveright|"
    r"clockoint|clwintegral|dblarrowupdown|estimates|flat|forcesextra|hermitconjmatrix|homothetic|image|lazysinv|"
    r"mathscr|natural|notgreaterless|notlessgreater|nument|original|precedesnotsimilar|quarternote|recorder|"
    r"rightangle|rightanglearc|sharp|sqrint|starequal|surfintegral|textfrac|textglotstop|texthvlig|textnrleg|"
    r"textphi|textschwa|textturnk|tildetrpl|truestate|udots|varperspcorrespond|verymuchgreater|verymuchless|"
    r"volintegral)(?![A-Za-z])"
)
_MATH_ONLY = re.compile(r"\\(varepsilon|acute|ddot|iota|Upsilon)(?![A-Za-z])")

# ---------------------------------------------------------------------------------- escaping
_PROSE_RULES = {
    ord("<"): r"\textless{}",
    ord(">"): r"\textgreater{}",
    ord("|"): r"\textbar{}",
    ord("`"): r"\textasciigrave{}",
    ord('"'): r"\textquotedbl{}",
    ord("\u00a0"): "~",
}
_CODE_RULES = {
    **_PROSE_RULES,
    ord("'"): r"\textquotesingle{}",
    ord("-"): "-{}",
    ord("\u2013"): r"\textendash{}",
    ord("\u2014"): r"\textemdash{}",
}
_STATE = threading.local()  # characters with no LaTeX form met by this thread's current export


def _unknown(ch):
    return "{?}"


def _encoder(extra):
    return UnicodeToLatexEncoder(
        conversion_rules=[UnicodeToLatexConversionRule(rule_type=RULE_DICT, rule=extra), "defaults"],
        non_ascii_only=False,
        replacement_latex_protection="braces",
        unknown_char_policy=_unknown,
        unknown_char_warning=False,
    )


_PROSE = _encoder(_PROSE_RULES)
_CODE = _encoder(_CODE_RULES)
_CHAR_CACHE: dict = {}


def _char(ch: str, enc) -> str:
    """One non-ASCII character in LaTeX, or "{?}" (recorded) when the preprint cannot typeset it."""
    key = (ch, id(enc))
    hit = _CHAR_CACHE.get(key)
    if hit is None:
        hit = enc.unicode_to_latex(ch)
        if _UNSUPPORTED.search(hit) or ("ensuremath" not in hit and _MATH_ONLY.search(hit)) or hit == ch:
            hit = "{?}"
        _CHAR_CACHE[key] = hit
    if hit == "{?}":
        unknown = getattr(_STATE, "unknown", None)
        if unknown is not None:
            unknown.add(ch)
    return hit


def _encode(text: str, enc) -> str:
    text = unicodedata.normalize("NFC", CONTROL_RE.sub("", text))
    if text.isascii():
        return enc.unicode_to_latex(text)
    out, run = [], []
    for c in text:
        if c.isascii():
            run.append(c)
            continue
        if run:
            out.append(enc.unicode_to_latex("".join(run)))
            run = []
        out.append(_char(c, enc))
    if run:
        out.append(enc.unicode_to_latex("".join(run)))
    return "".join(out)


def smart_quotes(text: str) -> str:
    """Straight quotes to typographic ones (opening after a space or an opening bracket)."""
    text = re.sub(r'(^|(?<=[\s(\[{\u2014\u2013/-]))"', "\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(r"(^|(?<=[\s(\[{\u2014\u2013/-]))'", "\u2018", text)
    return text.replace("'", "\u2019")


def escape(text: str) -> str:
    """Plain text to LaTeX that typesets the same characters; nothing in it runs as a command."""
    return _encode(smart_quotes(text), _PROSE)


def escape_code(text: str) -> str:
    """Text for ``\\texttt``: every character literal, straight quotes, no dash ligatures."""
    return _encode(text.replace("\t", "    "), _CODE)


def label(ident: str) -> str:
    """A LaTeX-safe label for an HTML id (ASCII letters, digits and ``-_:.``)."""
    return re.sub(r"[^A-Za-z0-9_:.\-]", lambda m: f"-u{ord(m.group()):x}-", ident or "")


def url_arg(url: str) -> str:
    """A URL for ``\\href``/``\\url`` that survives being inside another command's argument."""
    out = []
    for ch in url:
        if ch in "#%":
            out.append("\\" + ch)
        elif ch in '\\{}^~ "<>|`' or ord(ch) > 126 or ord(ch) < 33:
            out.extend(f"\\%{b:02X}" for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    return "".join(out)


def strip_comments(tex: str) -> str:
    """Remove ``%`` comments (and the line end they eat) from LaTeX source, keeping ``\\%``."""
    out, i, n = [], 0, len(tex)
    while i < n:
        c = tex[i]
        if c == "\\" and i + 1 < n:
            out.append(tex[i : i + 2])
            i += 2
            continue
        if c == "%":
            j = tex.find("\n", i)
            if j < 0:
                break
            i = j + 1
            while i < n and tex[i] in " \t":
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _balanced(tex: str) -> bool:
    depth, i = 0, 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def _math_chars(tex: str) -> str:
    out = []
    for ch in tex:
        if ch.isascii():
            out.append(ch)
            continue
        enc = _char(ch, _PROSE)
        m = re.fullmatch(r"\{?\\ensuremath\{(.*)\}\}?", enc)
        out.append(m.group(1) if m else ("\\text{" + enc + "}" if enc != "{?}" else "?"))
    return "".join(out)


# ---------------------------------------------------------------------------------- result
@dataclass
class Export:
    body: str
    images: dict = field(default_factory=dict)  # bundle path -> ("figure", name) | ("file", rel) | ("data", bytes)
    problems: list = field(default_factory=list)  # Problem (warnings and errors)
    anchors: list = field(default_factory=list)  # (body line, source line) for each top-level block
    unknown_chars: set = field(default_factory=set)
    citations: list = field(default_factory=list)


def _cls(el) -> list:
    return (el.get("class") or "").split()


def _text(el) -> str:
    return "".join(el.itertext())


class _Writer:
    def __init__(self, doc, base_url: str, source: str | None):
        self.doc = doc
        self.base_url = base_url.rstrip("/") + "/" if base_url else ""
        self.source = source
        self.out = Export(body="")
        self.notes = {}
        self.active_notes: set = set()
        self.done_notes: set = set()
        self.ids = set()
        self.arg = 0  # inside a command argument: no verbatim, no floats
        self.nest = 0  # inside an environment: no floats
        self.cell = 0  # inside a table cell
        self.defer = 0  # footnotes become \footnotemark + deferred \footnotetext
        self.deferred: list[str] = []
        self.lists = {"itemize": 0, "enumerate": 0, "all": 0}
        self.raw_html = 0
        self.image_names = {}
        tree = doc.tree
        for el in tree.iter():
            if el.get("id"):
                self.ids.add(el.get("id"))
        for div in tree.iter("div"):
            if "footnote" in _cls(div):
                for li in div.iter("li"):
                    if li.get("id"):
                        self.notes[li.get("id")] = li
        heads = []
        self._collect_heads(tree, heads)
        self.top = min(heads, default=2)

    def _collect_heads(self, el, heads):
        for child in el:
            if child.tag == "section" and "references" in _cls(child):
                continue
            if child.tag == "div" and "footnote" in _cls(child):
                continue
            if re.fullmatch(r"h[1-6]", child.tag):
                heads.append(int(child.tag[1]))
            self._collect_heads(child, heads)

    # ------------------------------------------------------------------ problems
    def _line(self, snippet: str) -> int:
        if not self.source or not snippet:
            return 1
        snippet = snippet.strip()
        for cand in (snippet, snippet[:60], snippet.split("\n")[0][:40], " ".join(snippet.split()[:6])):
            if cand and cand in self.source:
                return self.source[: self.source.index(cand)].count("\n") + 1
        words = re.findall(r"\w{4,}", snippet)
        for w in words[:5]:
            m = re.search(r"\b" + re.escape(w) + r"\b", self.source)
            if m:
                return self.source[: m.start()].count("\n") + 1
        return 1

    def problem(self, line, message, severity="error"):
        self.out.problems.append(Problem(self.doc.path, line or 1, 0, message, severity, "papers"))

    # ------------------------------------------------------------------ text
    def text(self, s: str | None, code=False) -> str:
        if not s:
            return ""
        s = AMP_RE.sub(lambda m: htmllib.unescape("&" + m.group(1)), s)
        s = s.replace(FN_NBSP, "").replace(FN_BACK, "")
        parts = []
        pos = 0
        for m in HTML_PLACEHOLDER_RE.finditer(s):
            parts.append(s[pos : m.start()])
            parts.append(self._stashed(int(m.group(1))))
            pos = m.end()
        parts.append(s[pos:])
        s = "".join(parts).replace("\x02", "").replace("\x03", "")
        if not code:
            s = re.sub(r"[ \t]*\n[ \t\n]*", "\n", s)
        return escape_code(s) if code else escape(s)

    def _stashed(self, idx: int) -> str:
        stash = getattr(self.doc, "html_stash", None) or []
        snippet = str(stash[idx]) if idx < len(stash) else ""
        if re.fullmatch(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);", snippet.strip()):
            return htmllib.unescape(snippet.strip())
        self.raw_html += 1
        return ""

    # ------------------------------------------------------------------ inline
    def inline(self, el, skip=()) -> str:
        out = [self.text(el.text)]
        for child in el:
            if child in skip:
                out.append(self.text(child.tail))
                continue
            out.append(self.inline_el(child))
            out.append(self.text(child.tail))
        return "".join(out)

    def inline_el(self, el) -> str:
        tag, cls = el.tag, _cls(el)
        if tag in ("em", "i"):
            return "\\emph{" + self.inline(el) + "}"
        if tag in ("strong", "b"):
            return "\\textbf{" + self.inline(el) + "}"
        if tag in ("del", "s"):
            return "\\acxstrike{" + self.inline(el) + "}"
        if tag == "sub":
            return "\\textsubscript{" + self.inline(el) + "}"
        if tag == "sup":
            a = el.find("a")
            if (el.get("id") or "").startswith("fnref") or (a is not None and "footnote-ref" in _cls(a)):
                return self.footnote(a)
            return "\\textsuperscript{" + self.inline(el) + "}"
        if tag == "code":
            # inline code text is kept HTML-escaped by Python-Markdown (code_escape)
            return "\\texttt{" + self.text(htmllib.unescape(_text(el)), code=True) + "}"
        if tag == "br":
            return " " if self.cell else "\\leavevmode\\\\{}\n"
        if tag == "span":
            if "citation" in cls:
                return self.citation(el)
            if "math" in cls and "inline" in cls:
                return self.math_inline(_text(el))
            if "fig-num" in cls:
                return ""
            return self.inline(el)
        if tag == "a":
            return self.link(el)
        if tag == "img":
            return self.text(el.get("alt") or "")
        if tag in ("p", "div", "li"):
            return self.inline(el)
        return self.inline(el)

    def footnote(self, a) -> str:
        if a is None:
            return ""
        ident = (a.get("href") or "").lstrip("#")
        li = self.notes.get(ident)
        if li is None or ident in self.active_notes:
            return ""  # a note that refers to itself
        lab = "\\label{" + label("note-" + ident) + "}"
        if ident in self.done_notes:  # the same note again: its number, as the site shows it
            return "\\textsuperscript{\\ref{" + label("note-" + ident) + "}}"
        self.done_notes.add(ident)
        self.active_notes.add(ident)
        saved = self.arg
        self.arg += 1
        self.nest += 1
        body = self.flow(li, in_note=True).strip()
        self.arg = saved
        self.nest -= 1
        self.active_notes.discard(ident)
        if self.defer:
            self.deferred.append("\\footnotetext{" + lab + body + "}")
            return "\\protect\\footnotemark{}"
        return "\\footnote{" + lab + body + "}"

    def link(self, a) -> str:
        cls = _cls(a)
        if "footnote-backref" in cls:
            return ""
        if "xref" in cls and a.get("data-xref"):
            lab = a.get("data-xref")
            kind = lab.split("-", 1)[0]
            known = self.doc.labels.get(lab)
            if not known or known[1] is None or kind not in XREF_WORDS:
                return self.text(_text(a))
            ref = "\\ref{" + label(lab) + "}"
            return f"{XREF_WORDS[kind]}~({ref})" if kind == "eq" else f"{XREF_WORDS[kind]}~{ref}"
        href = a.get("href") or ""
        href = AMP_RE.sub(lambda m: htmllib.unescape("&" + m.group(1)), href)
        inner = self.inline(a)
        if href.startswith("#"):
            target = href[1:]
            if target in self.ids and not target.startswith("fn"):
                return "\\hyperref[" + label(target) + "]{" + inner + "}"
            return inner
        if href.startswith(ROOT_TOKEN):
            if not self.base_url:
                return inner
            href = self.base_url + href[len(ROOT_TOKEN) :]
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href):
            return inner
        if _text(a).strip() == href:
            return "\\url{" + url_arg(href) + "}"
        return "\\href{" + url_arg(href) + "}{" + inner + "}"

    def citation(self, span) -> str:
        if "missing" in _cls(span):
            return self.text(_text(span))
        try:
            data = json.loads(span.get("data-cite") or "")
        except ValueError:
            return self.text(_text(span))
        bib = {a.get("data-key") for a in span.iter("a")}
        items = [i for i in data.get("items", []) if i.get("key") in bib]
        if not items:
            return self.text(_text(span))
        for it in items:
            if it["key"] not in self.out.citations:
                self.out.citations.append(it["key"])
        mode = data.get("mode", "p")

        def opt(s):
            return self.text(s or "").replace("[", "{[}").replace("]", "{]}")

        def keyarg(k):
            return "{" + k + "}"

        first = items[0]
        if mode == "t":
            loc = f"[{opt(first['locator'])}]" if first["locator"] else ""
            return f"\\citet{loc}{keyarg(first['key'])}"
        if mode == "year" or (len(items) == 1 and first.get("suppress")):
            pre, loc = first.get("prefix"), first.get("locator")
            args = f"[{opt(pre)}][{opt(loc)}]" if pre else (f"[{opt(loc)}]" if loc else "")
            return f"\\citeyearpar{args}{keyarg(first['key'])}"
        simple = not any(i.get("suppress") for i in items)
        simple = simple and not any(i.get("prefix") for i in items[1:]) and not any(i.get("locator") for i in items[:-1])
        if simple:
            pre, loc = first.get("prefix"), items[-1].get("locator")
            args = f"[{opt(pre)}][{opt(loc)}]" if pre else (f"[{opt(loc)}]" if loc else "")
            return f"\\citep{args}{{{','.join(i['key'] for i in items)}}}"
        parts = []
        for i in items:
            pre = (opt(i["prefix"]) + " ") if i.get("prefix") else ""
            if i.get("suppress"):
                cmd = f"\\citeyear{{{i['key']}}}" + (", " + opt(i["locator"]) if i.get("locator") else "")
            else:
                cmd = (f"\\citealp[{opt(i['locator'])}]" if i.get("locator") else "\\citealp") + f"{{{i['key']}}}"
            parts.append(pre + cmd)
        return "\\citetext{" + "; ".join(parts) + "}"

    def math_inline(self, text: str) -> str:
        tex = text
        if tex.startswith("\\(") and tex.endswith("\\)"):
            tex = tex[2:-2]
        checked = self.math_check(tex)
        if checked is None:
            return "\\texttt{" + self.text("$" + tex + "$", code=True) + "}"
        return "\\(" + checked + "\\)"

    def math_check(self, tex: str):
        """The math with bare % and # escaped, or None (and an error) when it cannot be used."""
        m = MATH_FORBIDDEN.search(tex)
        if m:
            self.problem(self._line(tex), f"math uses '{m.group(0)}', which the LaTeX export does not allow: remove it")
            return None
        if not _balanced(tex):
            self.problem(self._line(tex), "math has unbalanced braces { }: check it")
            return None
        tex = re.sub(r"(?<!\\)((?:\\\\)*)([%#])", r"\1\\\2", tex)
        tex = _math_chars(CONTROL_RE.sub("", tex))
        return tex

    # ------------------------------------------------------------------ blocks
    def flow(self, el, in_note=False) -> str:
        """Mixed content of a container: runs of inline nodes become paragraphs."""
        chunks, run = [], [self.text(el.text)]

        def flush():
            para = "".join(run).strip()
            run.clear()
            if para:
                chunks.append(para + "\n\n")

        for child in el:
            if in_note and child.tag == "a" and "footnote-backref" in _cls(child):
                run.append(self.text(child.tail))
                continue
            if self.is_block(child):
                flush()
                chunks.append(self.block(child))
                run.append(self.text(child.tail))
            else:
                run.append(self.inline_el(child))
                run.append(self.text(child.tail))
        flush()
        return "".join(chunks)

    def is_block(self, el) -> bool:
        if el.tag in ("p", "ul", "ol", "blockquote", "pre", "table", "figure", "hr", "section", "details", "summary", "dl"):
            return True
        if re.fullmatch(r"h[1-6]", el.tag):
            return True
        return el.tag == "div"

    def block(self, el) -> str:
        tag, cls = el.tag, _cls(el)
        if tag == "p":
            text = self.inline(el).strip()
            return (text + "\n\n") if text else ""
        if re.fullmatch(r"h[1-6]", tag):
            return self.heading(el)
        if tag in ("ul", "ol"):
            return self.listing(el)
        if tag == "blockquote":
            return self.env("quote", el)
        if tag == "pre":
            code = el.find("code")
            lang = ""
            if code is not None:
                lang = (code.get("class") or "").replace("language-", "").split()[0] if code.get("class") else ""
                return self.code_block(_text(code), lang)
            return self.code_block(_text(el), "")
        if tag == "table":
            return self.table(el)
        if tag == "figure":
            return self.figure(el)
        if tag == "hr":
            return "\\par\\medskip\\noindent\\hfil\\rule{0.4\\linewidth}{0.4pt}\\hfil\\par\\medskip\n\n"
        if tag == "section":
            if "references" in cls:
                return ""
            return self.flow(el)
        if tag == "div" and "footnote" in cls:
            return ""
        if tag == "div" and "math" in cls and "display" in cls:
            return self.math_display(el)
        if tag == "div" and any(c.startswith("raw-") for c in cls):
            if "raw-latex" in cls:
                return strip_comments(str(el.text or "")).strip("\n") + "\n\n"
            self.problem(self._line("{=" + cls[0][4:] + "}"), f"a ```{{={cls[0][4:]}}} block is left out of the LaTeX export", "warning")
            return ""
        if "callout" in cls and tag in ("div", "details"):
            return self.callout(el)
        if tag == "summary":
            if "fold-title" in cls:
                return ""  # a fold's label ("Code") means nothing on paper
            return "\\textbf{" + self.inline(el) + "}\n\n"
        return self.flow(el)

    def heading(self, el) -> str:
        level = int(el.tag[1]) - self.top
        ident = el.get("id")
        self.defer += 1
        title = self.inline(el).strip()
        self.defer -= 1
        notes = "".join(self.deferred)
        self.deferred.clear()
        lab = ("\\label{" + label(ident) + "}") if ident else ""
        if self.nest or self.arg:
            anchor = ("\\phantomsection" + lab) if lab else ""
            return f"\\par\\medskip\\noindent\\textbf{{{title}}}{anchor}\\par\n{notes}\n"
        cmd = HEADINGS[min(max(level, 0), len(HEADINGS) - 1)]
        star = "*" if "unnumbered" in _cls(el) else ""
        if star and lab:
            lab = "\\phantomsection" + lab
        return f"\\{cmd}{star}{{{title}}}{lab}\n{notes}\n"

    def env(self, name, el, body_fn=None) -> str:
        if self.lists["all"] >= 5:
            return self.flow(el)
        self.lists["all"] += 1
        self.nest += 1
        body = body_fn() if body_fn else self.flow(el)
        self.nest -= 1
        self.lists["all"] -= 1
        return f"\\begin{{{name}}}\n{body.strip()}\n\\end{{{name}}}\n\n"

    def listing(self, el) -> str:
        kind = "enumerate" if el.tag == "ol" else "itemize"
        items = [li for li in el if li.tag == "li"]
        if not items:
            return ""
        if self.lists[kind] >= 4 or self.lists["all"] >= 5:
            out = []
            n = int(el.get("start") or 1) if el.get("start", "1").isdigit() else 1
            for i, li in enumerate(items):
                mark = f"{n + i}." if kind == "enumerate" else "\\textbullet"
                out.append(f"\\par\\noindent{{}}{mark}~{self.flow(li).strip()}\n\n")
            return "".join(out)
        self.lists[kind] += 1
        self.lists["all"] += 1
        self.nest += 1
        out = [f"\\begin{{{kind}}}\n"]
        start = el.get("start")
        if kind == "enumerate" and start and start.isdigit() and int(start) != 1:
            counter = "enum" + "i" * self.lists[kind]
            out.append(f"\\setcounter{{{counter}}}{{{int(start) - 1}}}\n")
        for li in items:
            body = self.flow(li).strip()
            out.append("\\item{} " + (body if body else "\\mbox{}") + "\n")
        out.append(f"\\end{{{kind}}}\n\n")
        self.nest -= 1
        self.lists["all"] -= 1
        self.lists[kind] -= 1
        return "".join(out)

    def code_block(self, code: str, lang: str) -> str:
        code = CONTROL_RE.sub("", str(code).replace("\t", "    ")).rstrip("\n")
        bad = "\\end{lstlisting}" in code or "(*@" in code or "@*)" in code
        if self.arg or self.cell or bad:
            lines = [re.sub(r"(?<= ) |^ ", "~", escape_code(ln)) or "\\mbox{}" for ln in code.split("\n")]
            return "\\par\\noindent{\\ttfamily\\small{}" + "\\\\{}\n".join(lines) + "\\par}\n\n"
        body = "".join(c if c.isascii() else "(*@" + _char(c, _PROSE) + "@*)" for c in code)
        opt = (
            f"[language={LST_LANGS[lang.lower()]}]" if lang.lower() in LST_LANGS else "[]"
        )  # [] so code starting with '[' is not read as options
        return f"\\begin{{lstlisting}}{opt}\n{body}\n\\end{{lstlisting}}\n\n"

    def math_display(self, el) -> str:
        tex = str(el.text or "").strip()
        checked = self.math_check(tex)
        if checked is None:
            return self.code_block("$$" + tex + "$$", "")
        if "\\\\" in checked and "\\begin" not in checked:
            env = "aligned" if "&" in checked else "gathered"
            checked = f"\\begin{{{env}}}\n{checked}\n\\end{{{env}}}"
        ident = el.get("id")
        if ident and ident in self.doc.labels:
            return f"\\begin{{equation}}\n{checked}\n\\label{{{label(ident)}}}\n\\end{{equation}}\n\n"
        return f"\\[\n{checked}\n\\]\n\n"

    def callout(self, el) -> str:
        kind = next((c.split("-", 1)[1] for c in _cls(el) if c.startswith("callout-")), "note")
        kind = kind if kind in CALLOUT_KINDS else "note"
        head = next((c for c in el if "callout-title" in _cls(c)), None)
        self.arg += 1
        title = self.inline(head).strip() if head is not None else kind.capitalize()
        self.arg -= 1
        if self.arg or self.lists["all"] >= 5:
            return f"\\par\\noindent\\textbf{{{title}}}\\par\n" + self.flow_without(el, head)
        self.lists["all"] += 1
        self.nest += 1
        body = self.flow_without(el, head).strip()
        self.nest -= 1
        self.lists["all"] -= 1
        return f"\\begin{{callout}}{{callout{kind}}}{{{title}}}\n{body}\n\\end{{callout}}\n\n"

    def flow_without(self, el, skip) -> str:
        import copy

        clone = copy.copy(el)
        clone[:] = [c for c in el if c is not skip]
        if skip is not None:
            clone.text = (el.text or "") + (skip.tail or "")
        return self.flow(clone)

    # ------------------------------------------------------------------ floats
    def caption(self, cap) -> str:
        if cap is None:
            return ""
        self.defer += 1
        self.arg += 1
        text = self.inline(cap).strip()
        self.arg -= 1
        self.defer -= 1
        return text

    def _float_end(self) -> str:
        notes = "".join(self.deferred)
        self.deferred.clear()
        return notes

    def figure(self, fig) -> str:
        img = fig.find("img")
        cap = fig.find("figcaption")
        ident = fig.get("id")
        numbered = bool(ident and ident in self.doc.labels and self.doc.labels[ident][1] is not None)
        text = self.caption(cap)
        graphic = self.graphic(img) if img is not None else None
        if graphic is None:
            graphic = "\\fbox{\\parbox{0.6\\linewidth}{\\centering\\small (image not available in this version)}}"
        lab = ("\\label{" + label(ident) + "}") if numbered else ""
        capcmd = "\\caption" if numbered else "\\caption*"
        if self.nest or self.arg or self.cell:
            capcmd = "\\captionof{figure}" if numbered else "\\captionof*{figure}"
            body = f"\\begin{{center}}\n{graphic}\n{capcmd}{{{text}}}{lab}\n\\end{{center}}\n"
        else:
            body = f"\\begin{{figure}}[tbp]\n\\centering\n{graphic}\n{capcmd}{{{text}}}{lab}\n\\end{{figure}}\n"
        return body + self._float_end() + "\n"

    def graphic(self, img):
        src = img.get("src") or ""
        m = re.fullmatch(re.escape(ROOT_TOKEN) + r"figures/([\w-]+)\.svg", src)
        spec, ext, base = None, None, None
        if m:
            spec, ext, base = ("figure", m.group(1)), ".pdf", m.group(1)
        elif src.startswith(ROOT_TOKEN) and re.search(r"\.(png|jpe?g|pdf)$", src, re.I):
            rel = src[len(ROOT_TOKEN) :]
            ext = "." + rel.rsplit(".", 1)[1].lower().replace("jpeg", "jpg")
            spec, base = ("file", rel), rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        else:
            dm = re.match(r"data:image/(png|jpeg);base64,(.*)$", src, re.S)
            if dm:
                try:
                    data = base64.b64decode(dm.group(2), validate=False)
                    spec, ext, base = ("data", data), ".png" if dm.group(1) == "png" else ".jpg", f"cell-{len(self.out.images) + 1}"
                except (binascii.Error, ValueError):
                    spec = None
        if spec is None:
            what = src[:40] + ("…" if len(src) > 40 else "")
            self.problem(
                self._line(img.get("alt") or ""),
                f"image '{what}' cannot go into the LaTeX export (generated figures, PNG, JPEG and PDF only): it is left out",
                "warning",
            )
            return None
        key = (spec[0], spec[1] if spec[0] != "data" else base)
        if key in self.image_names:
            name = self.image_names[key]
        else:
            safe = re.sub(r"[^A-Za-z0-9_+\-=,]", "-", base).strip("-") or "figure"
            name = f"figures/{safe}{ext}"
            i = 2
            while name in self.out.images:
                name = f"figures/{safe}-{i}{ext}"
                i += 1
            self.image_names[key] = name
            self.out.images[name] = spec
        return f"\\includegraphics[width=0.8\\linewidth,height=0.45\\textheight,keepaspectratio]{{{name}}}"

    def table(self, table) -> str:
        cap = table.find("caption")
        ident = table.get("id")
        numbered = bool(ident and ident in self.doc.labels and self.doc.labels[ident][1] is not None)
        text = self.caption(cap) if cap is not None else ""
        rows = []
        for part in table:
            if part.tag in ("thead", "tbody", "tfoot"):
                rows.extend((part.tag, tr) for tr in part if tr.tag == "tr")
            elif part.tag == "tr":
                rows.append(("tbody", part))
        ncols = max((len([c for c in tr if c.tag in ("td", "th")]) for _, tr in rows), default=0)
        if not ncols:
            return ""
        aligns, widths = ["l"] * ncols, [1] * ncols
        for _, tr in rows:
            for j, c in enumerate(x for x in tr if x.tag in ("td", "th")):
                style = c.get("style") or c.get("align") or ""
                am = re.search(r"(left|right|center)", style)
                if am and aligns[j] == "l":
                    aligns[j] = am.group(1)[0]
                widths[j] = max(widths[j], len(_text(c)))
        if sum(widths) > 75:
            total = sum(min(w, 60) for w in widths)
            fracs = [max(0.06, min(w, 60) / total) for w in widths]
            norm = sum(fracs)
            fracs = [f / norm for f in fracs]  # columns share the line exactly, separators included
            rag = {"l": "\\raggedright", "r": "\\raggedleft", "c": "\\centering"}
            spec = "".join(
                f">{{{rag[a]}\\arraybackslash}}p{{\\dimexpr {f:.3f}\\linewidth-2\\tabcolsep\\relax}}" for a, f in zip(aligns, fracs)
            )
        else:
            spec = "".join(aligns)
        self.defer += 1
        self.cell += 1
        lines = ["\\begin{tabular}{" + spec + "}", "\\toprule"]
        last = None
        for part, tr in rows:
            if last == "thead" and part != "thead":
                lines.append("\\midrule")
            cells = [self.inline(c).strip() for c in tr if c.tag in ("td", "th")]
            if part == "thead":
                cells = ["\\textbf{" + c + "}" if c else "" for c in cells]
            cells += [""] * (ncols - len(cells))
            cells[0] = "{}" + cells[0] if cells[0].startswith("[") else cells[0]  # not \\\\[…] or \\midrule[…]
            lines.append(" & ".join(cells) + " \\\\")
            last = part
        lines += ["\\bottomrule", "\\end{tabular}"]
        self.cell -= 1
        self.defer -= 1
        tab = "\n".join(lines)
        lab = ("\\label{" + label(ident) + "}") if numbered else ""
        if len(rows) > 18 and not (self.nest or self.arg):
            # a long table breaks across pages: longtable, header repeated
            body = lines[1:-1]
            head_end = next((i for i, ln in enumerate(body) if ln == "\\midrule"), None)
            head = body[: head_end + 1] if head_end is not None else ["\\toprule"]
            rest = body[head_end + 1 :] if head_end is not None else body[1:]
            out = ["\\begin{longtable}{" + spec + "}"]
            if text:
                out.append(("\\caption" if numbered else "\\caption*") + "{" + text + "}" + lab + "\\\\")
            out += head + ["\\endfirsthead"] + head + ["\\endhead", "\\bottomrule", "\\endlastfoot"]
            out += [ln for ln in rest if ln != "\\bottomrule"] + ["\\end{longtable}"]
            return "\n".join(out) + "\n" + self._float_end() + "\n"
        if cap is None:
            return f"\\begin{{center}}\n{tab}\n\\end{{center}}\n" + self._float_end() + "\n"
        capcmd = "\\caption" if numbered else "\\caption*"
        if self.nest or self.arg:
            capcmd = "\\captionof{table}" if numbered else "\\captionof*{table}"
            return f"\\begin{{center}}\n{capcmd}{{{text}}}{lab}\n{tab}\n\\end{{center}}\n" + self._float_end() + "\n"
        return f"\\begin{{table}}[tbp]\n\\centering\n{capcmd}{{{text}}}{lab}\n{tab}\n\\end{{table}}\n" + self._float_end() + "\n"

    # ------------------------------------------------------------------ document
    def run(self) -> Export:
        parts, line = [], 1
        root = self.doc.tree
        lead = self.text(root.text).strip()
        if lead:
            parts.append(lead + "\n\n")
            line += parts[-1].count("\n")
        for child in root:
            if self.is_block(child):
                chunk = self.block(child)
            else:
                chunk = self.inline_el(child)
            tail = self.text(child.tail).strip()
            if tail:
                chunk += tail + "\n\n"
            if not chunk:
                continue
            self.out.anchors.append((line, self._line(self._anchor(child))))
            parts.append(chunk)
            line += chunk.count("\n")
        body = "".join(parts)
        body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
        self.out.body = body
        if self.raw_html:
            lines = self.doc.raw_html_lines or [(1, "")]
            for ln, _snippet in lines:
                self.problem(ln, "raw HTML is left out of the LaTeX export", "warning")
        self.out.unknown_chars = set(_STATE.unknown)
        return self.out

    def _anchor(self, el) -> str:
        if el.tag == "div" and "math" in _cls(el):
            return str(el.text or "")
        if el.tag == "pre":
            return _text(el).strip().split("\n")[0]
        if el.tag == "figure":
            img = el.find("img")
            return (img.get("alt") if img is not None else "") or ""
        if el.tag == "table":
            cells = [_text(c) for c in el.iter() if c.tag in ("th", "td")]
            return cells[0] if cells else ""
        text = " ".join(_text(el).split())
        return text[:50]


def to_latex(doc, *, base_url: str = "", source: str | None = None) -> Export:
    """The LaTeX body of a rendered document (everything between ``\\begin{document}`` and the
    bibliography), the images it includes and the problems found. ``source`` (the file's text)
    lets problems and LaTeX errors name the source line; ``base_url`` turns site-internal links
    into absolute ones."""
    if doc.tree is None:
        return Export(body="")
    _STATE.unknown = set()
    try:
        return _Writer(doc, base_url, source).run()
    finally:
        _STATE.unknown = None


__all__ = ["Export", "to_latex", "escape", "escape_code", "label", "url_arg", "strip_comments", "LST_LANGS"]
