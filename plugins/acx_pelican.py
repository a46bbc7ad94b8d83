"""Pelican plugin: a reader that serves documents already parsed by the build (one parse).

``site.build`` parses every source once (in parallel, cached) and puts the results in ``DOCS``;
this reader hands Pelican the HTML and metadata for each file instead of parsing it again.
"""

from __future__ import annotations

import datetime as dt
import html
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


class AcxReader(BaseReader):
    enabled = True
    file_extensions = ["md", "ipynb"]

    def read(self, filename):
        key = os.path.realpath(filename)
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


class ReusingWriter(Writer):
    def write_file(self, name, template, context, *args, **kwargs):
        if kwargs.get("template_name") == "bibliography":
            TEMPLATES["bibliography"] = (name, template, context, args, kwargs)
        content = kwargs.get("article") or kwargs.get("page")
        key = getattr(content, "page_key", None) if content is not None else None
        if key and name:
            WRITTEN[name] = key
            RENDERED[os.path.realpath(content.source_path)] = (name, template, context, args, kwargs)
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
        return super().write_file(name, template, context, *args, **kwargs)


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
    signals.readers_init.connect(add_reader)
    signals.get_writer.connect(get_writer)
    signals.article_writer_finalized.connect(keep_generator)
