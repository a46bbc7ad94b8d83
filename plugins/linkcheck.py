"""Internal link check of the built site (offline, part of every build).

Every ``href`` and ``src`` in the built HTML must resolve to a file in the output, and every
``#fragment`` to an element id on the target page. A broken link on a page built from a source is
reported against that source file and the line where the link is written.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem

SKIP_SCHEMES = ("http:", "https:", "mailto:", "data:", "javascript:", "tel:", "ftp:")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, int]] = []  # (attr, url, line)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)
            elif (name == "href" and tag in ("a", "link", "area")) or (
                name == "src" and tag in ("img", "script", "source", "iframe", "video", "audio")
            ):
                self.links.append((name, value, self.getpos()[0]))


class _Parsed:
    """What the check needs from a page: its ids and its links (cacheable)."""

    def __init__(self, ids, links):
        self.ids, self.links = set(ids), [tuple(x) for x in links]


def scan(out: Path, cache: Path | None = None):
    """Parse every page once; with ``cache``, pages whose bytes are unchanged are not parsed again."""
    import hashlib
    import json

    memo = {}
    if cache is not None and cache.is_file():
        try:
            memo = json.loads(cache.read_text())
        except (OSError, ValueError):
            memo = {}  # a damaged cache is rebuilt
    pages, fresh = {}, {}
    for f in sorted(out.rglob("*.html")):
        rel = f.relative_to(out).as_posix()
        if rel.startswith("pagefind/"):
            continue
        raw = f.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        hit = memo.get(digest)
        if hit is None:
            c = _Collector()
            try:
                c.feed(raw.decode("utf-8"))
            except UnicodeDecodeError:
                continue
            hit = {"ids": sorted(c.ids), "links": c.links}
        fresh[digest] = hit
        pages[rel] = _Parsed(hit["ids"], hit["links"])
    if cache is not None:
        import os

        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(fresh))
        os.replace(tmp, cache)
    return pages


def _resolve(page: str, url: str, out: Path):
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None, None
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if path.endswith("/") or (out / target).is_dir():
        target = posixpath.join(target, "index.html")
    return target, parts.fragment


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


def check_site(out: Path, sources=(), docs=None, root: Path | None = None, skip=(), cache: Path | None = None) -> list[Problem]:
    out = Path(out)
    pages = scan(out, cache)
    by_page = {}
    for s in sources:
        status = (docs or {}).get(s.path).meta.get("status") if docs and s.path in docs else "published"
        page = f"drafts/{s.slug}/index.html" if status == "draft" and s.kind != "page" else s.url + "index.html"
        by_page[page] = s.path
    problems = []
    for page, c in pages.items():
        for _attr, url, line in c.links:
            if url.startswith(SKIP_SCHEMES) or url.startswith("//"):
                continue
            target, frag = _resolve(page, url, out)
            if target is None or target.startswith(tuple(skip)):
                continue
            src = by_page.get(page)
            where = (src, _source_line(root, src, url)) if src else (f"output/{page}", line)
            if target.startswith("..") or not (out / target).is_file():
                problems.append(
                    Problem(where[0], where[1], 0, f"broken link '{url}' on {page}: no file {target} in the built site", check="links")
                )
                continue
            if frag and target.endswith(".html"):
                ids = pages[target].ids if target in pages else set()
                if unquote(frag) not in ids:
                    problems.append(
                        Problem(
                            where[0], where[1], 0, f"broken link '{url}' on {page}: no element with id '{frag}' on {target}", check="links"
                        )
                    )
    return sorted(set(problems))


def html_wellformed(out: Path) -> list[Problem]:
    """Cheap well-formedness check: every page opens and closes html/body and has one h1 or title."""
    problems = []
    for f in sorted(Path(out).rglob("*.html")):
        rel = f.relative_to(out).as_posix()
        if rel.startswith("pagefind/"):
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        for tag in ("html", "body", "main"):
            if len(re.findall(rf"<{tag}\b", text)) != len(re.findall(rf"</{tag}>", text)):
                problems.append(Problem(f"output/{rel}", 1, 0, f"unbalanced <{tag}> element", check="html"))
    return problems
