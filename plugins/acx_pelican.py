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

DOCS: dict = {}  # absolute source path -> (Source, Doc, extra)


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


def add_reader(readers):
    for ext in AcxReader.file_extensions:
        readers.reader_classes[ext] = AcxReader


def register():
    signals.readers_init.connect(add_reader)
