"""Pelican plugin: a reader that serves documents already parsed by the build (one parse).

``site.build`` parses every source once (in parallel, cached) and puts the results in ``DOCS``;
this reader hands Pelican the HTML and metadata for each file instead of parsing it again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import itertools
import logging
import os

from pelican import signals
from pelican.readers import BaseReader
from pelican.utils import SafeDatetime
from pelican.writers import Writer

DOCS: dict = {}  # absolute source path -> (Source, Doc, extra)

# Page reuse (set by ``site.build`` before Pelican runs). A post's or page's own HTML page depends
# only on that document, the engine, the theme and the settings; ``extra["page_key"]`` hashes all of
# them. A page whose key equals the key it had in the previous build is hard-linked from the
# previous site instead of being rendered again.
REUSE: dict = {"previous": None, "keys": {}}  # previous site folder, output name -> key there
WRITTEN: dict = {}  # output name -> key, for every document page of this build
REUSED: set = set()  # output names linked from the previous site
# For serve's quick path (``site.quick_update``): how each document page was written in the last
# full build (source path -> output name, template, context, arguments), Pelican's settings and the
# articles generator (for the feed). Pelican's objects stay alive in the long-running serve process.
RENDERED: dict = {}
GENERATOR: dict = {}
TEMPLATES: dict = {}  # direct template name -> how its page was written (the bibliography page)


def source_key(path) -> str:
    """How ``DOCS`` and ``RENDERED`` know a source: the absolute path Pelican gives its reader and
    its content's ``source_path`` (its content folder, the build's resolved root, joined with the
    name it found the file under). Not ``os.path.realpath``, which looks up every component of the
    path (55 us a call here, three calls a page, two of them on one core)."""
    return os.path.abspath(path)


class AcxReader(BaseReader):
    enabled = True
    file_extensions = ["md", "ipynb"]

    def read(self, filename):
        key = source_key(filename)
        if key not in DOCS:
            raise ValueError(f"{filename} was not parsed by the build (is it a source?)")
        src, doc, extra = DOCS[key]
        m = doc.meta
        d = m["date"]
        meta = {
            "title": html.escape(m["title"], quote=False),
            "date": SafeDatetime(d.year, d.month, d.day, tzinfo=dt.UTC),
            "status": m.get("status", "published"),
            "slug": src.slug,
            "summary": html.escape(m.get("summary", ""), quote=False),
            "summary_text": html.escape(m.get("summary", ""), quote=False),
            "author_names": html.escape(", ".join(a["name"] for a in m.get("authors", []))),
            "author_list": m.get("authors", []),
            "request": m.get("request"),
            "abstract": html.escape(m.get("abstract", ""), quote=False),
        }
        if src.kind != "page":
            meta["category"] = self.process_metadata("category", "papers" if src.kind == "paper" else "posts")
            if m.get("tags"):
                meta["tags"] = self.process_metadata("tags", ", ".join(t.replace(",", " ") for t in m["tags"]))
        if m.get("updated"):
            u = m["updated"]
            meta["modified"] = SafeDatetime(u.year, u.month, u.day, tzinfo=dt.UTC)
        for k, v in extra.items():
            if k != "content":
                meta[k] = v
        return extra["content"], meta


# Article pages are written by two processes when there are at least ``SPLIT["min"]`` of them (set
# by ``site.build``; 0: never): Pelican's own article loop runs in this process and in a forked copy,
# each writing every other article; this one records the other's pages as written. The listing
# pages that follow are shared too: the copy writes the tag, category and author pages, this process
# the period archives, the direct templates (index, archives, bibliography...) and the drafts.
SPLIT: dict = {"min": 0}
_RECORD_ONLY: list = []  # non-empty while this process only records pages the forked copy writes
_UNLINK_FIRST: list = []  # non-empty while pages the copy may have hard-linked are written again
_GENERATE_PAGES = None  # Pelican's own ArticlesGenerator.generate_pages
# What Pelican's generate_pages calls, in order (checked by the tests against the installed Pelican).
PELICAN_PAGES = (
    "generate_articles",
    "generate_period_archives",
    "generate_direct_templates",
    "generate_tags",
    "generate_categories",
    "generate_authors",
    "generate_drafts",
)
_COPY_WRITES = ("generate_tags", "generate_categories", "generate_authors")


class ReusingWriter(Writer):
    def write_file(self, name, template, context, *args, **kwargs):
        if kwargs.get("template_name") == "bibliography":
            TEMPLATES["bibliography"] = (name, template, context, args, kwargs)
        content = kwargs.get("article") or kwargs.get("page")
        key = getattr(content, "page_key", None) if content is not None else None
        if key and name:
            WRITTEN[name] = key
            RENDERED[source_key(content.source_path)] = (name, template, context, args, kwargs)
            if _RECORD_ONLY:
                return None
            previous = REUSE.get("previous")
            if previous and REUSE["keys"].get(name) == key:
                src = os.path.join(previous, name)
                dest = os.path.join(self.output_path, name)
                if os.path.isfile(src) and not os.path.exists(dest):
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    try:
                        os.link(src, dest)
                    except OSError:
                        pass  # another file system: render it
                    else:
                        REUSED.add(name)
                        return None
            if _UNLINK_FIRST:
                REUSED.discard(name)
                try:
                    os.unlink(os.path.join(self.output_path, name))
                except FileNotFoundError:
                    pass
        return super().write_file(name, template, context, *args, **kwargs)


def _every_other(write, mine: int, record_others: bool):
    """``write`` for the calls whose index has parity ``mine``; the others are recorded only
    (``record_others``) or skipped."""
    counter = itertools.count()

    def split(*args, **kwargs):
        if next(counter) % 2 == mine:
            return write(*args, **kwargs)
        if record_others:
            _RECORD_ONLY.append(True)
            try:
                return write(*args, **kwargs)
            finally:
                _RECORD_ONLY.pop()
        return None

    return split


@contextlib.contextmanager
def _warnings():
    """Pelican's warnings and errors logged meanwhile, as (level, message) pairs."""
    caught: list = []

    class Keep(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.WARNING:
                try:
                    message = record.getMessage()
                except Exception:  # noqa: BLE001 - a malformed log call: keep its text
                    message = str(record.msg)
                group = {k: record.__dict__[k] for k in ("limit_msg", "limit_args") if k in record.__dict__}
                caught.append((record.levelno, message, group))

    handler = Keep()
    logger = logging.getLogger("pelican")
    logger.addHandler(handler)
    try:
        yield caught
    finally:
        logger.removeHandler(handler)


def split_generate_pages(self, writer):
    """``ArticlesGenerator.generate_pages`` on two cores (see ``SPLIT``). The forked copy reports the
    pages it hard-linked from the previous site and what Pelican logged there; if it fails, this
    process writes its pages."""
    from .forked import share

    n = len(self.translations) + len(self.articles) + len(self.hidden_translations) + len(self.hidden_articles)
    if not SPLIT["min"] or n < SPLIT["min"]:
        return _GENERATE_PAGES(self, writer)
    write = functools.partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])

    def listings():
        for name in _COPY_WRITES:
            getattr(self, name)(write)

    before = set(writer._written_files)

    def theirs():  # the odd-numbered articles and the listings above; the pages reused among them
        REUSED.clear()
        with _warnings() as logged:
            self.generate_articles(_every_other(write, 1, record_others=False))
            listings()
        return sorted(REUSED), logged, sorted(writer._written_files - before)

    def mine():
        self.generate_articles(_every_other(write, 0, record_others=True))
        for name in PELICAN_PAGES[1:]:
            if name not in _COPY_WRITES:
                getattr(self, name)(write)

    _, report = share(mine, theirs)
    if report is not None:
        reused, logged, written = report
        REUSED.update(reused)
        log = logging.getLogger("pelican")
        for level, message, group in logged:
            log.log(level, "%s", message, extra=group)
        # Pelican refuses to write a file twice; each process knows only its own files.
        for name in sorted(set(written) & (writer._written_files - before)):
            log.error('Failed to write "%s": two pages are written to it', os.path.relpath(name, writer.output_path))
        writer._written_files.update(written)
    else:  # the copy failed: write its share here, replacing (never writing through) what it linked
        _UNLINK_FIRST.append(True)
        try:
            self.generate_articles(_every_other(write, 1, record_others=False))
        finally:
            _UNLINK_FIRST.pop()
        listings()


def get_writer(pelican_object):
    RENDERED.clear()
    GENERATOR.clear()
    TEMPLATES.clear()
    GENERATOR["settings"] = pelican_object.settings
    return ReusingWriter


def keep_generator(generator, writer=None):
    GENERATOR["articles"] = generator


def add_reader(readers):
    for ext in AcxReader.file_extensions:
        readers.reader_classes[ext] = AcxReader


def register():
    from pelican.generators import ArticlesGenerator

    if ArticlesGenerator.generate_pages is not split_generate_pages:
        global _GENERATE_PAGES
        _GENERATE_PAGES = ArticlesGenerator.generate_pages
        ArticlesGenerator.generate_pages = split_generate_pages
    _intrasite_links_only_where_marked()
    signals.readers_init.connect(add_reader)
    signals.get_writer.connect(get_writer)
    signals.article_writer_finalized.connect(keep_generator)


# Pelican looks for its intrasite links ('href="{static}/x.png"', '{filename}', '|tag|'...) in a
# page's HTML with a regular expression that tries every '<': once to list static files
# (``get_static_links``), and again each time the page's content is read (``_update_content``):
# 0.1 ms a page each. With Pelican's link pattern, a link is a quote followed by '{' or '|'; HTML
# in which no quote is followed by either has none, and is given back as it is. Installed only while
# Pelican's three methods are the ones this was written against (SHA-256 of their source).
_INTRASITE_DEFAULT = "[{|](?P<what>.*?)[|}]"
_INTRASITE_SOURCES = {
    "_get_intrasite_link_regex": "5d6b5c2523b5193e478029b63b1bc16b6b69e0b41d49dc0985db49fb98782292",
    "_update_content": "b446bacdf3e46a3a0b19137ac6c416e520429e33312f1932d4ed23b3929f3549",
    "get_static_links": "5236441e4de8c0446396a178b707ced75f941609dd9df68775c789e4a3404dd2",
}


def _may_link(content, text) -> bool:
    """Whether ``text`` may hold one of Pelican's intrasite links (always, with another pattern):
    whether a quote precedes some '{' or '|' (found character by character: quicker than any
    expression, as HTML holds few of them)."""
    if content.settings["INTRASITE_LINK_REGEX"] != _INTRASITE_DEFAULT:
        return True
    for mark in "{|":
        i = text.find(mark)
        while i != -1:
            if i and text[i - 1] in "\"'":
                return True
            i = text.find(mark, i + 1)
    return False


def _intrasite_links_only_where_marked() -> None:
    from pelican.contents import Content

    from .fastinline import known_source

    if getattr(Content, "_acx_intrasite", False):
        return
    if not all(known_source(getattr(Content, name), digest) for name, digest in _INTRASITE_SOURCES.items()):
        return  # another Pelican (or one without its sources): keep its own
    update, static = Content._update_content, Content.get_static_links

    def _update_content(self, content, siteurl):
        return update(self, content, siteurl) if content and _may_link(self, content) else content

    def get_static_links(self):
        return static(self) if self._content and _may_link(self, self._content) else set()

    Content._update_content, Content.get_static_links = _update_content, get_static_links
    Content._acx_intrasite = True
