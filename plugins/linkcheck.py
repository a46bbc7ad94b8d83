"""Internal link check of the built site (offline, part of every build).

Every ``href`` and ``src`` in the built HTML must resolve to a file in the output, and every
``#fragment`` to an element id on the target page. A broken link on a page built from a source is
reported against that source file and the line where the link is written.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .atomic import write_atomic
from .errors import Problem

SKIP_SCHEMES = ("http:", "https:", "mailto:", "data:", "javascript:", "tel:", "ftp:")


class _Collector(HTMLParser):
    """Reference implementation (the standard library's tokenizer); ``_fast_collect`` must agree."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, int]] = []  # (attr, url, line)

    def handle_starttag(self, tag, attrs):
        _collect_tag(tag, attrs, self.getpos()[0], self.ids, self.links)


def _collect_tag(tag, attrs, line, ids, links):
    for name, value in attrs:
        if value is None:
            continue
        if name in ("id", "name") and (name == "id" or tag == "a"):
            ids.add(value)
        elif (name == "href" and tag in ("a", "link", "area")) or (
            name == "src" and tag in ("img", "script", "source", "iframe", "video", "audio")
        ):
            links.append((name, value, line))


# A start tag with quoted or bare attribute values; comments and raw-text elements are skipped
# whole, as the HTML tokenizer does. About ten times faster than HTMLParser on our pages.
_ATTRS = r"""((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*/?>"""
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<!.*?>|<((?i:script|style))\b" + _ATTRS + r".*?(?:</(?i:\1)\s*>|\Z)"
    r"|<([a-zA-Z][^\s/>]*)" + _ATTRS,
    re.S,
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_INTERESTING = re.compile(r"\b(?:id|name|href|src)\s*=", re.I)
# Any mention of the search mark (a superset of the pages Pagefind indexes), and the mark as an
# attribute of a start tag (when no page has one, Pagefind indexes every page).
_PAGEFIND_BODY = re.compile(rb"data-pagefind-body", re.I)
_PAGEFIND_BODY_ATTR = re.compile(rb"<[a-z][^<>]*\sdata-pagefind-body(?=[\s=/>])", re.I)


def _fast_collect(text: str):
    ids: set[str] = set()
    links: list[tuple[str, str, int]] = []
    line, last = 1, 0
    for m in _TOKEN.finditer(text):
        if m.group(1):
            tag, attrs = m.group(1), m.group(2)
        elif m.group(3):
            tag, attrs = m.group(3), m.group(4)
        else:
            continue
        if not attrs or not _INTERESTING.search(attrs):
            continue
        start = m.start()
        line += text.count("\n", last, start)
        last = start
        pairs = []
        for a in _ATTR.finditer(attrs):
            v = a.group(2) if a.group(2) is not None else a.group(3) if a.group(3) is not None else a.group(4)
            if v is not None and "&" in v:
                v = unescape(v)
            pairs.append((a.group(1).lower(), v))
        _collect_tag(tag.lower(), pairs, line, ids, links)
    return ids, links


class _Parsed:
    """What the check needs from a page: its ids and its links (cacheable)."""

    def __init__(self, ids, links):
        self.ids, self.links = set(ids), [tuple(x) for x in links]


def page_files(out: Path) -> list[str]:
    """The site's pages (outside the search index), as sorted paths relative to ``out``."""
    rels = (f.relative_to(out).as_posix() for f in Path(out).rglob("*.html"))
    return sorted(r for r in rels if not r.startswith("pagefind/"))


def load_memo(cache: Path | None) -> dict:
    """What the last scan found, by page digest (``scan``'s ``cache`` file); empty if unreadable."""
    import json

    if cache is None or not cache.is_file():
        return {}
    try:
        return json.loads(cache.read_text())
    except (OSError, ValueError):
        return {}  # a damaged cache is rebuilt


def scan_files(out: Path, rels, memo: dict, searchable: dict | None = None, digests: dict | None = None):
    """``scan`` of the pages ``rels``, with ``memo`` (a ``load_memo`` result): (pages, what to
    remember of them by digest); ``digests`` is filled with each page's digest. Writes nothing."""
    import hashlib

    pages, fresh = {}, {}
    for rel in rels:
        raw = (Path(out) / rel).read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if searchable is not None and _PAGEFIND_BODY.search(raw):
            searchable[rel] = (digest, _PAGEFIND_BODY_ATTR.search(raw) is not None)
        hit = memo.get(digest)
        if hit is None:
            try:
                ids, links = _fast_collect(raw.decode("utf-8"))
            except UnicodeDecodeError:
                continue
            hit = {"ids": sorted(ids), "links": links}
        fresh[digest] = hit
        pages[rel] = _Parsed(hit["ids"], hit["links"])
        if digests is not None:
            digests[rel] = digest
    return pages, fresh


def save_memo(cache: Path, fresh: dict) -> None:
    import json

    cache.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(cache, json.dumps(fresh).encode())


def scan(out: Path, cache: Path | None = None, searchable: dict | None = None):
    """Parse every page once; with ``cache``, pages whose bytes are unchanged are not parsed again.
    ``searchable`` (a dict) is filled with path -> (SHA-256, whether the mark is a tag's attribute)
    for each page that mentions the search index's mark (``data-pagefind-body``, in any case)."""
    pages, fresh = scan_files(out, page_files(out), load_memo(cache), searchable)
    if cache is not None:
        save_memo(cache, fresh)
    return pages


class _Tree:
    """The files and folders of the built site, listed once (no stat call per link)."""

    def __init__(self, out: Path):
        self.files, self.dirs = set(), {"."}
        for dirpath, dirnames, filenames in os.walk(out):
            rel = os.path.relpath(dirpath, out).replace(os.sep, "/")
            prefix = "" if rel == "." else rel + "/"
            self.dirs.update(prefix + d for d in dirnames)
            self.files.update(prefix + f for f in filenames)


@functools.lru_cache(maxsize=65536)
def _split(url: str):
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None, None
    return unquote(parts.path), parts.fragment


@functools.lru_cache(maxsize=262144)
def _join(folder: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(folder, path))


def _resolve(page: str, url: str, tree: _Tree):
    path, fragment = _split(url)
    if path is None:
        return None, None
    if not path:
        return page, fragment
    target = _join(posixpath.dirname(page), path)
    if path.endswith("/") or target in tree.dirs:
        target = "index.html" if target == "." else target + "/index.html"
    return target, fragment


def _source_line(root: Path | None, src_path: str | None, url: str) -> int:
    if not root or not src_path:
        return 1
    try:
        text = (root / src_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    parts = urlsplit(url)
    needles = [url]
    if parts.fragment:
        needles.append("#" + parts.fragment)
    base = posixpath.basename(parts.path.rstrip("/"))
    if base:
        needles.append(base)
    for needle in needles:
        i = text.find(needle)
        if i >= 0:
            return text.count("\n", 0, i) + 1
    return 1


def rescan(out: Path, pages: dict, changed) -> dict | None:
    """``pages`` (a ``scan`` result) with the pages ``changed`` parsed again, or None when one of
    them lost an id that another page may link to (then check the whole site)."""
    fresh = dict(pages)
    for rel in changed:
        try:
            ids, links = _fast_collect((Path(out) / rel).read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError):
            return None
        fresh[rel] = _Parsed(ids, links)
        if rel in pages and not pages[rel].ids <= fresh[rel].ids:
            return None
    return fresh


def _under(target: str, prefixes) -> bool:
    return any(target == p.rstrip("/") or target.startswith(p) for p in prefixes)


def check_site(
    out: Path,
    sources=(),
    docs=None,
    root: Path | None = None,
    skip=(),
    cache: Path | None = None,
    pages=None,
    only=None,
    tree=None,
    defer=(),
    deferred: set | None = None,
    under=(),
) -> list[Problem]:
    """Check every internal link; ``pages`` is a ``scan`` result made earlier (e.g. while Pagefind ran).

    ``only``: check just the links on these pages (after ``rescan`` found that no other page's
    links can have changed their answer); ``tree``: the site's files, when known to be unchanged.
    ``defer``: folders still being written (the search index): links into them are not checked
    here, and the pages holding them are added to ``deferred``, to check later with ``only`` and
    ``under`` (check only the links into these folders)."""
    out = Path(out)
    if pages is None:
        pages = scan(out, cache)
    tree = tree or _Tree(out)
    by_page = {}
    for s in sources:
        status = (docs or {}).get(s.path).meta.get("status") if docs and s.path in docs else "published"
        page = f"drafts/{s.slug}/index.html" if status == "draft" and s.kind != "page" else s.url + "index.html"
        by_page[page] = s.path
    problems = []
    skip = tuple(skip)
    deferred = set() if deferred is None else deferred
    for page in pages if only is None else only:
        for _attr, url, line in pages[page].links:
            if url.startswith(SKIP_SCHEMES) or url.startswith("//"):
                continue
            target, frag = _resolve(page, url, tree)
            if target is None or target.startswith(skip):
                continue
            if defer and _under(target, defer):
                deferred.add(page)
                continue
            if under and not _under(target, under):
                continue
            src = by_page.get(page)

            def where(src=src, url=url, line=line, page=page):  # found only for a broken link
                return (src, _source_line(root, src, url)) if src else (f"output/{page}", line)

            if target.startswith("..") or target not in tree.files:
                problems.append(Problem(*where(), 0, f"broken link '{url}' on {page}: no file {target} in the built site", check="links"))
                continue
            if frag and target.endswith(".html"):
                ids = pages[target].ids if target in pages else set()
                if unquote(frag) not in ids:
                    problems.append(
                        Problem(*where(), 0, f"broken link '{url}' on {page}: no element with id '{frag}' on {target}", check="links")
                    )
    return sorted(set(problems))


def html_wellformed(out: Path) -> list[Problem]:
    """Cheap well-formedness check: every page opens and closes html/body and has one h1 or title."""
    problems = []
    for rel in page_files(out):
        text = (Path(out) / rel).read_text(encoding="utf-8", errors="replace")
        for tag in ("html", "body", "main"):
            if len(re.findall(rf"<{tag}\b", text)) != len(re.findall(rf"</{tag}>", text)):
                problems.append(Problem(f"output/{rel}", 1, 0, f"unbalanced <{tag}> element", check="html"))
    return problems
