"""The shared bibliography: load every ``bib/*.bib`` with pybtex, check it, and label it.

One :class:`Bibliography` is built per build. It gives every entry a stable author-year label
(``Hubinger et al.``, ``2019a``), disambiguated over the whole bibliography so that the site, the
bibliography page and the LaTeX export all agree, and a formatted reference in HTML and LaTeX
produced by pybtex's own formatting machinery (styles, name formatting, LaTeX decoding).
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
import pybtex.plugin
from pybtex.backends.html import Backend as _HtmlBackend
from pybtex.backends.latex import Backend as _LatexBackend
from pybtex.backends.plaintext import Backend as _TextBackend
from pybtex.database import BibliographyData, Person
from pybtex.database.input.bibtex import Parser
from pybtex.richtext import Text
from pybtex.scanner import PybtexSyntaxError
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.template import sentence

from .atomic import write_atomic
from .errors import Problem

# BibTeX's required fields per entry type (btxdoc); alternatives separated by '|'.
REQUIRED = {
    "article": ["author", "title", "journal", "year"],
    "book": ["author|editor", "title", "publisher", "year"],
    "booklet": ["title"],
    "inbook": ["author|editor", "title", "chapter|pages", "publisher", "year"],
    "incollection": ["author", "title", "booktitle", "publisher", "year"],
    "inproceedings": ["author", "title", "booktitle", "year"],
    "conference": ["author", "title", "booktitle", "year"],
    "manual": ["title"],
    "mastersthesis": ["author", "title", "school", "year"],
    "misc": [],
    "phdthesis": ["author", "title", "school", "year"],
    "proceedings": ["title", "year"],
    "techreport": ["author", "title", "institution", "year"],
    "unpublished": ["author", "title", "note"],
}
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
ARXIV_RE = re.compile(r"^(\d{4}\.\d{4,5}(v\d+)?|[a-z\-]+(\.[A-Z]{2})?/\d{7}(v\d+)?)$")
YEAR_RE = re.compile(r"^\d{4}$")
ENTRY_RE = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]+)\s*,")


class _Style(UnsrtStyle):
    """unsrt's entry templates, without web references (the site shows those as links)."""

    def format_web_refs(self, e):
        return sentence[""]


# pybtex looks plugins up through package entry points on every call (tens of ms each); the
# answer never changes within a process, so remember it.
if not hasattr(pybtex.plugin.find_plugin, "cache_info"):
    pybtex.plugin.find_plugin = functools.lru_cache(maxsize=None)(pybtex.plugin.find_plugin)

# Backends are created once: pybtex's render_as() looks each one up through package entry points,
# which costs tens of milliseconds per call.
HTML, LATEX, TEXT = _HtmlBackend(), _LatexBackend(), _TextBackend()


# LaTeX decoding (latexcodec's tokenizer, about 0.3 ms a field) dominates formatting a
# bibliography. A field without any character sequence the decoder rewrites decodes to itself,
# and the same field text recurs (names, journals), so decode each text once and skip the
# decoder for plain text. _LATEX_ACTIVE is exact: tests/test_bibliography.py checks it against
# latexcodec exhaustively on short strings and randomly on long ones.
_LATEX_ACTIVE = re.compile(r"[\\%~$\t\n\r\x0b\x0c]|[!?`]`|''|,,|--|  |^ ")


@functools.lru_cache(maxsize=1 << 16)
def decode_latex(value: str) -> str:
    """``codecs.decode(value, "ulatex")``, memoised, with plain text passed through."""
    if not _LATEX_ACTIVE.search(value):
        return value
    import codecs

    import latexcodec  # noqa: F401  (registers the codec)

    return codecs.decode(value, "ulatex")


def _from_latex(cls, latex):
    from pybtex.markup import LaTeXParser

    return LaTeXParser(decode_latex(latex)).parse()


Text.from_latex = classmethod(_from_latex)  # pybtex's own, with the memoised decoder


def latex_to_text(value: str) -> str:
    """Decode LaTeX markup (accents, braces, dashes) to Unicode text with pybtex."""
    return Text.from_latex(value).render(TEXT) if value else ""


def _person_last(person: Person) -> str:
    parts = person.rich_prelast_names + person.rich_last_names
    return " ".join(p.render(TEXT) for p in parts).strip()


def ascii_fold(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()


def suggest_key(key: str, keys) -> str | None:
    """The closest known key to a mistyped one ('did you mean …?'), or None."""
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
    if not close:
        close = sorted(k for k in keys if k.startswith(key) or key.startswith(k))
    return close[0] if close else None


@dataclass
class Entry:
    key: str
    type: str
    path: str
    line: int
    authors: str  # "Hubinger et al."
    year: str  # "2019"
    suffix: str = ""  # "a", "b" for disambiguation
    title: str = ""
    html: str = ""
    latex: str = ""
    text: str = ""
    links: list = field(default_factory=list)  # [(label, url)]

    @property
    def year_label(self) -> str:
        return f"{self.year}{self.suffix}"

    def cite_text(self, mode: str = "p") -> str:
        if mode == "t":
            return f"{self.authors} ({self.year_label})"
        if mode == "year":
            return self.year_label
        return f"{self.authors}, {self.year_label}"

    def to_dict(self):
        return {
            "key": self.key,
            "authors": self.authors,
            "year": self.year_label,
            "title": self.title,
            "html": self.html,
            "links": self.links,
        }


def start_load(root: Path, jobs: int):
    """(a forked copy loading the bibliography or None, ``Bibliography.cache_file(root)``). A cold
    build loads the bibliography (0.3-0.4 s at 500 entries) in a copy while it imports the rest of
    the engine and reads the settings (which imports Pelican): ``build.py`` calls this before
    importing the engine, ``site.build`` takes the result. Nothing is forked when the bibliography is
    cached (it loads in milliseconds), with one worker, or from a process with other threads (serve's
    server and watcher): a lock one of them holds at the fork would stay held in the copy."""
    import threading

    from . import forked

    cache = Bibliography.cache_file(root)
    if jobs > 1 and threading.active_count() == 1 and not cache.is_file():
        return forked.start(functools.partial(Bibliography.load_cached, root, cache)), cache
    return None, cache


class Bibliography:
    def __init__(self):
        self.data = BibliographyData()
        self.entries: dict[str, Entry] = {}
        self.problems: list[Problem] = []
        self.files: list[str] = []

    # ------------------------------------------------------------------ loading
    @classmethod
    def cache_file(cls, root: Path) -> Path:
        """Where ``load_cached`` keeps (or would keep) the bibliography as the files now are."""
        import hashlib

        root = Path(root)
        h = hashlib.sha256()
        for p in sorted((root / "bib").glob("*.bib")) + [Path(__file__)]:
            h.update(p.name.encode() + b"\0" + p.read_bytes())
        return root / ".cache" / "bib" / f"{h.hexdigest()[:24]}.pickle"

    @classmethod
    def load_cached(cls, root: Path, cache: Path | None = None) -> Bibliography:
        """``load`` of every ``bib/*.bib``, cached in ``.cache/bib`` by the files' and engine's bytes
        (``cache``: ``cache_file(root)``, when the caller has it)."""
        import hashlib
        import pickle

        root = Path(root)
        paths = sorted((root / "bib").glob("*.bib"))
        cache = cache or cls.cache_file(root)
        if cache.is_file():
            try:
                with open(cache, "rb") as fh:
                    return pickle.load(fh)
            except Exception:
                pass  # a damaged entry is rebuilt
        # Formatted entries are kept by each entry's own text, so editing one entry formats one.
        import pybtex

        memo_file = (
            root
            / ".cache"
            / "bib-entries"
            / f"{hashlib.sha256(Path(__file__).read_bytes() + pybtex.__version__.encode()).hexdigest()[:24]}.pickle"
        )
        try:
            with open(memo_file, "rb") as fh:
                memo = pickle.load(fh)
        except Exception:
            memo = {}  # none yet, or damaged: format everything
        bib = cls.load(paths, root, memo=memo)

        def keep_only(path: Path, obj) -> None:  # the folder's one pickle: older versions go
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob("*.pickle"):
                old.unlink(missing_ok=True)
            write_atomic(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))

        keep_only(memo_file, bib._memo_out)
        del bib._memo_out
        keep_only(cache, bib)
        return bib

    @classmethod
    def load(cls, paths, root: Path | None = None, memo: dict | None = None) -> Bibliography:
        """Parse, check, label and format the files. ``memo`` maps an entry's signature to its
        formatted forms from an earlier load; the forms used this time are left in ``_memo_out``."""
        bib = cls()
        for p in sorted(Path(x) for x in paths):
            bib._load_file(p, root)
        bib._check()
        bib._label()
        bib._format(memo or {})
        return bib

    def _rel(self, path: Path, root):
        try:
            return str(path.relative_to(root)) if root else str(path)
        except ValueError:
            return str(path)

    def _load_file(self, path: Path, root):
        rel = self._rel(path, root)
        self.files.append(rel)
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.problems.append(Problem(rel, line, 0, "not UTF-8 text: save the .bib file as UTF-8", check="bib"))
            return
        lines = {}
        for m in ENTRY_RE.finditer(text):
            if m.group(1).lower() not in ("string", "preamble", "comment"):
                lines.setdefault(m.group(2), text.count("\n", 0, m.start()) + 1)
        previous = pybtex.errors.strict
        pybtex.errors.set_strict_mode(True)
        try:
            parsed = Parser(wanted_entries=None).parse_string(text)
        except PybtexSyntaxError as exc:
            msg = str(exc.args[0]) if exc.args else str(exc)
            self.problems.append(Problem(rel, exc.lineno or 1, 0, f"BibTeX syntax error: {msg}", check="bib"))
            return
        except RecursionError:
            self.problems.append(Problem(rel, 1, 0, "BibTeX @string definitions refer to each other in a loop", check="bib"))
            return
        except Exception as exc:  # pybtex raises PybtexError subclasses for semantic problems
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            line = 1
            m = re.search(r"entry\s+([^\s:]+)", msg)
            if m and m.group(1) in lines:
                line = lines[m.group(1)]
            self.problems.append(Problem(rel, line, 0, f"BibTeX error: {msg}", check="bib"))
            return
        finally:
            pybtex.errors.set_strict_mode(previous)
        for key, entry in parsed.entries.items():
            line = lines.get(key, 1)
            if key in self.entries:
                first = self.entries[key]
                self.problems.append(
                    Problem(
                        rel,
                        line,
                        0,
                        f"duplicate BibTeX key '{key}' (first defined at {first.path}:{first.line}); rename or remove one",
                        check="bib",
                    )
                )
                continue
            self.data.entries[key] = entry
            self.entries[key] = Entry(key=key, type=entry.type.lower(), path=rel, line=line, authors="", year="")

    # ------------------------------------------------------------------ checks
    def _check(self):
        seen_doi, seen_eprint, titles = {}, {}, {}
        for key, meta in self.entries.items():
            e = self.data.entries[key]
            f = {k.lower(): v for k, v in e.fields.items()}
            where = (meta.path, meta.line)

            def err(msg, where=where, key=key):
                self.problems.append(Problem(where[0], where[1], 0, f"{key}: {msg}", check="bib"))

            if meta.type not in REQUIRED:
                err(f"unknown entry type '@{meta.type}'; use one of {', '.join(sorted(REQUIRED))}")
                continue
            for req in REQUIRED[meta.type]:
                alts = req.split("|")
                if not any(a in f or a in e.persons for a in alts):
                    err(f"missing required field '{' or '.join(alts)}' for @{meta.type}")
            if "year" in f and not YEAR_RE.match(f["year"].strip()):
                err(f"year must be four digits (got '{f['year']}')")
            if not any(k in f for k in ("url", "doi", "eprint")):
                err("no url, doi or eprint: add one that identifies the work")
            if "doi" in f:
                doi = f["doi"].strip()
                if not DOI_RE.match(doi):
                    err(f"malformed DOI '{doi}' (expected 10.NNNN/…, without https://doi.org/)")
                elif doi.lower() in seen_doi:
                    err(f"same DOI as '{seen_doi[doi.lower()]}': one work, one entry")
                else:
                    seen_doi[doi.lower()] = key
            if "eprint" in f:
                ep = f["eprint"].strip()
                if not ARXIV_RE.match(ep):
                    err(f"malformed arXiv id '{ep}' (expected e.g. 2105.14111)")
                elif ep.split("v")[0] in seen_eprint:
                    err(f"same arXiv id as '{seen_eprint[ep.split('v')[0]]}': one work, one entry")
                else:
                    seen_eprint[ep.split("v")[0]] = key
            if "crossref" in f and f["crossref"] not in self.entries:
                err(f"crossref to missing entry '{f['crossref']}'")
            title = re.sub(r"[^a-z0-9]+", " ", ascii_fold(latex_to_text(f.get("title", "")))).strip()
            if title:
                # "ARENA 2.0 report" and "ARENA 5.0 report" are different works: compare titles
                # with the same numbers only
                same_numbers = titles.setdefault(tuple(re.findall(r"\d+", title)), {})
                for other_title, other in same_numbers.items():
                    if abs(len(other_title) - len(title)) >= 8:
                        continue
                    sm = difflib.SequenceMatcher(None, title, other_title, autojunk=False)
                    if sm.real_quick_ratio() > 0.95 and sm.quick_ratio() > 0.95 and sm.ratio() > 0.95:
                        err(f"title nearly identical to '{other}': one work, one entry")
                        break
                else:
                    same_numbers[title] = key

    # ------------------------------------------------------------------ labels
    def _authors_label(self, e) -> str:
        persons = e.persons.get("author") or e.persons.get("editor") or []
        names = [latex_to_text(str(_person_last(p))) for p in persons]
        others = any(str(p) == "others" for p in persons)
        names = [n for n, p in zip(names, persons) if str(p) != "others"]
        if not names:
            org = e.fields.get("organization") or e.fields.get("institution") or e.fields.get("howpublished")
            title = e.fields.get("title", "Anonymous")
            return latex_to_text(org or title)[:40]
        if len(names) == 1 and not others:
            return names[0]
        if len(names) == 2 and not others:
            return f"{names[0]} and {names[1]}"
        return f"{names[0]} et al."

    def _label(self):
        groups: dict[tuple, list[str]] = {}
        for key, meta in self.entries.items():
            e = self.data.entries[key]
            meta.authors = self._authors_label(e)
            meta.year = e.fields.get("year", "n.d.").strip()
            meta.title = latex_to_text(e.fields.get("title", ""))
            groups.setdefault((meta.authors, meta.year), []).append(key)
        for (_, _), keys in groups.items():
            if len(keys) > 1:
                keys.sort(key=lambda k: (ascii_fold(self.entries[k].title), k))
                for i, k in enumerate(keys):
                    self.entries[k].suffix = "abcdefghijklmnopqrstuvwxyz"[i] if i < 26 else str(i)

    def _format(self, memo: dict):
        import hashlib

        style = _Style()
        self._memo_out = {}
        sigs, todo = {}, []
        for key in self.entries:
            e = self.data.entries[key]
            sigs[key] = sig = hashlib.sha256(
                repr(
                    (
                        key,
                        e.type,
                        sorted((k, str(v)) for k, v in e.fields.items()),
                        sorted((r, [str(x) for x in ps]) for r, ps in e.persons.items()),
                    )
                ).encode()
            ).hexdigest()
            if sig not in memo or "crossref" in e.fields:  # a cross-referenced parent may have changed
                todo.append(key)
        done = _format_in_two(style, self.data, todo) if len(todo) >= PARALLEL_FORMAT_MIN else _format_keys(style, self.data, todo)
        for key, meta in self.entries.items():
            e = self.data.entries[key]
            forms = done[key] if key in done else memo[sigs[key]]
            if isinstance(forms, str):  # a field pybtex cannot format
                self.problems.append(Problem(meta.path, meta.line, 0, f"{key}: cannot format entry ({forms})", check="bib"))
                meta.html = meta.text = meta.title
                meta.latex = meta.title
            else:
                meta.html, meta.latex, meta.text = forms
                self._memo_out[sigs[key]] = forms
            f = e.fields
            links = []
            if f.get("doi"):
                links.append(("DOI", "https://doi.org/" + f["doi"].strip()))
            if f.get("eprint"):
                links.append(("arXiv", "https://arxiv.org/abs/" + f["eprint"].strip()))
            if f.get("url"):
                links.append(("URL", f["url"].strip()))
            meta.links = links

    # ------------------------------------------------------------------ lookups
    def __contains__(self, key):
        return key in self.entries

    def get(self, key) -> Entry | None:
        return self.entries.get(key)

    def suggest(self, key: str) -> str | None:
        return suggest_key(key, self.entries)

    def sort_key(self, key: str):
        m = self.entries[key]
        return (ascii_fold(m.authors), m.year, m.suffix, ascii_fold(m.title), key)

    def uncited(self, cited: set[str]) -> list[Problem]:
        return [
            Problem(m.path, m.line, 0, f"{k}: entry is cited nowhere", severity="warning", check="bib")
            for k, m in sorted(self.entries.items())
            if k not in cited
        ]

    def export_labels(self) -> dict:
        """Plain data for worker processes and the LaTeX exporter."""
        return {k: v for k, v in self.entries.items()}


PARALLEL_FORMAT_MIN = 64  # with this many entries to format, two processes share the work


def _format_keys(style, data, keys) -> dict:
    """Key -> (HTML, LaTeX, text) of each entry, or the message pybtex failed with."""
    out = {}
    for key in keys:
        try:
            formatted = style.format_entry(key, data.entries[key])
            out[key] = (formatted.text.render(HTML), formatted.text.render(LATEX), formatted.text.render(TEXT))
        except Exception as exc:  # noqa: BLE001 - reported against the entry
            out[key] = str(exc)
    return out


def _format_in_two(style, data, keys) -> dict:
    """``_format_keys`` with every other key formatted by a forked copy of this process; if the
    copy fails, this process formats its share."""
    from .forked import share

    mine, theirs = share(lambda: _format_keys(style, data, keys[0::2]), lambda: _format_keys(style, data, keys[1::2]))
    if not (isinstance(theirs, dict) and set(theirs) == set(keys[1::2])):
        theirs = _format_keys(style, data, keys[1::2])
    return {**mine, **theirs}
