"""The project's Python-Markdown extension: Pandoc/Quarto authoring syntax in one parse.

It adds fenced code kept as plain text in the tree (highlighted only for HTML), ``$…$`` and
``$$…$$ {#eq-x}`` math, ``::: {.callout-note}`` fenced divs, Pandoc citations, ``@fig-x``
cross-references with numbering, figures and table captions, and sidenotes. After the tree is
complete a copy is kept on ``md.doc_tree`` for the LaTeX serializer, so the site and the PDF are
rendered from the same parse.
"""

from __future__ import annotations

import copy
import functools
import html
import json
import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE, AtomicString

STX, ETX = "\x02", "\x03"
LT = STX + "acxlt" + ETX  # a '<' inside inline math or code, hidden from the raw-HTML parsers
# Patterns that would start with a look-behind check it just after their first literal character
# ("\$(?<![\\$]\$)" matches what "(?<![\\$])\$" matches), and a backtick run "(`+)" is written
# "`(`*)": the regex engine can then skip ahead to that character instead of trying every position
# (tests/test_markdown.py checks that both forms match the same text).
INLINE_PROTECT = re.compile(r"`(`*)(?!`).+?(?<!`)`\1(?!`)|\$(?<![\\$]\$)(?=\S)[^$\n]+?(?<![\s\\])\$")
MARK_RE = re.compile(STX + r"a(code|math):(\d+)" + ETX)
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")
XREF_KINDS = {"fig": "Figure", "tbl": "Table", "eq": "Equation", "sec": "Section"}
LABEL_RE = r"(?:fig|tbl|eq|sec)-[A-Za-z0-9_-]*[A-Za-z0-9]"
KEY_RE = r"[A-Za-z0-9_][\w:.#$%&+?<>~/-]*[A-Za-z0-9_]|[A-Za-z0-9_]"
CALLOUT_KINDS = ("note", "tip", "warning", "important", "caution")


def parse_attrs(text: str) -> dict:
    """Parse a Pandoc attribute block body: ``#id .class key="value" key=value``."""
    attrs = {"id": None, "classes": [], "kv": {}}
    for m in re.finditer(r'#([\w-]+)|\.([\w-]+)|([\w-]+)=("([^"]*)"|\'([^\']*)\'|(\S+))|(\S+)', text):
        if m.group(1):
            attrs["id"] = m.group(1)
        elif m.group(2):
            attrs["classes"].append(m.group(2))
        elif m.group(3):
            val = next(v for v in (m.group(5), m.group(6), m.group(7)) if v is not None)
            attrs["kv"][m.group(3)] = val
        elif m.group(8) and not attrs["classes"] and m.group(8).isidentifier():
            attrs["classes"].append(m.group(8))  # '::: note' shorthand
    return attrs


# --------------------------------------------------------------------------- preprocessors
class FencePreprocessor(Preprocessor):
    """Pull fenced code and display math out before block parsing; leave placeholders."""

    def run(self, lines):
        ext = self.md.acx
        out, i = [], 0
        while i < len(lines):
            line = lines[i]
            m = FENCE_OPEN.match(line)
            if m:
                indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").strip()
                close = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
                j = i + 1
                while j < len(lines) and not close.match(lines[j]):
                    j += 1
                body = lines[i + 1 : j]
                body = [b[len(indent) :] if b.startswith(indent) else b.lstrip() for b in body]
                lang, raw = "", None
                im = re.match(r"^\{=(\w+)\}$", info)
                if im:
                    raw = im.group(1)
                else:
                    attrs = parse_attrs(info.strip("{}")) if info.startswith("{") else None
                    lang = attrs["classes"][0] if attrs and attrs["classes"] else info.split()[0] if info else ""
                ext.blocks.append({"kind": "code", "lang": lang, "raw": raw, "text": "\n".join(body)})
                out.extend(["", f"{indent}{STX}acode:{len(ext.blocks) - 1}{ETX}", ""])
                i = j + 1
                continue
            stripped = line.strip()
            if stripped.startswith("$$") and not line.startswith("    "):
                indent = line[: len(line) - len(line.lstrip())]
                rest = stripped[2:]
                buf, j = [], i
                end = re.search(r"(?<!\\)\$\$(.*)$", rest)
                if end:  # one-line display math
                    buf.append(rest[: end.start()])
                    tail = end.group(1)
                else:
                    buf.append(rest)
                    j = i + 1
                    tail = None
                    while j < len(lines):
                        e = re.search(r"(?<!\\)\$\$(.*)$", lines[j])
                        if e:
                            buf.append(lines[j][: e.start()])
                            tail = e.group(1)
                            break
                        buf.append(lines[j])
                        j += 1
                    if tail is None:  # unclosed: leave it to the text (reported by the scanner)
                        out.append(line)
                        i += 1
                        continue
                label = None
                lm = re.match(r"^\s*\{#(" + LABEL_RE + r")\}\s*$", tail or "")
                if lm:
                    label = lm.group(1)
                elif tail and tail.strip():
                    out.append(line)
                    i += 1
                    continue
                tex = "\n".join(buf).strip()
                ext.blocks.append({"kind": "math", "tex": tex, "label": label})
                out.extend(["", f"{indent}{STX}amath:{len(ext.blocks) - 1}{ETX}", ""])
                i = j + 1
                continue
            if "<" in line:
                line = INLINE_PROTECT.sub(lambda m: m.group(0).replace("<", LT), line)
            out.append(line)
            i += 1
        return out


class CalloutPreprocessor(Preprocessor):
    """Quarto/Pandoc fenced divs ``::: {.callout-note title="…"}`` → md_in_html blocks."""

    OPEN = re.compile(r"^(?P<indent>[ \t]*):{3,}\s*(\{(?P<attrs>[^}]*)\}|(?P<word>[\w-]+))\s*:*\s*$")
    CLOSE = re.compile(r"^[ \t]*:{3,}\s*$")

    def run(self, lines):
        out, stack = [], []
        for line in lines:
            m = self.OPEN.match(line)
            if m:
                attrs = parse_attrs(m.group("attrs") or "." + m.group("word"))
                kind = next((c.split("-", 1)[1] for c in attrs["classes"] if c.startswith("callout-")), None)
                classes = list(attrs["classes"])
                tag = "div"
                extra = ""
                if kind:
                    if kind not in CALLOUT_KINDS:
                        kind = "note"
                    classes = ["callout", f"callout-{kind}"] + [c for c in classes if not c.startswith("callout")]
                    title = attrs["kv"].get("title", "")
                    extra = f' data-title="{html.escape(title, quote=True)}" data-kind="{kind}"'
                collapse = attrs["kv"].get("collapse", "").lower()
                if collapse in ("true", "false"):  # Quarto: foldable, closed (true) or open (false)
                    tag = "details"
                    if collapse == "false":
                        extra += ' open="open"'
                    if not kind:
                        extra += f' data-title="{html.escape(attrs["kv"].get("title", "Details"), quote=True)}"'
                idattr = f' id="{html.escape(attrs["id"])}"' if attrs["id"] else ""
                stack.append(tag)
                out.extend(["", f'<{tag} class="{" ".join(classes)}"{idattr}{extra} markdown="1">', ""])
                continue
            if stack and self.CLOSE.match(line):
                out.extend(["", f"</{stack.pop()}>", ""])
                continue
            out.append(line)
        while stack:
            out.extend(["", f"</{stack.pop()}>", ""])
            self.md.acx.warn("a '::: {…}' block is not closed: add a ':::' line after it")
        return out


# --------------------------------------------------------------------------- inline
class InlineMath(InlineProcessor):
    def handleMatch(self, m, data):
        el = etree.Element("span", {"class": "math inline"})
        el.text = AtomicString("\\(" + m.group(1) + "\\)")
        return el, m.start(0), m.end(0)


class CrossRef(InlineProcessor):
    def handleMatch(self, m, data):
        label = m.group(2)
        el = etree.Element("a", {"class": "xref", "href": "#" + label, "data-xref": label})
        el.text = "??"
        self.md.acx.xrefs.append(label)
        return el, m.start(0), m.end(0)


def _cite_item(part: str):
    m = re.match(r"^(?P<prefix>.*?)(?P<neg>-?)@(?P<key>" + KEY_RE + r")(?P<rest>.*)$", part.strip(), re.S)
    if not m:
        return None
    rest = m.group("rest").strip()
    locator = rest[1:].strip() if rest.startswith(",") else rest
    return {
        "key": m.group("key"),
        "prefix": m.group("prefix").strip(),
        "locator": locator,
        "suppress": bool(m.group("neg")),
    }


class Citation(InlineProcessor):
    """``[see @a, p. 3; @b]`` (parenthetical) and ``@a`` / ``@a [p. 3]`` (narrative)."""

    def __init__(self, pattern, md, narrative):
        super().__init__(pattern, md)
        self.narrative = narrative

    def handleMatch(self, m, data):
        if self.narrative:
            items = [{"key": m.group(1), "prefix": "", "locator": (m.group(2) or "").strip(), "suppress": False}]
            mode = "t"
        else:
            parts = m.group(1).split(";")
            items = [_cite_item(p) for p in parts]
            if not items or any(i is None for i in items):
                return None, None, None
            if re.match(r"[(\[:]", data[m.end(0) : m.end(0) + 1] or " "):
                return None, None, None  # a link, not a citation
            mode = "year" if len(items) == 1 and items[0]["suppress"] else "p"
        return self.md.acx.cite_element(items, mode), m.start(0), m.end(0)


# --------------------------------------------------------------------------- tree
def _text_of(el) -> str:
    return "".join(el.itertext())


_TAG_RE = re.compile(r"<[^>]*>")


_FORMATTER = []


def _formatter(cls):
    """One Pygments HTML formatter for every code block (building one computes a whole stylesheet)."""
    if not _FORMATTER:
        _FORMATTER.append(cls(cssclass="highlight", wrapcode=True))
    return _FORMATTER[0]


def _title_html(el, md) -> str:
    """A heading's text as safe HTML for the contents list: text escaped, and the typographic
    quotes or raw HTML that Python-Markdown keeps in its stash until serialisation put back
    (without tags), instead of leaking placeholders into the list."""
    out, text = [], _text_of(el)
    pos = 0
    for m in HTML_PLACEHOLDER_RE.finditer(text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        i = int(m.group(1))
        blocks = md.htmlStash.rawHtmlBlocks
        out.append(_TAG_RE.sub("", str(blocks[i])) if i < len(blocks) else "")
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _number_caption(cap, prefix: str):
    """Put "Figure 2: " (or "Table 1: ") in front of a caption, as its own span."""
    if cap is None:
        return
    b = etree.Element("span", {"class": "fig-num"})
    b.text = prefix
    b.tail = cap.text
    cap.text = None
    cap.insert(0, b)


class PlaceholderTree(Treeprocessor):
    """Swap code/math placeholders for real elements (before inline processing)."""

    def run(self, root):
        ext = self.md.acx
        for pre in root.iter("pre"):  # indented code blocks arrive HTML-escaped: keep plain text
            code = pre.find("code")
            if code is not None and code.text and not pre.get("data-fenced"):
                code.text = AtomicString(code.text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
        for parent in root.iter():
            for idx, child in enumerate(list(parent)):
                text = (child.text or "").strip()
                m = MARK_RE.fullmatch(text)
                if not m or len(child):
                    continue
                block = ext.blocks[int(m.group(2))]
                if block["kind"] == "code":
                    if block["raw"]:
                        new = etree.Element("div", {"class": f"raw-{block['raw']}", "hidden": "hidden"})
                        new.text = AtomicString(block["text"])
                    else:
                        new = etree.Element("pre", {"data-fenced": "1"})
                        code = etree.SubElement(new, "code")
                        if block["lang"]:
                            code.set("class", f"language-{block['lang']}")
                        code.text = AtomicString(block["text"])
                else:
                    new = etree.Element("div", {"class": "math display"})
                    if block["label"]:
                        new.set("id", block["label"])
                    new.text = AtomicString(block["tex"])
                if child.tag == "p":
                    new.tail = child.tail
                    parent[idx] = new
                else:  # tight list item etc.
                    child.text = None
                    child.insert(0, new)


class StructureTree(Treeprocessor):
    """Figures, table captions, callout titles, numbering, cross-references, references list."""

    def run(self, root):
        ext = self.md.acx
        for el in root.iter():
            if el.text and LT in el.text:
                el.text = type(el.text)(el.text.replace(LT, "<"))
            if el.tail and LT in el.tail:
                el.tail = type(el.tail)(el.tail.replace(LT, "<"))
            for k, v in el.attrib.items():
                if v and LT in v:  # attr_list can leave valueless attributes
                    el.set(k, v.replace(LT, "<"))
        self._figures(root)
        self._tables(root)
        self._callouts(root)
        self._number(root)
        self._resolve(root)
        ext.append_references(root)

    def _figures(self, root):
        ext = self.md.acx
        for parent in list(root.iter()):
            for idx, p in enumerate(list(parent)):
                if p.tag != "p" or len(p) != 1 or p[0].tag != "img":
                    continue
                if (p.text or "").strip() or (p[0].tail or "").strip():
                    continue
                img = p[0]
                src = img.get("src", "")
                alt = img.get("alt", "")
                label = img.attrib.pop("id", None)
                fig = etree.Element("figure", {"class": "figure"})
                if label:
                    fig.set("id", label)
                img.tail = None
                fig.append(img)
                ext.images.append({"src": src, "alt": alt, "label": label})
                if not alt.strip():
                    ext.error_for_image(src, "figure has empty alt text: write a caption in ![…](…)")
                if alt.strip():
                    cap = etree.SubElement(fig, "figcaption")
                    ext.inline_markup(cap, ext.raw_alt(src) or alt)
                    img.set("alt", "".join(cap.itertext()).strip())
                fig.tail = p.tail
                parent[idx] = fig

    def _tables(self, root):
        for parent in list(root.iter()):
            children = list(parent)
            for idx, table in enumerate(children):
                if table.tag != "table":
                    continue
                cand = [(idx + 1, children[idx + 1] if idx + 1 < len(children) else None)]
                cand.append((idx - 1, children[idx - 1] if idx > 0 else None))
                for _j, p in cand:
                    if p is None or p.tag != "p":
                        continue
                    text = p.text or ""
                    if not text.startswith(":") or text.startswith("::"):
                        continue
                    label = p.attrib.pop("id", None)
                    p.text = text[1:].lstrip()
                    last = p[-1] if len(p) else None
                    tail_src = (last.tail if last is not None else p.text) or ""
                    lm = re.search(r"\s*\{#(" + LABEL_RE + r")\}\s*$", tail_src)
                    if lm:
                        label = lm.group(1)
                        if last is not None:
                            last.tail = tail_src[: lm.start()]
                        else:
                            p.text = tail_src[: lm.start()]
                    cap = etree.Element("caption")
                    cap.text = p.text
                    for c in list(p):
                        cap.append(c)
                    table.insert(0, cap)
                    if label:
                        table.set("id", label)
                    parent.remove(p)
                    break

    def _callouts(self, root):
        for el in root.iter():
            if el.tag == "details" and "callout" not in (el.get("class") or "").split():
                head = etree.Element("summary", {"class": "fold-title"})
                head.text = el.attrib.pop("data-title", "Details")
                head.tail, el.text = el.text, None
                el.insert(0, head)
                continue
            if "callout" not in (el.get("class") or "").split():
                continue
            title = el.attrib.pop("data-title", "") or el.get("data-kind", "note").capitalize()
            head = etree.Element("summary" if el.tag == "details" else "div", {"class": "callout-title"})
            self.md.acx.inline_markup(head, title)
            el.insert(0, head)
            if el.text and el.text.strip():
                head.tail = el.text
            el.text = None

    def _number(self, root):
        ext = self.md.acx
        heads = [el for el in root.iter() if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
        top = min((int(h.tag[1]) for h in heads), default=2)
        counters = [0] * 7
        for h in heads:
            level = int(h.tag[1]) - top
            if level > 2 or h.get("class", "").find("unnumbered") >= 0:
                continue
            counters[level] += 1
            for k in range(level + 1, 7):
                counters[k] = 0
            number = ".".join(str(c) for c in counters[: level + 1])
            h.set("data-number", number)
            hid = h.get("id")
            if hid:
                ext.labels[hid] = ("sec", number)
            ext.headings.append({"id": hid, "level": level, "number": number, "title": _title_html(h, self.md)})
        n = {"fig": 0, "tbl": 0, "eq": 0}
        for el in root.iter():
            lid = el.get("id") or ""
            kind = lid.split("-", 1)[0] if "-" in lid else ""
            if el.tag == "figure" and kind == "fig":
                n["fig"] += 1
                ext.add_label(lid, "fig", n["fig"])
                _number_caption(el.find("figcaption"), f"Figure {n['fig']}: ")
            elif el.tag == "table" and kind == "tbl":
                n["tbl"] += 1
                ext.add_label(lid, "tbl", n["tbl"])
                _number_caption(el.find("caption"), f"Table {n['tbl']}: ")
            elif el.tag == "div" and "display" in (el.get("class") or "") and kind == "eq":
                n["eq"] += 1
                ext.add_label(lid, "eq", n["eq"])
                el.set("data-number", str(n["eq"]))
            elif lid and kind in ("fig", "tbl", "eq") and el.tag not in ("figure", "table", "div"):
                ext.add_label(lid, kind, None)

    def _resolve(self, root):
        ext = self.md.acx
        for a in root.iter("a"):
            label = a.get("data-xref")
            if not label:
                continue
            kind = label.split("-", 1)[0]
            if label not in ext.labels or ext.labels[label][1] is None:
                ext.error_for_token(
                    "@" + label, f"unknown cross-reference '@{label}': no {XREF_KINDS[kind].lower()} has the label {{#{label}}}"
                )
                a.text = f"??{label}"
                continue
            num = ext.labels[label][1]
            a.text = f"{XREF_KINDS[kind]} ({num})" if kind == "eq" else f"{XREF_KINDS[kind]} {num}"
        for fig in root.iter("figure"):  # alt text was taken from the caption before references resolved
            img, cap = fig.find("img"), fig.find("figcaption")
            if img is None or cap is None or cap.find(".//a[@data-xref]") is None:
                continue
            text = "".join(cap.itertext()).strip()
            num = cap.find("span[@class='fig-num']")
            if num is not None and num.text and text.startswith(num.text.strip()):
                text = text[len(num.text.strip()) :].strip()
            img.set("alt", text)


@functools.lru_cache(maxsize=256)
def _lexer(lang: str):
    """Pygments' lexer for a language name, looked up once (a lexer keeps no state between uses)."""
    from pygments.lexers import get_lexer_by_name

    return get_lexer_by_name(lang)


class SnapshotTree(Treeprocessor):
    """Keep the finished tree for the LaTeX serializer, then finish HTML-only touches."""

    def run(self, root):
        ext = self.md.acx
        ext.tree = copy.deepcopy(root) if ext.keep_tree else None
        for el in root.iter("span"):
            el.attrib.pop("data-cite", None)  # LaTeX-only data; the site needs none of it
        for el in root.iter("div"):
            if "display" in (el.get("class") or "") and "math" in (el.get("class") or ""):
                tex = str(el.text)
                if el.get("data-number"):
                    tex += "\\tag{" + el.get("data-number") + "}"
                el.text = AtomicString("\\[" + tex + "\\]")
        self._sidenotes(root)
        self._highlight(root)
        self._wrap_tables(root)
        self._code_links(root)

    def _code_links(self, root):
        """Under each generated figure, a link to the script that made it (site only)."""
        ctx = self.md.acx.ctx
        if not ctx.repo_url:
            return
        for fig in root.iter("figure"):
            img, cap = fig.find("img"), fig.find("figcaption")
            m = re.search(r"figures/([\w-]+)\.svg$", (img.get("src") or "") if img is not None else "")
            script = ctx.figure_scripts.get(m.group(1)) if m else None
            if script and cap is not None:
                a = etree.SubElement(cap, "a", {"class": "code-link", "href": f"{ctx.repo_url.rstrip('/')}/blob/main/{script}"})
                a.text = "Code"

    def _wrap_tables(self, root):
        if next(root.iter("table"), None) is None:
            return
        for parent in list(root.iter()):
            for idx, table in enumerate(list(parent)):
                if table.tag == "table" and parent.get("class") != "table-wrap":
                    wrap = etree.Element("div", {"class": "table-wrap"})
                    wrap.tail, table.tail = table.tail, None
                    wrap.append(table)
                    parent[idx] = wrap

    def _sidenotes(self, root):
        notes = {}
        for div in root.iter("div"):
            if div.get("class") == "footnote":
                for li in div.iter("li"):
                    if li.get("id"):
                        notes[li.get("id")] = li
        if not notes:
            return
        for parent in list(root.iter()):
            for idx, sup in enumerate(list(parent)):
                if sup.tag != "sup" or not (sup.get("id") or "").startswith("fnref"):
                    continue
                a = sup.find("a")
                if a is None:
                    continue
                li = notes.get((a.get("href") or "").lstrip("#"))
                if li is None:
                    continue
                side = etree.Element("span", {"class": "sidenote", "role": "note"})
                num = etree.SubElement(side, "span", {"class": "sidenote-number"})
                num.text = a.text
                for block in li:
                    clone = copy.deepcopy(block)
                    for back in list(clone.iter("a")):
                        if "footnote-backref" in (back.get("class") or ""):
                            for p2 in clone.iter():
                                if back in list(p2):
                                    p2.remove(back)
                                    break
                    clone.tag = "span"
                    clone.set("class", "sidenote-para")
                    side.append(clone)
                side.tail = sup.tail
                sup.tail = None
                parent.insert(idx + 1, side)

    def _highlight(self, root):
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import TextLexer
        from pygments.util import ClassNotFound

        if next(root.iter("pre"), None) is None:
            return
        for parent in list(root.iter()):
            for idx, pre in enumerate(list(parent)):
                if pre.tag != "pre" or len(pre) != 1 or pre[0].tag != "code":
                    continue
                code = pre[0]
                lang = (code.get("class") or "").replace("language-", "")
                try:
                    lexer = _lexer(lang) if lang else TextLexer()
                except ClassNotFound:
                    lexer = TextLexer()
                pre.attrib.pop("data-fenced", None)
                out = highlight(str(code.text or ""), lexer, _formatter(HtmlFormatter))
                if lang:
                    out = out.replace('<div class="highlight">', f'<div class="highlight" data-lang="{html.escape(lang)}">', 1)
                placeholder = self.md.htmlStash.store(out)
                p = etree.Element("p")
                p.text = placeholder
                p.tail = pre.tail
                parent[idx] = p


# --------------------------------------------------------------------------- the extension
class AcxExtension(Extension):
    """Alignment Concepts syntax. ``md.acx`` is the per-document state (see ``Doc``)."""

    def __init__(self, state_factory, **kwargs):
        self.state_factory = state_factory
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        md.registerExtension(self)
        self.md = md
        md.acx = self.state_factory(md)
        if "$" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("$")
        md.preprocessors.register(FencePreprocessor(md), "acx_fence", 29)
        md.preprocessors.register(CalloutPreprocessor(md), "acx_callout", 28)
        md.inlinePatterns.register(
            InlineMath(r"\$(?<![\\$\w]\$)(?![\s$])((?:[^$\\\n]|\\.|\n(?!\s*\n))+?)(?<![\s\\])\$(?![\d$])", md), "acx_math", 185
        )
        md.inlinePatterns.register(CrossRef(r"(?<![\w@\\])(\[)?@(" + LABEL_RE + r")(?(1)\])", md), "acx_xref", 177)
        md.inlinePatterns.register(Citation(r"\[((?:[^\[\]]|\[[^\[\]]*\])*?-?@(?:[^\[\]])*?)\]", md, narrative=False), "acx_cite", 176)
        md.inlinePatterns.register(
            Citation(r"@(?<![\w@\\/.]@)(" + KEY_RE + r")(?: \[([^\]@]+)\](?![(\[]))?", md, narrative=True),
            "acx_ncite",
            174,
        )
        md.treeprocessors.register(PlaceholderTree(md), "acx_placeholders", 40)
        md.treeprocessors.register(StructureTree(md), "acx_structure", 5)
        md.treeprocessors.register(SnapshotTree(md), "acx_snapshot", -5)

    def reset(self):
        self.md.acx = self.state_factory(self.md)


def cite_json(items, mode) -> str:
    return json.dumps({"mode": mode, "items": items}, sort_keys=True, ensure_ascii=False)
