"""The build: discover sources, run figures, parse every source once, render with Pelican, swap.

The whole site is built into a fresh folder; only when every step succeeded is ``output`` switched
to it, atomically (``output`` is a symbolic link replaced with ``os.replace``), so a failed or
interrupted build leaves the previous site exactly as it was.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import json
import logging
import os
import pickle
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import figures as figmod
from . import forked, frontmatter, notebooks
from .atomic import write_atomic
from .bibliography import Bibliography, start_load, suggest_key
from .doccache import DocCache
from .errors import BuildError, Problem, Report
from .render import ROOT_TOKEN, Doc, RenderContext, render_body

MAX_SOURCE_BYTES = 12 * 1024 * 1024


@dataclass
class Source:
    path: str  # repository-relative, posix
    kind: str  # post | paper | page
    slug: str
    url: str
    depth: int


@dataclass
class BuildResult:
    report: Report
    docs: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    bib: Bibliography | None = None
    figures: dict = field(default_factory=dict)
    output: Path | None = None
    timings: dict = field(default_factory=dict)
    reused: int = 0  # document pages linked from the previous build instead of rendered
    quick_pages: int = 0  # document pages serve's quick path rendered
    search_job: object = None  # with search="background": the running Pagefind (see finish_background_search)
    search_reused: bool = False  # the last build's search index was reused (its pages are unchanged)
    quick: dict | None = None  # what serve's quick path needs from this build (see quick_update)


# --------------------------------------------------------------------------- discovery
def discover(root: Path, report: Report) -> list[Source]:
    out: list[Source] = []
    for p in sorted((root / "posts").glob("*")):
        if p.suffix in (".md", ".ipynb") and not p.name.startswith("."):
            slug = p.stem
            out.append(Source(f"posts/{p.name}", "post", slug, f"posts/{slug}/", 2))
    for d in sorted((root / "papers").glob("*")):
        if not d.is_dir() or d.name.startswith("."):
            continue
        cands = [d / "paper.md", d / "paper.ipynb"]
        found = [c for c in cands if c.is_file()]
        if not found:
            report.error(f"papers/{d.name}", 1, "paper folder has no paper.md or paper.ipynb", check="sources")
            continue
        out.append(Source(f"papers/{d.name}/{found[0].name}", "paper", d.name, f"papers/{d.name}/", 2))
    if (root / "docs" / "authoring.md").is_file():
        out.append(Source("docs/authoring.md", "page", "authoring", "authoring/", 1))
    for s in out:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", s.slug):
            report.error(s.path, 1, f"file name '{s.slug}' is not a valid slug: use lower-case letters, digits and '-'", check="sources")
    seen: dict[tuple, Source] = {}
    for s in out:
        k = (s.kind == "page", s.slug)
        if k in seen:
            report.error(s.path, 1, f"duplicate slug '{s.slug}' (also {seen[k].path}): rename one", check="sources")
        seen[k] = s
    return [s for s in out if re.fullmatch(r"[a-z0-9][a-z0-9-]*", s.slug)]


# --------------------------------------------------------------------------- parsing
_CTX: RenderContext | None = None
_EXEC: dict = {}


def _init_worker(ctx, execute_opts):
    global _CTX, _EXEC
    _CTX, _EXEC = ctx, execute_opts


def read_source(root: Path, src: Source, execute=None):
    """Return (text, line_map or None) for a source; raises BuildError for unreadable input."""
    path = root / src.path
    if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
        raise BuildError(Problem(src.path, 1, 0, "source is a symbolic link that leads outside the repository"))
    raw = path.read_bytes()
    if len(raw) > MAX_SOURCE_BYTES:
        raise BuildError(
            Problem(src.path, 1, 0, f"file is {len(raw) // 1024 // 1024} MB; the limit is {MAX_SOURCE_BYTES // 1024 // 1024} MB: split it")
        )
    if src.path.endswith(".ipynb"):
        nb = notebooks.read(path, src.path)
        if execute:
            nb = notebooks.execute(nb, src.path, Path(execute["cache"]), execute.get("timeout", 60))
        text, line_map = notebooks.to_markdown(nb, src.path)
        return text, line_map
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BuildError(Problem(src.path, line, 0, "file is not UTF-8 text: re-save it as UTF-8")) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise BuildError(Problem(src.path, line, 0, "file contains a NUL byte: is it really text?"))
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def parse_one(root: str, src: Source, ctx: RenderContext | None = None, execute=None, keep_tree: bool = True) -> Doc | BuildError:
    ctx = ctx or _CTX
    execute = execute if execute is not None else (_EXEC or None)
    try:
        text, line_map = read_source(Path(root), src, execute)
        meta, body, first = frontmatter.parse(text, src.path)
        doc = render_body(body, src.path, meta, ctx, first, keep_tree=keep_tree)
        if src.kind == "paper":
            doc.problems.extend(frontmatter.arxiv_limits(meta, text, src.path))
        if line_map:
            doc.problems = [notebooks.map_problem(p, line_map) for p in doc.problems]
        return doc
    except BuildError as exc:
        if "line_map" in locals() and line_map:
            exc.problems = [notebooks.map_problem(p, line_map) for p in exc.problems]
        return exc
    except RecursionError:
        return BuildError(Problem(src.path, 1, 0, "document nests too deeply to parse: simplify it"))


def _parse_pickled(root: str, src: Source, ctx: RenderContext | None = None, execute=None):
    """``parse_one``, with the cited entries' signatures attached, as (pickle bytes, cacheable).
    The element tree (the LaTeX serializer's input; a third of the bytes) is kept for papers only:
    ``build.py pdf`` parses a post again."""
    r = parse_one(root, src, ctx, execute, keep_tree=src.kind == "paper")
    if isinstance(r, BuildError):
        return r
    ctx = ctx or _CTX
    r.bib_sig = {k: _bib_sig(ctx, k) for k in r.citations}
    return pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL), not any(p.severity == "error" for p in r.problems)


def _write_state(cache: Path, fingerprint: str, site: str) -> None:
    """Record the site ``output`` now shows: its inputs' fingerprint and its pages' keys."""
    from . import acx_pelican

    for name, data in (
        ("last-build.json", {"fingerprint": fingerprint, "site": site}),
        ("page-keys.json", {"site": site, "keys": dict(sorted(acx_pelican.WRITTEN.items()))}),
    ):
        write_atomic(cache / name, (json.dumps(data) + "\n").encode())


def engine_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted((root / "plugins").glob("*.py")):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def _doc_key(root: Path, src: Source, ctx_hash: str, engine: str) -> str:
    h = hashlib.sha256()
    h.update(engine.encode() + ctx_hash.encode() + src.path.encode())
    h.update((root / src.path).read_bytes())
    return h.hexdigest()[:24]


def _ctx_hash(ctx: RenderContext) -> str:
    """What every document depends on. The bibliography is not in it: a cached document is checked
    against the entries it actually cites (``_bib_sig``), so editing one entry re-parses only the
    pieces that cite it."""
    h = hashlib.sha256()
    h.update(json.dumps(sorted(ctx.figures)).encode())
    h.update(json.dumps(sorted(ctx.urls.items())).encode())
    h.update(json.dumps(sorted(ctx.figure_scripts.items())).encode() + ctx.repo_url.encode())
    return h.hexdigest()


def _bib_sig(ctx: RenderContext, key: str) -> str | None:
    e = ctx.bib.get(key)
    return None if e is None else f"{e.authors}|{e.year_label}|{e.html}|{e.links}"


_MEMO: dict = {}  # parse-cache name (a content hash) -> parsed document, for a long-running serve


def parse_all(root: Path, sources, ctx, cache: Path, jobs=2, execute=None, prune: bool = False):
    """Every source's document: from memory (serve), the parse cache in the folder ``cache`` or
    parsed in ``jobs`` worker processes. ``prune``: ``sources`` is the whole site, so the cache may
    drop documents that no longer belong to it."""
    if len(_MEMO) > 4 * max(len(sources), 64):
        _MEMO.clear()
    store = DocCache(cache)
    engine, chash = engine_hash(root), _ctx_hash(ctx)
    docs, problems, todo, new = {}, [], [], []
    names = {s.path: f"{_doc_key(root, s, chash, engine)}{'-x' if execute else ''}" for s in sources}
    stored = store.get([n for n in names.values() if n not in _MEMO])
    for s in sources:
        name = names[s.path]
        try:
            cached = _MEMO.get(name)
            if cached is None and name in stored:
                cached = pickle.loads(stored[name])
            sig = getattr(cached, "bib_sig", None)
            if sig is not None and all(_bib_sig(ctx, k) == v for k, v in sig.items()):
                docs[s.path] = _MEMO[name] = cached
                continue
        except Exception:
            pass  # a damaged cache entry is ignored and rebuilt
        todo.append((s, name))

    def take(s, name, r):
        if isinstance(r, BuildError):
            problems.extend(r.problems)
            return
        data, ok = r
        docs[s.path] = pickle.loads(data)
        if ok:
            _MEMO[name] = docs[s.path]
            new.append((name, data))
            if len(new) >= 200:  # stored in batches: an interrupted parse keeps what it finished
                store.put(new)
                new.clear()

    if len(todo) > 6 and jobs > 1:
        import multiprocessing as mp

        # Workers return each document already pickled (the bytes the cache stores), in chunks;
        # this process loads each one as it arrives (and stores them in batches), while the workers go on.
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=mp.get_context("fork"), initializer=_init_worker, initargs=(ctx, execute or {})
        ) as pool:
            chunk = max(1, min(16, len(todo) // (jobs * 4)))
            results = pool.map(_parse_pickled, [str(root)] * len(todo), [s for s, _ in todo], chunksize=chunk)
            for (s, name), r in zip(todo, results):
                take(s, name, r)
    else:
        for s, name in todo:
            take(s, name, _parse_pickled(str(root), s, ctx, execute))
    store.put(new)
    if prune:
        store.prune(set(names.values()), limit=4 * max(len(sources), 64))
    for d in docs.values():
        problems.extend(d.problems)
    return docs, problems


# --------------------------------------------------------------------------- helpers
def start_git_dates(root: Path):
    """``git log`` of every file's last commit date, started in the background (``git_dates`` reads
    it): in a long history it takes a while, and the build has other work meanwhile. Its output
    goes to an unnamed temporary file, so that it never waits on a full pipe."""
    out = tempfile.TemporaryFile()
    try:
        proc = subprocess.Popen(
            ["git", "log", "--format=%x00%cs", "--name-only", "--no-renames"], cwd=root, stdout=out, stderr=subprocess.DEVNULL
        )
    except OSError:
        out.close()
        return None
    return proc, out


def git_dates(started) -> dict:
    """Each file's last commit date (``YYYY-MM-DD``) by path, read from what ``start_git_dates``
    started; empty outside a git repository or without git (``started`` None)."""
    if started is None:
        return {}
    proc, out = started
    with out:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return {}
        if proc.returncode != 0:
            return {}
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    dates, current = {}, None
    for line in text.splitlines():
        if line.startswith("\x00"):
            current = line[1:]
        elif line and current:
            dates.setdefault(line, current)
    return dates


def load_agenda(root: Path, report: Report):
    path = root / "docs" / "agenda.yaml"
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        report.error("docs/agenda.yaml", 1, f"cannot read the agenda: {exc}", check="agenda")
        return []
    return items


def cite_bibtex(src: Source, meta: dict, canonical: str) -> str:
    year = meta["date"].year
    key = f"alignmentconcepts{year}{src.slug.replace('-', '')}"
    authors = " and ".join("{" + a["name"] + "}" for a in meta.get("authors", []))
    kind = "article" if src.kind == "paper" else "misc"
    lines = [
        f"@{'misc' if kind == 'misc' else 'misc'}{{{key},",
        f"  title = {{{{{meta['title']}}}}},",
        f"  author = {{{authors}}},",
        f"  year = {{{year}}},",
        f"  url = {{{canonical.rstrip('/')}/{src.url}}},",
        "  howpublished = {Alignment Concepts}" + ("," if meta.get("request") else ""),
    ]
    if meta.get("request"):
        lines.append(f"  note = {{Answers agenda item {meta['request']}}}")
    lines.append("}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- site build
def _capture_pelican_logs():
    records: list[logging.LogRecord] = []

    class H(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.WARNING:
                records.append(record)

    handler = H()
    logger = logging.getLogger("pelican")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    return records, lambda: logger.removeHandler(handler)


SPLIT_MIN = 64  # with more article pages than this (and jobs > 1), two processes write them


def run_pelican(root: Path, out: Path, settings_file: str, extra: dict, jobs: int = 1):
    from pelican import Pelican
    from pelican.settings import read_settings

    from . import acx_pelican

    acx_pelican.SPLIT["min"] = SPLIT_MIN if jobs > 1 else 0

    override = {"PATH": str(root), "OUTPUT_PATH": str(out), **extra}
    settings = read_settings(str(root / settings_file), override=override)
    settings["PLUGINS"] = [acx_pelican]
    import jinja2

    # Compiled templates are cached by the templates' text (Jinja checks a checksum of the source).
    jcache = root / ".cache" / "jinja"
    jcache.mkdir(parents=True, exist_ok=True)
    settings["JINJA_ENVIRONMENT"] = {**settings.get("JINJA_ENVIRONMENT", {}), "bytecode_cache": jinja2.FileSystemBytecodeCache(str(jcache))}
    records, detach = _capture_pelican_logs()
    import contextlib
    import io

    from pelican.log import LimitFilter

    # Pelican logs a warning once per process: forget the last build's, so that serve reports a
    # warning that is still there on every build, not only the first.
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()

    try:
        with contextlib.redirect_stdout(io.StringIO()):
            Pelican(settings).run()
    finally:
        detach()
    problems = []
    for r in records:
        msg = r.getMessage()
        problems.append(
            Problem(settings_file, 1, 0, f"Pelican: {msg.splitlines()[0]}", "error" if r.levelno >= logging.ERROR else "warning", "pelican")
        )
    return problems


def write_sitemap(out: Path, pages: list[tuple[str, str]], canonical: str):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in sorted(set(pages)):
        loc = html.escape(canonical.rstrip("/") + "/" + url)
        lines.append(f"  <url><loc>{loc}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>")
    (out / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def mark_dead_links(out: Path, dead: dict, skip=()) -> int:
    """Next to each external link the last link check found dead, add its archived copy.

    Pages in ``skip`` (reused from the previous build, which marked them with the same list) are
    left alone; files are replaced, never rewritten in place (a reused page is a hard link)."""
    if not dead:
        return 0
    n = 0
    pattern = re.compile(r'(<a\b[^>]*\bhref="(https?://[^"#]+)(#[^"]*)?"[^>]*>.*?</a>)', re.S)
    from .linkcheck import page_files

    for rel in page_files(out):
        if rel in skip:
            continue
        f = out / rel
        text = f.read_text(encoding="utf-8")

        def add(m):
            nonlocal n
            url = html.unescape(m.group(2))
            if url not in dead or "dead-link-archive" in m.group(1):
                return m.group(1)
            n += 1
            return (
                m.group(1)
                + f' <a class="dead-link-archive" href="{html.escape(dead[url])}" title="This link was unreachable at the last check">(archived copy)</a>'
            )

        new = pattern.sub(add, text)
        if new != text:
            write_atomic(f, new.encode("utf-8"))
    return n


def _mark_dead_from_cache(out: Path, cache: Path, skip=()) -> None:
    """``mark_dead_links`` with the dead links the last external link check recorded, if any."""
    links_cache = cache / "links.json"
    if links_cache.is_file():
        from .linkcheck_external import dead_links_with_archive

        mark_dead_links(out, dead_links_with_archive(links_cache), skip=skip)


PAGEFIND_MISSING = (
    "Pagefind is not installed: run 'make site' (npm ci installs the version package-lock.json pins), "
    "set PAGEFIND_BINARY_PATH to a Pagefind binary, or build with --no-search"
)


@functools.lru_cache(maxsize=1)
def _pagefind_install() -> tuple[tuple, str] | None:
    """(command, version) of Pagefind's binary, or None when it is not installed. npm installs it
    (``package.json``; PyPI's wheels lag npm's releases) as the package ``@pagefind/<platform>-<cpu>``,
    looked for in ``node_modules`` beside the engine, then beside the virtual environment running it
    (copies of the engine, like the tests' sites and the benchmark's corpus, run with the repository's
    ``.venv``); where this platform's package is not there, any platform package npm installed
    (npm installs the one for the platform it runs on, which may name the processor differently).
    ``PAGEFIND_EXTENDED_BINARY_PATH`` or ``PAGEFIND_BINARY_PATH``, the npm wrapper's own settings,
    name another binary (its version unknown, so no index it built is reused). The binary is run
    directly: the npm wrapper would start Node.js only to find and start it."""
    for name in ("PAGEFIND_EXTENDED_BINARY_PATH", "PAGEFIND_BINARY_PATH"):
        if os.environ.get(name):
            return (os.environ[name],), ""
    system = {"win32": "windows"}.get(sys.platform, "freebsd" if sys.platform.startswith("freebsd") else sys.platform)
    machine = platform.machine().lower()
    cpu = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64"}.get(machine, machine)
    suffix = ".exe" if system == "windows" else ""
    bases = [
        b / "node_modules" / "@pagefind" for b in dict.fromkeys((Path(__file__).resolve().parent.parent, Path(sys.prefix).resolve().parent))
    ]
    packages = [b / f"{system}-{cpu}" for b in bases] + [p for b in bases for p in sorted(b.glob("*-*"))]
    for package in packages:
        for name in ("pagefind_extended", "pagefind"):
            binary = package / "bin" / f"{name}{suffix}"
            if binary.is_file():
                try:
                    version = str(json.loads((package / "package.json").read_text("utf-8"))["version"])
                except (OSError, ValueError, KeyError, TypeError):
                    version = ""
                return (str(binary),), version and f"{package.name}@{version}/{name}"
    return None


def _pagefind_command() -> tuple | None:
    found = _pagefind_install()
    return found[0] if found else None


def start_pagefind(out: Path, output_path: Path | None = None):
    """Start indexing the site for search in the background; ``finish_pagefind`` waits for it."""
    extra = ["--output-path", str(output_path)] if output_path else []
    command = _pagefind_command()
    if command is None:
        return Problem("pelicanconf.py", 1, 0, PAGEFIND_MISSING, check="search")
    try:
        return subprocess.Popen(
            [*command, "--site", str(out), "--silent", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError as exc:
        return Problem("pelicanconf.py", 1, 0, f"Pagefind could not run ({exc}): run 'make site' to install it", check="search")


def finish_pagefind(proc) -> Problem | None:
    if isinstance(proc, Problem):
        return proc
    try:
        stdout, stderr = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return Problem("pelicanconf.py", 1, 0, "Pagefind ran for over 300 s and was stopped", check="search")
    if proc.returncode != 0:
        tail = (stderr or stdout).strip().splitlines()[-3:]
        return Problem("pelicanconf.py", 1, 0, "Pagefind failed: " + " | ".join(tail), check="search")
    return None


def stop_pagefind(proc) -> None:
    """Stop an indexing started by ``start_pagefind`` whose index is not wanted."""
    if isinstance(proc, subprocess.Popen):
        proc.kill()
        proc.communicate()


def run_pagefind(out: Path) -> Problem | None:
    return finish_pagefind(start_pagefind(out))


def finish_background_search(res: BuildResult) -> Problem | None:
    """Wait for the index a ``search="background"`` build started, then put it in place of the
    stand-in copied from the previous build. A site superseded meanwhile is left alone."""
    if res.search_job is None or res.output is None:
        return None
    problem = finish_pagefind(res.search_job)
    res.search_job = None
    site = Path(os.path.realpath(res.output))
    fresh, live, old = site / "pagefind.new", site / "pagefind", site / "pagefind.old"
    if problem or not fresh.is_dir():
        shutil.rmtree(fresh, ignore_errors=True)
        return problem
    try:
        os.replace(live, old)
        os.replace(fresh, live)
    except OSError:
        return None  # superseded by a newer build
    shutil.rmtree(old, ignore_errors=True)
    return None


def swap_output(root: Path, new: Path, output: Path):
    """Point ``output`` at ``new`` atomically; remove superseded builds."""
    sites = new.parent
    if output.exists() and not output.is_symlink():
        legacy = sites / f"legacy-{int(time.time() * 1000)}"
        os.replace(output, legacy)
    link_tmp = output.with_name(output.name + ".swap")
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(os.path.relpath(new, output.parent), link_tmp)
    os.replace(link_tmp, output)
    for d in sites.iterdir():
        if d != new and d.is_dir() and not d.name.startswith("building-"):
            shutil.rmtree(d, ignore_errors=True)


def build(
    root: Path,
    *,
    settings_file: str = "pelicanconf.py",
    output: Path | None = None,
    jobs: int = 2,
    execute: bool = False,
    papers: bool = True,
    search: bool | str = True,
    progress=print,
    bib_load: tuple | None = None,
) -> BuildResult:
    root = Path(root).resolve()
    report = Report()
    res = BuildResult(report=report)
    t = time.monotonic()
    cache = root / ".cache"
    output = output or root / "output"

    # Unless the bibliography is cached, a forked copy loads it while this process reads the
    # sources and the settings (``bib_load``: the copy ``build.py`` started before importing this).
    job, bib_cache = bib_load if bib_load is not None else start_load(root, jobs)
    try:
        sources = discover(root, report)
        res.sources = sources
        base_settings = _read_settings(root, settings_file)
    finally:
        bib = job.result() if job is not None else None
    if bib is None:  # loaded here: not forked, or the copy failed
        bib = Bibliography.load_cached(root, bib_cache)
    res.bib = bib
    report.extend(bib.problems)
    res.timings["discover+bib+settings"] = time.monotonic() - t

    t = time.monotonic()
    figs, _results, fig_problems = figmod.run_all(root, jobs=jobs, progress=progress)
    report.extend(fig_problems)
    res.figures = figs
    res.timings["figures"] = time.monotonic() - t

    t = time.monotonic()
    ctx = render_context(root, sources, bib, figs, _results, base_settings)
    exec_opts = {"cache": str(cache / "notebooks"), "timeout": 60} if execute else None
    docs, problems = parse_all(root, sources, ctx, cache / "docs", jobs=jobs, execute=exec_opts, prune=True)
    report.extend(problems)
    res.docs = docs
    res.timings["parse"] = time.monotonic() - t

    if report.errors:
        return res

    shared = _shared_inputs(root, settings_file)
    flags = dict(papers=papers, search=search, execute=execute)
    fingerprint = _fingerprint(root, settings_file, sources, docs, _results, flags, shared)
    last = cache / "last-build.json"
    try:
        prev = json.loads(last.read_text())
        current = Path(os.path.realpath(output))
        if prev.get("fingerprint") == fingerprint and current.name == prev.get("site") and (current / "index.html").is_file():
            res.output = output
            res.timings["up-to-date"] = 0.0
            return res  # nothing that the site depends on changed since the last successful build
    except (OSError, ValueError, AttributeError):
        pass

    cited = _cited_by(sources, docs)
    report.extend(bib.uncited(set(cited)))
    dates_started = start_git_dates(root)  # read by _attach, below

    t = time.monotonic()
    sites = cache / "sites"
    sites.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix="building-", dir=sites))
    try:
        extra = _pelican_extra(root, sources, docs, bib, cited, report, base_settings)
        paper_outputs = {}
        if papers:
            paper_outputs = _build_papers(root, sources, docs, bib, figs, new, report, progress)
        _attach(root, sources, docs, paper_outputs, extra["CANONICAL_URL"], shared, dates_started)
        reused = _prepare_reuse(cache / "page-keys.json", output)
        report.extend(run_pelican(root, new, settings_file, extra, jobs=jobs))
        _copy_figures(figs, docs, new)
        canonical = extra["CANONICAL_URL"]
        pages = [("", None), ("agenda/", None), ("bibliography/", None), ("archives.html", None)]
        for s in sources:
            d = docs[s.path]
            if d.meta.get("status") == "published":
                pages.append((s.url, str(d.meta.get("updated") or d.meta["date"])))
        write_sitemap(new, pages, canonical)
        _mark_dead_from_cache(new, cache, skip=reused)
        res.timings["pelican"] = time.monotonic() - t
        if report.errors:
            raise BuildError(report.errors)
        from .linkcheck import _Tree, check_site, load_memo, page_files, scan

        # Pagefind (another process) indexes while the link check reads every page and resolves
        # their links (below); links into the index are resolved once it is written. When every page
        # Pagefind indexes is byte for byte what the last index was built from (an edit to a
        # figure, a draft, a page search ignores), that index is reused instead.
        t = time.monotonic()
        background = search == "background"
        previous = Path(os.path.realpath(output)) / "pagefind"
        searchable: dict = {}
        scanned = indexer = key = None
        recorded = _indexed_key(cache, previous.parent.name) if search and previous.is_dir() else None
        if recorded:
            if not background:  # on the chance that the pages changed (stopped if they did not)
                indexer = start_pagefind(new)
            try:
                scanned = scan(new, cache / "linkcheck-pages.json", searchable=searchable)
            except BaseException:
                if indexer is not None:
                    stop_pagefind(indexer)
                raise
            key = search_key(searchable)
            if key == recorded:
                if indexer is not None:
                    stop_pagefind(indexer)
                    indexer = None
                try:
                    shutil.rmtree(new / "pagefind", ignore_errors=True)
                    shutil.copytree(previous, new / "pagefind", copy_function=os.link)
                    background, res.search_reused = False, True
                except (OSError, shutil.Error):  # the previous site changed meanwhile (another build): index
                    shutil.rmtree(new / "pagefind", ignore_errors=True)
        if background and not res.search_reused:  # serve: show the edit now, index afterwards; the last index serves meanwhile
            if previous.is_dir():
                shutil.copytree(previous, new / "pagefind", copy_function=os.link)
            else:
                background, search = False, True  # no index to stand in: index now
        if indexer is None and search and not background and not res.search_reused:
            indexer = start_pagefind(new)
        checked = later = p = None
        memo_file = cache / "linkcheck-pages.json"
        if isinstance(indexer, subprocess.Popen):
            # Pagefind uses both cores while it reads the pages, then about one while it writes the
            # index. Meanwhile a forked copy at the lowest priority scans the pages and checks their
            # links, taking only the CPU Pagefind leaves, and sends what it finds piece by piece;
            # links into the index are checked once it is written. What the copy has not sent
            # shortly after Pagefind ends (a busy machine), this process does itself.
            proc, indexer = indexer, None
            rels, memo = (page_files(new), load_memo(memo_file)) if scanned is None else (None, {})
            job = None
            if jobs > 1:
                job = forked.start(lambda: _scan_and_check(new, sources, docs, root, rels, memo, scanned), nice=19, stream=True)
            got = []
            try:
                if job is None and scanned is None:  # one core, or no copy: scan here meanwhile
                    scanned = scan(new, memo_file, searchable=searchable)
                p = finish_pagefind(proc)
            except BaseException:
                stop_pagefind(proc)
                raise
            finally:
                if job is not None:
                    got = job.items(grace=0.2)[0]
            if scanned is None and not p:
                scanned = _merge_scan(new, rels, memo, got, searchable, memo_file)
            for item in got:
                if item[0] == "checked":
                    _, checked, later = item
        elif indexer is not None:  # Pagefind could not start
            p = finish_pagefind(indexer)
        if p:
            report.problems.append(p)
            raise BuildError([p])
        if scanned is None:
            scanned = scan(new, memo_file, searchable=searchable)
        if key is None:
            key = search_key(searchable)
        res.timings["search+scan"] = time.monotonic() - t
        t = time.monotonic()
        tree = _Tree(new)
        skip = () if search else ("pagefind/",)
        if checked is None:
            checked = check_site(new, sources, docs, root, skip=skip, pages=scanned, tree=tree)
        elif later:  # the links into the index, now written
            more = check_site(new, sources, docs, root, skip=skip, pages=scanned, only=sorted(later), under=("pagefind/",), tree=tree)
            checked = sorted(set(checked) | set(more))
        report.extend(checked)
        res.timings["links"] = time.monotonic() - t
        if report.errors:
            raise BuildError(report.errors)
        final = sites / f"site-{hashlib.sha256(str(time.time_ns()).encode()).hexdigest()[:10]}"
        os.replace(new, final)
        swap_output(root, final, output)
        res.output = output
        if background:
            res.search_job = start_pagefind(final, output_path=final / "pagefind.new")
        res.quick = dict(
            ctx=ctx,
            shared=shared,
            settings_file=settings_file,
            fig_results=_results,
            flags=flags,
            pages=scanned,
            tree=tree,
            site=final.name,
        )
        _write_state(cache, fingerprint, final.name)
        # An index written by this build (or reused) is recorded with the pages it was built from;
        # one still being written in the background is not, so the next build will not trust it.
        _record_index(cache, final.name, key if search and not background else None)
        res.reused = len(reused)
    except BuildError:
        shutil.rmtree(new, ignore_errors=True)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    finally:
        if dates_started is not None:  # collected, also when the build stopped before reading it
            dates_started[0].wait()
            dates_started[1].close()
    return res


def search_key(searchable: dict) -> str | None:
    """What a Pagefind index depends on, or None when it cannot be told. ``searchable``: path ->
    (SHA-256, marked by an attribute) of every page that mentions the mark ``data-pagefind-body``.
    When some page carries it as an attribute, Pagefind indexes only such pages, all among these;
    when none does, it indexes every page, which the key does not cover. Pagefind's version, its
    configuration files in the working folder (where it reads them) and its ``PAGEFIND_``
    environment variables are part of the key."""
    version = _pagefind_version()
    if not version or not any(marked for _, marked in searchable.values()):
        return None
    config = []
    for name in ("pagefind.toml", "pagefind.yml", "pagefind.yaml", "pagefind.json"):
        try:
            config.append((name, Path(name).read_text("utf-8", "replace")))
        except OSError:
            pass
    env = sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("PAGEFIND_"))
    blob = json.dumps([version, list(_pagefind_command()), config, env, sorted(searchable.items())])
    return hashlib.sha256(blob.encode()).hexdigest()


def _pagefind_version() -> str:
    """The installed Pagefind's package, version and binary; "" when unknown (no index is reused)."""
    found = _pagefind_install()
    return found[1] if found else ""


SCAN_PIECE = 100  # pages the forked link check scans between reports


def _scan_and_check(new: Path, sources, docs, root: Path, rels, memo: dict, pages=None):
    """The link check while the search index is written (run in a forked copy): the pages ``rels``
    scanned, ``SCAN_PIECE`` at a time (unless ``pages`` holds the scan), then every link except those
    into the index. Yields ("pages", each page's digest, what was found by digest, the search marks)
    for each piece, then ("checked", problems, the pages whose links into the index are still to
    check)."""
    from .linkcheck import check_site, scan_files

    if pages is None:
        pages = {}
        for i in range(0, len(rels), SCAN_PIECE):
            marks: dict = {}
            digests: dict = {}
            part, fresh = scan_files(new, rels[i : i + SCAN_PIECE], memo, marks, digests)
            pages.update(part)
            yield "pages", digests, fresh, marks
    later: set = set()
    problems = check_site(new, sources, docs, root, pages=pages, defer=("pagefind/",), deferred=later)
    yield "checked", problems, later


def _merge_scan(new: Path, rels, memo: dict, got, searchable: dict, memo_file: Path) -> dict:
    """The scan of the pages ``rels`` from the pieces a forked copy sent (``got``), the pages it did
    not send scanned here; remembered in ``memo_file``."""
    from .linkcheck import _Parsed, save_memo, scan_files

    pages, fresh = {}, {}
    for item in got:
        if item[0] == "pages":
            _, digests, found, marks = item
            fresh.update(found)
            searchable.update(marks)
            for rel, digest in digests.items():
                pages[rel] = _Parsed(found[digest]["ids"], found[digest]["links"])
    more, more_fresh = scan_files(new, [r for r in rels if r not in pages], memo, searchable)
    pages.update(more)
    fresh.update(more_fresh)
    save_memo(memo_file, fresh)
    return {r: pages[r] for r in rels if r in pages}


def _indexed_key(cache: Path, site: str) -> str | None:
    """The search key recorded for the index of the built site folder ``site``, if any."""
    try:
        state = json.loads((cache / "search-index.json").read_text())
    except (OSError, ValueError):
        return None
    return state.get("key") if isinstance(state, dict) and state.get("site") == site else None


def _record_index(cache: Path, site: str, key: str | None) -> None:
    f = cache / "search-index.json"
    if key is None:
        f.unlink(missing_ok=True)
    else:
        write_atomic(f, (json.dumps({"site": site, "key": key}) + "\n").encode())


def render_context(root: Path, sources, bib, figs, fig_results, settings: dict) -> RenderContext:
    """What every document is rendered against (the same for build and check, so they share the
    parse cache)."""
    ctx = RenderContext(
        bib=bib.export_labels(),
        figures=set(figs),
        urls={s.path: s.url for s in sources},
        bib_suggest=None,
        root=str(root),
        figure_scripts={name: r.script for r in fig_results for name in r.outputs},
        repo_url=settings.get("REPO_URL", ""),
    )
    ctx.bib_suggest = _Suggest(list(ctx.bib))
    return ctx


def _read_settings(root: Path, settings_file: str) -> dict:
    """The Pelican settings, read once per build (templates get them again through Pelican)."""
    from pelican.settings import read_settings

    return read_settings(str(root / settings_file), override={"PATH": str(root)})


def _shared_inputs(root: Path, settings_file: str) -> str:
    """What every page depends on: engine, library versions, settings, theme, dead-link marks."""
    import jinja2
    import pelican

    h = hashlib.sha256()
    h.update(engine_hash(root).encode())
    h.update(f"{pelican.__version__}|{jinja2.__version__}|{settings_file}".encode())
    for name in (settings_file, "pelicanconf.py", ".cache/links.json"):
        f = root / name
        h.update(name.encode() + (hashlib.sha256(f.read_bytes()).digest() if f.is_file() else b"-"))
    for f in sorted((root / "theme").rglob("*")):
        if f.is_file():
            h.update(str(f.relative_to(root)).encode() + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def _fingerprint(root: Path, settings_file: str, sources, docs, fig_results, flags, shared: str) -> str:
    """Everything a built site depends on, hashed: sources, engine, theme, settings, figures, git."""
    h = hashlib.sha256()
    h.update(shared.encode())
    h.update(json.dumps(flags, sort_keys=True).encode())
    f = root / "docs/agenda.yaml"
    h.update(b"agenda" + (hashlib.sha256(f.read_bytes()).digest() if f.is_file() else b"-"))
    for s in sources:
        h.update(s.path.encode() + hashlib.sha256((root / s.path).read_bytes()).digest())
    for p in sorted((root / "bib").glob("*.bib")):
        h.update(p.name.encode() + hashlib.sha256(p.read_bytes()).digest())
    for r in sorted(fig_results, key=lambda r: r.script):
        h.update(f"{r.script}:{r.key}".encode())
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = ""
    h.update(head.encode())
    return h.hexdigest()


class _Suggest:
    """Picklable 'did you mean' for citation keys."""

    def __init__(self, keys):
        self.keys = keys

    def __call__(self, key):
        return suggest_key(key, self.keys)


def _pelican_extra(root, sources, docs, bib, cited, report, base: dict):
    canonical = base.get("CANONICAL_URL") or "https://example.org"
    agenda_items = load_agenda(root, report)
    by_req = {}
    for s in sources:
        d = docs.get(s.path)
        if d and d.meta.get("request"):
            prev = by_req.get(d.meta["request"])
            if prev is None or (prev[1].meta.get("status") != "published" and d.meta.get("status") == "published"):
                by_req[d.meta["request"]] = (s, d)
    agenda, counts = [], {"published": 0, "draft": 0, "missing": 0}
    for item in agenda_items:
        entry = dict(item)
        hit = by_req.get(item["id"])
        if hit:
            s, d = hit
            status = d.meta.get("status", "published")
            entry.update(
                status=status,
                status_label=status,
                title=html.escape(d.meta["title"]),
                url=s.url if status == "published" else f"drafts/{s.slug}/",
            )
        else:
            status = "missing"
            entry.update(status="missing", status_label="not started", title="", url="")
        counts[status] += 1
        agenda.append(entry)
    biblio = _biblio(bib, cited, docs)
    published = [s.path for s in sources if s.kind != "page" and docs[s.path].meta.get("status") == "published"]
    drafts = [s.path for s in sources if s.kind != "page" and docs[s.path].meta.get("status") != "published"]
    return {
        "ARTICLE_PATHS": published + drafts or ["posts"],
        "PAGE_PATHS": [s.path for s in sources if s.kind == "page"] or ["docs/none"],
        "AGENDA": agenda,
        "AGENDA_COUNTS": counts,
        "BIBLIO": biblio,
        "CANONICAL_URL": canonical,
    }


def _cited_by(sources, docs: dict) -> dict:
    """Bibliography key -> the sources citing it, in source order."""
    cited: dict[str, list] = {}
    for s in sources:
        d = docs.get(s.path)
        if d:
            for k in d.citations:
                cited.setdefault(k, []).append(s)
    return cited


def _biblio(bib, cited: dict, docs: dict) -> list:
    """The bibliography page's entries: every work, in order, with the published pieces citing it."""
    biblio = []
    for k in sorted(bib.entries, key=bib.sort_key):
        e = bib.entries[k]
        cited_by = []
        for s in cited.get(k, []):
            d = docs[s.path]
            if d.meta.get("status") == "published":
                cited_by.append({"url": s.url, "title": html.escape(d.meta["title"])})
        biblio.append({"key": k, "authors": e.authors, "year": e.year_label, "html": e.html, "links": e.links, "cited_by": cited_by})
    return biblio


def _page_key(shared: str, s: Source, d: Doc, extra: dict) -> str:
    """Everything a document's own page depends on, hashed (``extra`` without its page key). The
    page's HTML is hashed as it is, not as JSON (escaping it took half the time)."""
    rest = {k: v for k, v in extra.items() if k not in ("page_key", "content")}
    blob = json.dumps([s.path, s.url, d.meta, rest], sort_keys=True, default=str)  # one JSON array: no text extends it
    h = hashlib.sha256((shared + blob).encode())
    h.update(str(extra.get("content")).encode())
    return h.hexdigest()[:32]


def _prepare_reuse(keys_file: Path, output: Path) -> set:
    """Tell the Pelican writer which pages of the current site it may reuse; returns the (live)
    set of pages it reused, filled while Pelican runs."""
    from . import acx_pelican

    acx_pelican.WRITTEN.clear()
    acx_pelican.REUSED.clear()
    acx_pelican.REUSE.update(previous=None, keys={})
    try:
        state = json.loads(keys_file.read_text())
        current = Path(os.path.realpath(output))
        if output.is_symlink() and current.name == state.get("site") and current.is_dir():
            acx_pelican.REUSE.update(previous=str(current), keys=state.get("keys", {}))
    except (OSError, ValueError, AttributeError):
        pass
    return acx_pelican.REUSED


def _attach(root, sources, docs, paper_outputs, canonical: str, shared: str = "", dates_started=None):
    """Give the Pelican reader everything it shows beside a document's HTML, and each document's
    page key (everything its own page depends on, for reuse by ``acx_pelican.ReusingWriter``).
    ``dates_started``: ``start_git_dates(root)``, for the "last updated" dates."""
    from . import acx_pelican

    dates = git_dates(dates_started)
    acx_pelican.DOCS.clear()
    for s in sources:
        d = docs[s.path]
        prefix = "../" * s.depth
        extra = {
            "kind": s.kind,
            "slug": s.slug,
            "content": d.html.replace(ROOT_TOKEN, prefix),
            "toc_items": [h for h in d.toc if h.get("id")],
            "reading_minutes": d.reading_minutes,
            "last_updated": dates.get(s.path) if dates.get(s.path) and dates.get(s.path) != str(d.meta["date"]) else None,
            "cite_bibtex": cite_bibtex(s, d.meta, canonical),
        }
        if s.path in paper_outputs:
            extra.update(paper_outputs[s.path])
        extra["page_key"] = _page_key(shared, s, d, extra)
        acx_pelican.DOCS[acx_pelican.source_key(root / s.path)] = (s, d, extra)


def _copy_figures(figs, docs, out: Path):
    used = sorted({n for d in docs.values() for n in d.figures})
    if not used:
        return
    dest = out / "figures"
    dest.mkdir(parents=True, exist_ok=True)
    for n in used:
        for ext in (".svg", ".pdf", ".json"):
            src = figs[n] / f"{n}{ext}"
            if src.is_file():
                shutil.copyfile(src, dest / f"{n}{ext}")


def _build_papers(root, sources, docs, bib, figs, out, report, progress):
    try:
        from . import papers as papermod
    except ImportError:
        return {}
    return papermod.build_all(root, sources, docs, bib, figs, out, report, progress)


def quick_update(root: Path, prev: BuildResult, changed, *, output: Path | None = None) -> BuildResult | None:
    """serve's quick path, after a full build in this process. Two kinds of edit qualify:

    - the body of posts, leaving everything other pages show unchanged (front matter, reading
      time, citations, figures, links): those posts' pages and the feed are re-rendered;
    - ``.bib`` files: the posts citing an entry whose label or reference changed are parsed
      again and, if nothing else about them changed, their pages, the bibliography page and the
      feed are re-rendered.

    Pages are rendered from the Pelican objects kept in memory and replace those of the live site;
    links are checked and search is re-indexed in the background. Returns None when the edit needs
    a full build (anything else changed, or an error: the full build reports it). The result
    equals a full build's (``tests/test_incremental.py``)."""
    from . import acx_pelican

    root = Path(root).resolve()
    output = output or root / "output"
    q = prev.quick
    if q is None or prev.output is None:
        return None
    live = Path(os.path.realpath(output))
    if not live.is_dir() or "articles" not in acx_pelican.GENERATOR:
        return None
    by_path = {s.path: s for s in prev.sources}
    changed = sorted({Path(c).resolve().relative_to(root).as_posix() for c in changed if Path(c).resolve().is_relative_to(root)})
    ctx, bib = q["ctx"], prev.bib
    if changed and all(c.startswith("bib/") and c.endswith(".bib") for c in changed):
        from .bibliography import Bibliography

        bib = Bibliography.load_cached(root)
        if any(p.severity == "error" for p in bib.problems) or "bibliography" not in acx_pelican.TEMPLATES:
            return None
        ctx = dataclasses.replace(q["ctx"], bib=bib.export_labels())
        ctx.bib_suggest = _Suggest(list(ctx.bib))
        keys = {k for k in set(q["ctx"].bib) | set(ctx.bib) if _bib_sig(q["ctx"], k) != _bib_sig(ctx, k)}
        targets = [s.path for s in prev.sources if s.path in prev.docs and keys & set(prev.docs[s.path].citations)]
    elif changed and all(c in by_path for c in changed):
        targets = changed
    else:
        return None
    if any(not (t.startswith("posts/") and t.endswith(".md")) for t in targets):
        return None
    updates = []
    for path in targets:
        s, old = by_path[path], prev.docs.get(path)
        new = parse_one(str(root), s, ctx, keep_tree=False)
        if isinstance(new, BuildError) or old is None or any(p.severity == "error" for p in new.problems):
            return None
        same = (
            new.meta == old.meta
            and new.reading_minutes == old.reading_minutes
            and sorted(set(new.citations)) == sorted(set(old.citations))
            and sorted(new.figures) == sorted(old.figures)
            and sorted(new.images) == sorted(old.images)
        )
        key = acx_pelican.source_key(root / path)  # how the reader and the writer know the source
        entry, rendered = acx_pelican.DOCS.get(key), acx_pelican.RENDERED.get(key)
        if not same or entry is None or rendered is None:
            return None
        new.bib_sig = {k: _bib_sig(ctx, k) for k in new.citations}
        updates.append((s, new, key, entry, rendered))
    res = BuildResult(report=Report(), docs=dict(prev.docs), sources=prev.sources, bib=bib, figures=prev.figures)
    for s, d, *_ in updates:
        res.docs[s.path] = d
    biblio = None
    if bib is not prev.bib:
        biblio = _biblio(bib, _cited_by(res.sources, res.docs), res.docs)
    cache = root / ".cache"
    _record_index(cache, live.name, None)  # its pages change in place: its index is no longer the recorded one
    pages = _quick_write(root, live, q, res, updates, biblio)
    if pages is None:
        return res  # errors: the live site is as it was
    chash, engine = _ctx_hash(ctx), engine_hash(root)
    parsed = [(_doc_key(root, s, chash, engine), d) for s, d, *_ in updates]
    DocCache(cache / "docs").put([(name, pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL)) for name, d in parsed])
    _MEMO.update(parsed)  # the parse cache, as a full build would leave it
    # Recorded as a background-search build: a later ``build`` re-indexes rather than trusting an
    # index this process may not have finished writing.
    flags = dict(q["flags"], search="background") if q["flags"].get("search") else q["flags"]
    _write_state(cache, _fingerprint(root, q["settings_file"], res.sources, res.docs, q["fig_results"], flags, q["shared"]), live.name)
    res.output, res.quick = output, dict(q, pages=pages, site=live.name, ctx=ctx)
    res.timings["quick"] = 0.0
    res.quick_pages = len(updates)
    if q["flags"].get("search"):
        res.search_job = start_pagefind(live, output_path=live / "pagefind.new")
    return res


def _set_article(article, content: str, attrs: dict) -> None:
    """Give a Pelican article object new content and attributes, forgetting its rendered content."""
    from pelican.contents import Content

    article._content = content
    for k, v in attrs.items():
        setattr(article, k, v)
        article.metadata[k] = v
    memo = Content.get_content.cache
    for mk in [k for k in memo if k and k[0] is article]:
        del memo[mk]


def _quick_write(root: Path, live: Path, q: dict, res: BuildResult, updates, biblio) -> dict | None:
    """Render the updated documents' pages (and, with ``biblio``, the bibliography page) and the
    feed, put them in the live site and check links. Returns the site's scanned pages, or None
    after putting the live site and the Pelican objects back as they were (errors in res.report)."""
    from pelican.writers import Writer

    from . import acx_pelican
    from .linkcheck import check_site, rescan, scan

    cache = root / ".cache"
    tmp = Path(tempfile.mkdtemp(prefix="quick-", dir=cache / "sites"))
    saved, undo = {}, []
    try:
        writer = Writer(str(tmp), settings=acx_pelican.GENERATOR["settings"])
        for s, d, key, (src, _old, extra), (name, template, context, args, kwargs) in updates:
            extra = dict(extra, content=d.html.replace(ROOT_TOKEN, "../" * s.depth), toc_items=[h for h in d.toc if h.get("id")])
            extra["page_key"] = _page_key(q["shared"], s, d, extra)
            article = kwargs.get("article") or kwargs.get("page")
            attrs = {k: getattr(article, k, None) for k in ("toc_items", "page_key")}
            undo.append((article, article._content, attrs, key, acx_pelican.DOCS[key], name, acx_pelican.WRITTEN.get(name)))
            _set_article(article, extra["content"], {k: extra[k] for k in attrs})
            acx_pelican.DOCS[key] = (src, d, extra)
            acx_pelican.WRITTEN[name] = extra["page_key"]
            writer.write_file(name, template, context, *args, **kwargs)
        if biblio is not None:
            name, template, context, args, kwargs = acx_pelican.TEMPLATES["bibliography"]
            writer.write_file(name, template, dict(context, BIBLIO=biblio), *args, **kwargs)
        acx_pelican.GENERATOR["articles"].generate_feeds(writer)
        _mark_dead_from_cache(tmp, cache)
        for f in sorted(p for p in tmp.rglob("*") if p.is_file()):
            rel = f.relative_to(tmp).as_posix()
            target = live / rel
            saved[rel] = target.read_bytes() if target.is_file() else None
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(f, target)
        skip = () if q["flags"].get("search") else ("pagefind/",)
        # Only the replaced pages' links can have changed, unless a page lost an id other pages
        # may point at: then the whole site is checked again.
        written = sorted(saved)
        html_pages = [r for r in written if r.endswith(".html")]
        pages = rescan(live, q["pages"], html_pages) if q.get("pages") is not None else None
        if pages is not None and all(saved[r] is not None for r in written):
            res.report.extend(check_site(live, res.sources, res.docs, root, skip=skip, pages=pages, only=html_pages, tree=q.get("tree")))
        else:
            pages = scan(live, cache / "linkcheck-pages.json")
            res.report.extend(check_site(live, res.sources, res.docs, root, skip=skip, pages=pages))
        if not res.report.errors:
            if biblio is not None:
                name, template, context, args, kwargs = acx_pelican.TEMPLATES["bibliography"]
                acx_pelican.TEMPLATES["bibliography"] = (name, template, dict(context, BIBLIO=biblio), args, kwargs)
            return pages
        for rel, data in saved.items():  # put the previous pages back
            if data is None:
                (live / rel).unlink(missing_ok=True)
            else:
                write_atomic(live / rel, data)
        for article, content, attrs, key, doc_entry, name, written in undo:  # and the objects they were made from
            _set_article(article, content, attrs)
            acx_pelican.DOCS[key] = doc_entry
            acx_pelican.WRITTEN[name] = written
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
