"""Papers: LaTeX, PDF and an arXiv-ready source bundle for each ``papers/<slug>/paper.md``.

For each paper the rendered document (one parse, see ``plugins/latex.py``) is written into
``theme/latex/preprint.tex`` as ``main.tex``, with a ``main.bbl`` in natbib's format made from the
site's own bibliography labels (arXiv runs no BibTeX) and the figures' PDF twins. The bundle is a
deterministic ``.tar.gz`` that passes :func:`preflight` (arXiv's rules), which also compiles it
with ``pdflatex`` alone in a clean folder; that PDF is the one published. Results are cached in
``.cache/papers/<slug>-<hash>/`` by the bytes that go into the bundle, so an unchanged paper costs
no LaTeX run.

Without ``pdflatex`` the site still builds: :func:`build_all` warns once per paper and skips the
PDFs; ``build.py papers`` and ``build.py pdf`` fail with an error saying how to install TeX Live.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import latex
from .atomic import write_atomic
from .errors import Report

TEMPLATE = Path(__file__).resolve().parent.parent / "theme" / "latex" / "preprint.tex"
MAX_PASSES = 4
PASS_TIMEOUT = 120
MAX_BYTES = 10 * 1024 * 1024
WARN_BYTES = 5 * 1024 * 1024
NAME_RE = re.compile(r"^[A-Za-z0-9_+\-.,=]+$")
OUTPUT_EXT = (
    ".aux",
    ".log",
    ".out",
    ".toc",
    ".lof",
    ".lot",
    ".blg",
    ".fls",
    ".fdb_latexmk",
    ".synctex.gz",
    ".bcf",
    ".run.xml",
    ".dvi",
    ".ps",
    ".nav",
    ".snm",
    ".brf",
)
FIGURE_EXT = (".pdf", ".png", ".jpg", ".jpeg")
RERUN_RE = re.compile(
    r"Rerun to get|Label\(s\) may have changed|There were undefined (references|citations)|undefined on input line|Please rerun"
)
UNDEFINED_RE = re.compile(r"^.*undefined.*$", re.M | re.I)
INSTALL_HINT = "pdflatex is not installed: run 'make papers' (or 'make test'), which installs TeX Live through apt"


def have_pdflatex() -> bool:
    return shutil.which("pdflatex") is not None


# --------------------------------------------------------------------------- LaTeX sources
def _jinja():
    import jinja2

    return jinja2.Environment(
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _date(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value:%B} {value.day}, {value.year}"
    return latex.escape(str(value or ""))


def _abstract_tex(meta, path, ctx, base_url) -> tuple[str, list]:
    text = meta.get("abstract")
    if not text:
        return "", []
    from .render import render_body

    try:
        adoc = render_body(str(text), path, {}, ctx or _empty_ctx(), 1)
    except Exception:  # an abstract that cannot be parsed is typeset as plain text
        return latex.escape(str(text)), []
    exp = latex.to_latex(adoc, base_url=base_url)
    return exp.body.strip(), exp.citations


def _empty_ctx():
    from .render import RenderContext

    return RenderContext()


def render_main(
    doc, export: latex.Export, *, abstract: str = "", canonical: str = "", has_references: bool = True, template: Path = TEMPLATE
) -> tuple[str, int]:
    """Fill the preprint template; returns (main.tex text, line of the body's first line)."""
    meta = doc.meta
    authors = []
    for a in meta.get("authors") or []:
        email = str(a.get("email") or "")
        authors.append(
            {
                "name": latex.escape(str(a.get("name", ""))),
                "affiliation": latex.escape(str(a.get("affiliation") or "")),
                "email": latex.escape_code(email),
                "email_url": latex.url_arg(email),
            }
        )
    keywords = meta.get("keywords") or []
    env = _jinja()
    tpl = env.from_string(template.read_text(encoding="utf-8"))
    marker = "\x00BODY\x00"
    ctx = {
        "title": latex.escape(str(meta.get("title", ""))),
        "authors": authors,
        "date": _date(meta.get("date")),
        "abstract": abstract,
        "keywords": latex.escape(", ".join(str(k) for k in keywords)),
        "pdf_authors": latex.escape(", ".join(str(a.get("name", "")) for a in meta.get("authors") or [])),
        "pdf_keywords": latex.escape(", ".join(str(k) for k in keywords)),
        "canonical": latex.url_arg(canonical) if canonical and re.fullmatch(r"https?://[\w./\-]+", canonical) else "",
        "has_references": has_references,
        "body": marker,
    }
    text = tpl.render(**ctx)
    offset = text[: text.index(marker)].count("\n") + 1
    return text.replace(marker, export.body.rstrip("\n")), offset


def make_bbl(keys, entries) -> str:
    """natbib's ``thebibliography`` for the cited keys, labelled and sorted exactly as on the site."""
    keys = [k for k in dict.fromkeys(keys) if k in entries]
    keys.sort(key=lambda k: (entries[k].authors.lower(), entries[k].year_label, entries[k].title.lower(), k))
    out = [
        f"\\begin{{thebibliography}}{{{len(keys)}}}",
        "\\providecommand{\\natexlab}[1]{#1}",
        "\\providecommand{\\url}[1]{\\texttt{#1}}",
        "",
    ]
    for k in keys:
        e = entries[k]
        short = latex.escape(e.authors).replace("et al.", "et~al.")
        year = latex.escape(e.year_label)
        out.append(f"\\bibitem[{{{{{short}}}({year}){{{short}}}}}]{{{k}}}")
        body = latex.strip_comments(_ascii_latex(e.latex or latex.escape(e.title)))
        out.append(body.strip())
        links = []
        for lab, url in e.links:
            shown = url
            if lab == "DOI":
                shown = "doi:" + url.split("doi.org/", 1)[-1]
            elif lab == "arXiv":
                shown = "arXiv:" + url.rsplit("/", 1)[-1]
            links.append(
                f"\\href{{{latex.url_arg(url)}}}{{\\nolinkurl{{{latex.url_arg(shown)}}}}}"
                if lab != "URL"
                else f"\\url{{{latex.url_arg(url)}}}"
            )
        if links:
            out.append("\\newblock " + ", ".join(links) + ".")
        out.append("")
    out.append("\\end{thebibliography}")
    return "\n".join(out) + "\n"


def _ascii_latex(tex: str) -> str:
    """pybtex's LaTeX with any remaining non-ASCII characters encoded for pdflatex."""
    if tex.isascii():
        return tex
    return "".join(c if c.isascii() else latex._char(c, latex._PROSE) for c in unicodedata.normalize("NFC", tex))


@dataclass
class Sources:
    """Everything that goes into a paper's bundle."""

    slug: str
    main: str
    bbl: str
    files: dict = field(default_factory=dict)  # bundle path -> bytes
    body_offset: int = 1
    export: latex.Export | None = None

    def readme(self) -> bytes:
        data = {"process": {"compiler": "pdflatex"}, "sources": [{"filename": "main.tex", "usage": "toplevel"}], "stamp": False}
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()

    def all_files(self) -> dict:
        files = {"00README.json": self.readme(), "main.tex": self.main.encode("utf-8")}
        if self.bbl:
            files["main.bbl"] = self.bbl.encode("utf-8")
        files.update(self.files)
        return files

    def digest(self) -> str:
        h = hashlib.sha256()
        h.update(TEMPLATE.read_bytes())
        for name, data in sorted(self.all_files().items()):
            h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return h.hexdigest()[:16]


def prepare(
    root: Path,
    src_path: str,
    doc,
    bib,
    figs,
    *,
    base_url: str = "",
    canonical: str = "",
    ctx=None,
    report: Report | None = None,
    slug: str | None = None,
) -> Sources | None:
    """Serialize one document and collect its bundle's files. Problems go to ``report``."""
    root = Path(root)
    report = report if report is not None else Report()
    entries = getattr(bib, "entries", bib) or {}
    try:
        source = (root / src_path).read_text(encoding="utf-8") if not src_path.endswith(".ipynb") else None
    except OSError:
        source = None
    export = latex.to_latex(doc, base_url=base_url, source=source)
    report.extend(export.problems)
    if any(p.severity == "error" for p in export.problems):
        return None
    if ctx is None:
        from .render import RenderContext

        ctx = RenderContext(bib=dict(entries), figures=set(figs or {}))
    abstract, abs_keys = _abstract_tex(doc.meta, src_path, ctx, base_url)
    keys = list(dict.fromkeys(list(export.citations) + list(abs_keys)))
    bbl = make_bbl(keys, entries) if keys else ""
    main, offset = render_main(doc, export, abstract=abstract, canonical=canonical, has_references=bool(keys))
    files = {}
    for name, spec in export.images.items():
        kind, value = spec
        try:
            if kind == "figure":
                folder = figs.get(value) if figs else None
                if folder is None or not (Path(folder) / f"{value}.pdf").is_file():
                    report.error(
                        src_path, 1, f"figure '{value}' has no PDF twin in the figures cache: run 'python build.py figures'", check="papers"
                    )
                    return None
                files[name] = (Path(folder) / f"{value}.pdf").read_bytes()
            elif kind == "file":
                files[name] = (root / value).read_bytes()
            else:
                files[name] = value
        except OSError as exc:
            report.error(src_path, 1, f"cannot read image for the LaTeX export: {exc}", check="papers")
            return None
    if export.unknown_chars:
        chars = "".join(sorted(export.unknown_chars))[:20]
        report.warning(src_path, 1, f"characters with no LaTeX form are printed as '?' in the PDF: {chars}", check="papers")
    return Sources(slug=slug or Path(src_path).parent.name, main=main, bbl=bbl, files=files, body_offset=offset, export=export)


# --------------------------------------------------------------------------- compiling
def _env() -> dict:
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", shell_escape="f", SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1", TEXMFOUTPUT="")
    env.pop("TEXINPUTS", None)
    return env


@dataclass
class Compiled:
    ok: bool
    log: str = ""
    passes: int = 0
    pdf: Path | None = None
    error: str = ""
    error_line: int | None = None  # line in main.tex


def compile_tex(folder: Path, main: str = "main.tex") -> Compiled:
    """Run pdflatex (no shell escape, halt on error) until the log asks for no rerun (at most 4)."""
    if not have_pdflatex():
        return Compiled(False, error=INSTALL_HINT)
    folder = Path(folder)
    stem = main.rsplit(".", 1)[0]
    log = ""
    for n in range(1, MAX_PASSES + 1):
        try:
            proc = subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "-file-line-error-style=false", main],
                cwd=folder,
                env=_env(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=PASS_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            return Compiled(False, log, n, error=f"pdflatex ran longer than {PASS_TIMEOUT} s")
        logf = folder / f"{stem}.log"
        log = logf.read_text(encoding="latin-1") if logf.is_file() else proc.stdout.decode("latin-1")
        if proc.returncode != 0 or not (folder / f"{stem}.pdf").is_file():
            msg, line = log_error(log)
            return Compiled(False, log, n, error=msg, error_line=line)
        if n > 1 and not RERUN_RE.search(log):
            break
        if n == 1 and not RERUN_RE.search(log) and not (folder / f"{stem}.aux").read_text(encoding="latin-1", errors="replace").strip():
            break
    return Compiled(True, log, n, pdf=folder / f"{stem}.pdf")


def log_error(log: str) -> tuple[str, int | None]:
    """The first LaTeX error in a log, with its context, and the main.tex line (``l.NN``)."""
    lines = log.splitlines()
    for i, ln in enumerate(lines):
        if ln.startswith("!"):
            ctx = [ln[1:].strip()]
            line = None
            for nxt in lines[i + 1 : i + 12]:
                m = re.match(r"^l\.(\d+) ?(.*)$", nxt)
                if m:
                    line = int(m.group(1))
                    if m.group(2).strip():
                        ctx.append(f"near '{m.group(2).strip()[-60:]}'")
                    break
            return "; ".join(ctx), line
    tail = [ln for ln in lines if ln.strip()][-3:]
    return "pdflatex failed: " + " | ".join(tail), None


def undefined_warnings(log: str) -> list[str]:
    return sorted({m.group(0).strip() for m in UNDEFINED_RE.finditer(log) if "Warning" in m.group(0) or "undefined" in m.group(0)})


def pdf_text(pdf: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=60)
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None


# --------------------------------------------------------------------------- bundle
def write_bundle(files: dict, dest: Path) -> None:
    """A deterministic .tar.gz: files only, sorted names, mtime 0, uid/gid 0, no owner names, gzip mtime 0."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(files):
            data = files[name]
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime, info.uid, info.gid, info.uname, info.gname = len(data), 0o644, 0, 0, 0, "", ""
            tar.addfile(info, io.BytesIO(data))
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    with open(tmp, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    os.replace(tmp, dest)


# --------------------------------------------------------------------------- preflight
@dataclass
class Preflight:
    failures: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    compiled: Compiled | None = None
    pdf_bytes: bytes | None = None


def _tex_refs(tex: str):
    """(command, argument) for every file reference in LaTeX source."""
    for m in re.finditer(
        r"\\(includegraphics|input|include|InputIfFileExists|bibliography|lstinputlisting)\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}", tex
    ):
        for arg in m.group(2).split(","):
            if arg.strip():
                yield m.group(1), arg.strip()


def _comment_lines(tex: str) -> list[int]:
    """Lines with a % comment, outside verbatim environments."""
    bad, verb = [], None
    for i, line in enumerate(tex.split("\n"), 1):
        if verb:
            if re.search(r"\\end\{" + re.escape(verb) + r"\}", line):
                verb = None
            continue
        m = re.search(r"\\begin\{(lstlisting|verbatim\*?|Verbatim|minted)\}", line)
        if m:
            verb = m.group(1)
            line = line[: m.start()]
        j = 0
        while j < len(line):
            if line[j] == "\\":
                j += 2
                continue
            if line[j] == "%":
                bad.append(i)
                break
            j += 1
    return bad


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower()
    return re.sub(r"[\W_]+", "", s)


def preflight_report(bundle_path, *, keep_pdf: bool = False) -> Preflight:
    """Check a bundle against arXiv's rules and compile it alone; every failure is 'name: why'."""
    res = Preflight()
    fail = res.failures.append
    bundle_path = Path(bundle_path)
    try:
        size = bundle_path.stat().st_size
        tar = tarfile.open(bundle_path, "r:*")
    except (OSError, tarfile.TarError) as exc:
        fail(f"not-a-bundle: cannot open {bundle_path.name} as a .tar.gz ({exc})")
        return res
    with tar, tempfile.TemporaryDirectory(prefix="acx-preflight-") as tmp:
        work = Path(tmp)
        members = tar.getmembers()
        names, total = [], 0
        for m in members:
            n = m.name
            if n.startswith("/") or ".." in n.split("/") or re.match(r"^[A-Za-z]:", n):
                fail(f"unsafe-path: '{n}' is absolute or leaves the bundle")
                continue
            if m.issym() or m.islnk() or not (m.isfile() or m.isdir()):
                fail(f"not-a-file: '{n}' is a link or special file")
                continue
            parts = n.rstrip("/").split("/")
            if any(p.startswith(".") for p in parts):
                fail(f"hidden-file: '{n}' is hidden (its name starts with '.')")
            elif any(not NAME_RE.match(p) for p in parts):
                fail(f"bad-file-name: '{n}' uses characters outside A-Z a-z 0-9 _ + - . , =")
            if m.isdir():
                continue
            names.append(n)
            total += m.size
        if any(r.startswith("unsafe-path") or r.startswith("not-a-file") for r in res.failures):
            return res
        tar.extractall(work, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(work)  # noqa: S202
        total = max(total, size)
        if total >= MAX_BYTES:
            fail(f"too-large: the bundle is {total / 1e6:.1f} MB; arXiv's limit is 10 MB")
        elif total > WARN_BYTES:
            res.warnings.append(f"large: the bundle is {total / 1e6:.1f} MB (over 5 MB); arXiv prefers smaller submissions")
        # 00README.json
        top = None
        if "00README.json" not in names:
            fail("missing-00README: no 00README.json naming the top-level file and the compiler")
        else:
            try:
                rd = json.loads((work / "00README.json").read_text(encoding="utf-8"))
                compiler = (rd.get("process") or {}).get("compiler")
                tops = [s.get("filename") for s in rd.get("sources") or [] if s.get("usage") == "toplevel"]
                if compiler != "pdflatex":
                    fail(f"bad-00README: process.compiler is {compiler!r}, not 'pdflatex'")
                if len(tops) != 1:
                    fail("bad-00README: sources must name exactly one file with usage 'toplevel'")
                else:
                    top = tops[0]
            except (ValueError, AttributeError, OSError) as exc:
                fail(f"bad-00README: 00README.json is not valid JSON of arXiv's format ({exc})")
        if top and top not in names:
            fail(f"missing-toplevel: 00README.json names '{top}', which is not in the bundle")
            top = None
        if top is None:
            return res
        stem = top.rsplit(".", 1)[0]
        # outputs, unused files, references
        used = {"00README.json", top}
        texts = {
            n: (work / n).read_text(encoding="utf-8", errors="replace")
            for n in names
            if n.endswith((".tex", ".bbl", ".sty", ".cls", ".bst"))
        }
        for n in names:
            low = n.lower()
            if low.endswith(OUTPUT_EXT) or n == f"{stem}.pdf":
                fail(f"output-file: '{n}' is a LaTeX output; arXiv builds its own")
        lower = {n.lower(): n for n in names}
        todo, seen = [top], set()
        while todo:
            cur = todo.pop()
            if cur in seen or cur not in texts:
                continue
            seen.add(cur)
            tex = texts[cur]
            if cur.endswith(".tex"):
                for ln in _comment_lines(tex)[:1]:
                    fail(f"comments: {cur} line {ln} has a % comment; strip comments before submitting")
            for cmd, arg in _tex_refs(tex):
                if arg.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:", arg):
                    fail(f"absolute-path: \\{cmd}{{{arg}}} in {cur} uses an absolute path")
                    continue
                cands = [arg]
                if cmd == "includegraphics":
                    if "." in arg.rsplit("/", 1)[-1]:
                        ext = "." + arg.rsplit(".", 1)[1].lower()
                        if ext not in FIGURE_EXT:
                            fail(f"bad-figure-format: '{arg}' is not PDF, PNG or JPEG")
                    else:
                        cands = [arg + e for e in FIGURE_EXT]
                elif cmd == "bibliography":
                    cands = [arg + ".bbl"] if not arg.endswith(".bbl") else [arg]
                    if f"{stem}.bbl" in names:
                        used.add(f"{stem}.bbl")
                        continue
                else:
                    cands = [arg, arg + ".tex"]
                hit = next((c for c in cands if c in names), None)
                if hit:
                    used.add(hit)
                    todo.append(hit)
                    continue
                near = next((lower[c.lower()] for c in cands if c.lower() in lower), None)
                if near:
                    fail(f"case-mismatch: \\{cmd}{{{arg}}} in {cur} names '{near}' with different upper/lower case")
                    used.add(near)
                elif cmd == "bibliography":
                    fail(f"missing-bbl: {cur} has \\bibliography but the bundle has no {stem}.bbl (arXiv runs no BibTeX)")
                else:
                    fail(f"missing-file: \\{cmd}{{{arg}}} in {cur} names a file not in the bundle")
        if "\\cite" in texts.get(top, "") and f"{stem}.bbl" not in names and not any(r.startswith("missing-bbl") for r in res.failures):
            fail(f"missing-bbl: {top} cites but the bundle has no {stem}.bbl (arXiv runs no BibTeX)")
        for n in names:
            if "\\write18" in texts.get(n, "") or (n.endswith((".tex", ".bbl")) and "write18" in (work / n).read_bytes().decode("latin-1")):
                fail(f"write18: {n} uses \\write18 (shell escape), which arXiv does not run")
        for n in names:
            low = n.lower()
            if n in used or low.endswith(OUTPUT_EXT) or n == f"{stem}.pdf":
                continue
            if low.endswith(FIGURE_EXT) or low.endswith((".tex", ".bbl", ".bib", ".sty", ".cls")):
                fail(f"unused-file: '{n}' is not used by {top}")
            else:
                fail(f"unused-file: '{n}' is neither used by {top} nor a file arXiv processes")
        if res.failures:
            return res
        # compile alone in a clean folder
        comp = compile_tex(work, top)
        res.compiled = comp
        if not comp.ok:
            fail(f"compile-failed: {comp.error}" + (f" (main.tex line {comp.error_line})" if comp.error_line else ""))
            return res
        undef = undefined_warnings(comp.log)
        if undef:
            fail("undefined-references: the log reports " + " | ".join(undef[:3]))
        text = pdf_text(comp.pdf)
        if text is not None:
            flat = _norm(text)
            main_tex = texts[top]
            tm = re.search(r"\\title\{(.*)\}\s*$", main_tex, re.M)
            if tm and _norm(_latex_text(tm.group(1))) not in flat:
                fail(f"missing-title: the PDF's text lacks the title '{_latex_text(tm.group(1))[:60]}'")
            for hm in re.finditer(r"^\\(?:sub)*section\*?\{(.*)\}(?:\\label\{[^}]*\}|\\phantomsection)*\s*$", main_tex, re.M):
                head = _latex_text(hm.group(1))
                if _norm(head) and _norm(head) not in flat:
                    fail(f"missing-heading: the PDF's text lacks the heading '{head[:60]}'")
            if f"{stem}.bbl" in names:
                bbl = texts.get(f"{stem}.bbl", "")
                after = flat.split("references", 1)
                if len(after) < 2:
                    fail("missing-references: the PDF has no reference list")
                else:
                    for bm in re.finditer(r"\\bibitem\[\{\{(.*?)\}\((.*?)\)", bbl):
                        who = _norm(_latex_text(bm.group(1)).split()[0]) if _latex_text(bm.group(1)).split() else ""
                        if who and who not in after[-1]:
                            fail(f"missing-references: the reference list lacks '{_latex_text(bm.group(1))}'")
        if keep_pdf and comp.pdf:
            res.pdf_bytes = comp.pdf.read_bytes()
    return res


def _latex_text(tex: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        return LatexNodes2Text(math_mode="verbatim").latex_to_text(tex).strip()
    except Exception:
        return re.sub(r"\\[A-Za-z]+|[{}]", "", tex)


def preflight(bundle_path) -> list[str]:
    """arXiv's rules, checked on a bundle; [] when it would be accepted. Each item is 'name: why'."""
    return preflight_report(bundle_path).failures


# --------------------------------------------------------------------------- building
def _map_line(sources: Sources, tex_line: int | None) -> int:
    if not tex_line or sources.export is None:
        return 1
    body_line = tex_line - sources.body_offset + 1
    best = 1
    for bl, src_line in sources.export.anchors:
        if bl <= body_line:
            best = src_line
        else:
            break
    return best


def _canonical(root: Path) -> str:
    if not (root / "pelicanconf.py").is_file():
        return ""
    try:
        from pelican.settings import read_settings

        return read_settings(str(root / "pelicanconf.py"), override={"PATH": str(root)}).get("CANONICAL_URL") or ""
    except Exception:
        return ""


def build_one(
    root: Path,
    src_path: str,
    slug: str,
    doc,
    bib,
    figs,
    out_dir: Path,
    report: Report,
    *,
    base_url="",
    canonical="",
    ctx=None,
    bundle=True,
    cache_root: Path | None = None,
) -> dict | None:
    """Build one paper's PDF (and bundle) into ``out_dir``; return their paths or None on failure."""
    root = Path(root)
    cache_root = cache_root or root / ".cache" / "papers"
    pdf_name, tar_name = f"{slug}.pdf", f"{slug}-arxiv.tar.gz"
    memo = cache_root / f"{slug}{'' if bundle else '-pdf'}.inputs.json"
    fingerprint = _inputs_fingerprint(root, src_path, doc, bib, figs, base_url, canonical, bundle)
    try:  # unchanged inputs: reuse the last result without serializing LaTeX again
        seen = json.loads(memo.read_text())
        hit = cache_root / seen["dir"]
        if seen["inputs"] == fingerprint and (hit / pdf_name).is_file() and (not bundle or (hit / tar_name).is_file()):
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(hit / pdf_name, out_dir / pdf_name)
            result = {"pdf": out_dir / pdf_name}
            if bundle:
                shutil.copyfile(hit / tar_name, out_dir / tar_name)
                result["bundle"] = out_dir / tar_name
            return result
    except (OSError, ValueError, KeyError, TypeError):
        pass
    srcs = prepare(root, src_path, doc, bib, figs, base_url=base_url, canonical=canonical, ctx=ctx, report=report, slug=slug)
    if srcs is None:
        return None
    key = srcs.digest() + ("" if bundle else "-pdf")
    cached = cache_root / f"{slug}-{key}"
    pdf_name, tar_name = f"{slug}.pdf", f"{slug}-arxiv.tar.gz"
    if not (cached / pdf_name).is_file() or (bundle and not (cached / tar_name).is_file()):
        if not have_pdflatex():
            report.error(src_path, 1, INSTALL_HINT, check="papers")
            return None
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{slug}-", dir=_mkdir(cache_root)))
        try:
            files = srcs.all_files()
            if bundle:
                tarpath = tmp / tar_name
                write_bundle(files, tarpath)
                pre = preflight_report(tarpath, keep_pdf=True)
                for w in pre.warnings:
                    report.warning(src_path, 1, f"arXiv preflight: {w}", check="papers")
                if pre.failures:
                    line = _map_line(srcs, pre.compiled.error_line) if pre.compiled and not pre.compiled.ok else 1
                    for f in pre.failures:
                        report.error(src_path, line, f"arXiv preflight: {f}", check="papers")
                    return None
                (tmp / pdf_name).write_bytes(pre.pdf_bytes)
            else:
                work = tmp / "work"
                work.mkdir()
                for name, data in files.items():
                    (work / name).parent.mkdir(parents=True, exist_ok=True)
                    (work / name).write_bytes(data)
                comp = compile_tex(work)
                if not comp.ok:
                    report.error(src_path, _map_line(srcs, comp.error_line), f"LaTeX failed: {comp.error}", check="papers")
                    return None
                for u in undefined_warnings(comp.log)[:3]:
                    report.warning(src_path, 1, f"LaTeX: {u}", check="papers")
                shutil.copyfile(comp.pdf, tmp / pdf_name)
                shutil.rmtree(work)
            (tmp / "main.tex").write_text(srcs.main, encoding="utf-8")
            if cached.exists():
                shutil.rmtree(cached)
            os.replace(tmp, cached)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        suffix = "" if bundle else "-pdf"
        for old in cache_root.glob(f"{slug}-*"):
            if old != cached and old.is_dir() and re.fullmatch(r"[0-9a-f]{16}" + re.escape(suffix), old.name[len(slug) + 1 :]):
                shutil.rmtree(old, ignore_errors=True)  # superseded versions of this paper
    if not report.errors:
        _mkdir(cache_root)
        write_atomic(memo, json.dumps({"inputs": fingerprint, "dir": cached.name}).encode())
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {"pdf": out_dir / pdf_name}
    shutil.copyfile(cached / pdf_name, out_dir / pdf_name)
    if bundle:
        shutil.copyfile(cached / tar_name, out_dir / tar_name)
        result["bundle"] = out_dir / tar_name
    return result


def _inputs_fingerprint(root, src_path, doc, bib, figs, base_url, canonical, bundle) -> str:
    """Everything a paper's LaTeX is made from: source, engine, template, cited entries, figures."""
    from .site import engine_hash

    h = hashlib.sha256()
    h.update(engine_hash(Path(root)).encode() + f"|{base_url}|{canonical}|{bundle}|{src_path}".encode())
    src = Path(root) / src_path
    for f in sorted(src.parent.rglob("*")) if src.parent.name != "posts" else [src]:
        if f.is_file() and not f.name.startswith("."):  # the source and the paper's own assets
            h.update(f.name.encode() + f.read_bytes())
    for f in sorted((Path(__file__).resolve().parent.parent / "theme" / "latex").rglob("*")):
        if f.is_file():
            h.update(f.name.encode() + f.read_bytes())
    entries = getattr(bib, "entries", bib) or {}
    for k in sorted(set(getattr(doc, "citations", []) or [])):
        e = entries.get(k)
        h.update(
            f"{k}|{getattr(e, 'authors', '')}|{getattr(e, 'year_label', '')}|{getattr(e, 'latex', '')}|{getattr(e, 'links', '')}".encode()
        )
    for name in sorted(set(getattr(doc, "figures", []) or [])):
        h.update(f"{name}|{(figs or {}).get(name, '')}".encode())  # the folder name carries the figure's input hash
    return h.hexdigest()


def _mkdir(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def build_all(root, sources, docs, bib, figs, out, report, progress=None, jobs: int = 2) -> dict:
    """Build every paper's PDF and arXiv bundle into ``out/papers/<slug>/``.

    Returns ``{source path: {"pdf_url": "papers/<slug>/<slug>.pdf", "bundle_url": "papers/<slug>/<slug>-arxiv.tar.gz"}}``
    for the papers that built. Without pdflatex it warns per paper and returns {} so the site still builds."""
    root = Path(root)
    papers = [s for s in sources if s.kind == "paper" and s.path in docs]
    if not papers:
        return {}
    if not have_pdflatex():
        for s in papers:
            report.warning(s.path, 1, INSTALL_HINT + "; the PDF and arXiv bundle are left out of this build", check="papers")
        return {}
    from .render import RenderContext

    canonical_root = _canonical(root).rstrip("/")
    entries = getattr(bib, "entries", bib) or {}
    ctx = RenderContext(bib=dict(entries), figures=set(figs or {}), urls={s.path: s.url for s in sources})

    def one(s):
        t0 = time.monotonic()
        sub = Report()
        res = build_one(
            root,
            s.path,
            s.slug,
            docs[s.path],
            bib,
            figs,
            Path(out) / "papers" / s.slug,
            sub,
            base_url=canonical_root,
            canonical=f"{canonical_root}/{s.url}" if canonical_root else "",
            ctx=ctx,
        )
        if progress:
            progress(f"  paper {s.slug}: {'FAILED' if res is None else f'{time.monotonic() - t0:.1f} s'}")
        return s, res, sub

    results = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for s, res, sub in pool.map(one, papers):
            report.extend(sub.problems)
            if res:
                results[s.path] = {"pdf_url": f"papers/{s.slug}/{s.slug}.pdf", "bundle_url": f"papers/{s.slug}/{s.slug}-arxiv.tar.gz"}
    return results


# --------------------------------------------------------------------------- commands
def _parse(root: Path, only_paths=None, jobs=2):
    from . import figures as figmod
    from . import site
    from .bibliography import Bibliography

    report = Report()
    sources = site.discover(root, report)
    bib = Bibliography.load_cached(root)
    report.extend(bib.problems)
    figs, fig_results, fig_problems = figmod.run_all(root, jobs=jobs)
    report.extend(fig_problems)
    # The same context as the site build's, so that both share the parse cache.
    ctx = site.render_context(root, sources, bib, figs, fig_results, site._read_settings(root, "pelicanconf.py"))
    chosen = [s for s in sources if only_paths is None or s.path in only_paths]
    docs, problems = site.parse_all(root, chosen, ctx, root / ".cache" / "docs", jobs=jobs)
    report.extend(problems)
    return report, sources, chosen, docs, bib, figs, ctx


def _print(report: Report):
    for p in report.sorted():
        print(p.format(), file=sys.stderr)


def cli(root, slugs, jobs: int = 2) -> int:
    """``build.py papers [slug...]``: build only papers, into output/papers/ (or .cache/papers-out/)."""
    root = Path(root).resolve()
    if not have_pdflatex():
        print(f"error: {INSTALL_HINT}", file=sys.stderr)
        return 1
    from . import site

    pre = Report()
    all_sources = [s for s in site.discover(root, pre) if s.kind == "paper"]
    unknown = [s for s in slugs or [] if s not in {x.slug for x in all_sources}]
    if unknown:
        print(f"error: no paper named {', '.join(unknown)} (papers: {', '.join(x.slug for x in all_sources) or 'none'})", file=sys.stderr)
        return 1
    wanted = {s.path for s in all_sources if not slugs or s.slug in slugs}
    report, sources, chosen, docs, bib, figs, _ctx = _parse(root, wanted, jobs)
    if any(p.path in wanted for p in report.errors) or not all(s.path in docs for s in chosen):
        _print(report)
        return 1
    output = root / "output"
    out = output if output.exists() else root / ".cache" / "papers-out"
    results = build_all(root, chosen, docs, bib, figs, out, report, progress=lambda m: print(m, file=sys.stderr), jobs=jobs)
    _print(report)
    for _path, urls in sorted(results.items()):
        print(out / urls["pdf_url"])
        print(out / urls["bundle_url"])
    return 1 if any(p.path in wanted for p in report.errors) or len(results) < len(chosen) else 0


def cli_pdf(root, file) -> int:
    """``build.py pdf FILE``: any post or paper to output/pdf/<slug>.pdf."""
    root = Path(root).resolve()
    if not have_pdflatex():
        print(f"error: {INSTALL_HINT}", file=sys.stderr)
        return 1
    from . import site

    rel = Path(file)
    rel = (
        rel.resolve().relative_to(root)
        if rel.is_absolute() or (Path.cwd() / rel).exists() and (Path.cwd() / rel).resolve().is_relative_to(root)
        else rel
    )
    rel = rel.as_posix()
    pre = Report()
    src = next((s for s in site.discover(root, pre) if s.path == rel), None)
    if src is None:
        print(f"{rel}:1: not a post or paper: give posts/<slug>.md or papers/<slug>/paper.md", file=sys.stderr)
        return 1
    report, sources, chosen, docs, bib, figs, ctx = _parse(root, {src.path})
    if any(p.path == src.path for p in report.errors) or src.path not in docs:
        _print(report)
        return 1
    if docs[src.path].tree is None:  # the parse cache keeps the tree for papers only
        docs[src.path] = site.parse_one(str(root), src, ctx)
    canonical = _canonical(root).rstrip("/")
    out_dir = root / "output" / "pdf"
    tmp_out = Path(tempfile.mkdtemp(prefix="acx-pdf-"))
    try:
        res = build_one(
            root,
            src.path,
            src.slug,
            docs[src.path],
            bib,
            figs,
            tmp_out,
            report,
            base_url=canonical,
            canonical=f"{canonical}/{src.url}" if canonical else "",
            ctx=ctx,
            bundle=False,
        )
        _print(report)
        if not res:
            return 1
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(res["pdf"], out_dir / f"{src.slug}.pdf")
    finally:
        shutil.rmtree(tmp_out, ignore_errors=True)
    print(out_dir / f"{src.slug}.pdf")
    return 0


__all__ = [
    "build_all",
    "build_one",
    "prepare",
    "preflight",
    "preflight_report",
    "make_bbl",
    "render_main",
    "write_bundle",
    "compile_tex",
    "cli",
    "cli_pdf",
]
