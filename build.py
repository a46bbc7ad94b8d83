#!/usr/bin/env python3
"""Alignment Concepts: the one entry point for building, previewing and checking the site.

  python build.py                 build the whole site into output/ (same as 'build')
  python build.py serve           preview on http://127.0.0.1:8000 with rebuild and live reload
  python build.py new post "T"    scaffold a post (or: new paper "T")
  python build.py check           run every offline check and print one report
  python build.py figures         (re)generate figures whose inputs changed
  python build.py papers [slug]   build paper PDFs and arXiv bundles
  python build.py pdf FILE        export any post or paper to PDF
  python build.py clean           remove output/ and the build cache

Errors are printed as 'path:line: message'; the exit status is non-zero on any error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _emit(report, fmt="text", stream=sys.stderr, show_warnings=True):
    problems = report.sorted()
    if fmt == "json":
        print(
            json.dumps(
                {"errors": len(report.errors), "warnings": len(report.warnings), "problems": [p.as_dict() for p in problems]}, indent=2
            )
        )
        return
    for p in problems:
        if p.severity == "warning" and not show_warnings:
            continue
        print(p.format(), file=stream)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for p in problems:
            print(p.github(), file=sys.stdout)


def cmd_build(args) -> int:
    t0 = time.monotonic()
    # The bibliography starts loading in a forked copy before the rest of the engine is imported.
    from plugins.bibliography import start_load

    bib_load = start_load(ROOT, args.jobs)
    try:
        from plugins.site import build
    except BaseException:
        if bib_load[0] is not None:
            bib_load[0].result(grace=0)  # the copy is stopped and collected, not left behind
        raise

    say = (lambda *a: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    res = build(
        ROOT,
        settings_file=args.settings,
        jobs=args.jobs,
        execute=args.execute,
        papers=not args.no_papers,
        search=not args.no_search,
        progress=say,
        bib_load=bib_load,
    )
    errors = res.report.errors
    _emit(res.report, show_warnings=args.verbose)
    if errors or res.output is None:
        print(f"build failed: {len(errors)} error(s); output/ was left as it was", file=sys.stderr)
        return 1
    if "up-to-date" in res.timings:
        print(f"site is up to date: nothing it depends on changed ({time.monotonic() - t0:.1f} s)", file=sys.stderr)
        return 0
    n = len(res.report.warnings)
    extra = f", {n} warning(s) (python build.py check lists them)" if n else ""
    timing = (
        " ".join(f"{k}={v:.1f}s" for k, v in res.timings.items())
        + f" pages-reused={res.reused}"
        + (" search-index-reused" if res.search_reused else "")
        if args.verbose
        else ""
    )
    print(f"built {len(res.sources)} sources in {time.monotonic() - t0:.1f} s{extra} {timing}".rstrip(), file=sys.stderr)
    print(f"open {ROOT / 'output' / 'index.html'} or run: python build.py serve", file=sys.stderr)
    return 0


def cmd_check(args) -> int:
    from plugins.checks import run_checks

    report = run_checks(ROOT, external=args.external, offline=args.offline, fragments=args.fragments)
    _emit(report, fmt=args.format, stream=sys.stdout if args.format == "text" else sys.stderr)
    if args.format == "text":
        print(f"check: {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    return 1 if report.errors else 0


def cmd_figures(args) -> int:
    from plugins import figures

    t0 = time.monotonic()
    figs, results, problems = figures.run_all(ROOT, jobs=args.jobs, only=args.only or None, progress=lambda m: print(m, file=sys.stderr))
    for p in problems:
        print(p.format(), file=sys.stderr)
    cached = sum(r.cached for r in results)
    print(f"figures: {len(figs)} from {len(results)} scripts ({cached} cached) in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 1 if any(p.severity == "error" for p in problems) else 0


def cmd_papers(args) -> int:
    from plugins import papers

    return papers.cli(ROOT, args.slugs, jobs=args.jobs)


def cmd_pdf(args) -> int:
    from plugins import papers

    return papers.cli_pdf(ROOT, args.file)


def cmd_new(args) -> int:
    slug = re.sub(r"[^a-z0-9]+", "-", args.title.lower()).strip("-")[:60] or "untitled"
    today = dt.date.today().isoformat()
    if args.kind == "post":
        path = ROOT / "posts" / f"{slug}.md"
        head = f'---\ntitle: "{args.title}"\ndate: {today}\nauthors: [Alignment Concepts]\nsummary: ""\ntags: []\nstatus: draft\n---\n\n'
        body = "Open with a short summary of your answer.\n\n## Background {#sec-background}\n\n## Open questions {#sec-open}\n"
    else:
        path = ROOT / "papers" / slug / "paper.md"
        head = (
            f'---\ntitle: "{args.title}"\ndate: {today}\nauthors:\n  - name: Alignment Concepts\n    affiliation: Alignment Concepts\n'
            "    email: editors@alignment-concepts.org\nabstract: |\n  One paragraph.\nkeywords: []\nstatus: draft\n---\n\n"
        )
        body = "## Introduction {#sec-intro}\n\n## Background {#sec-background}\n\n## Results {#sec-results}\n\n## Limitations {#sec-limitations}\n"
    if path.exists():
        print(f"{path.relative_to(ROOT)}:1: already exists: choose another title", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + body, encoding="utf-8")
    print(f"created {path.relative_to(ROOT)} (status: draft); preview with: python build.py serve")
    return 0


def cmd_clean(args) -> int:
    for p in (ROOT / "output", ROOT / ".cache"):
        if p.is_symlink():
            p.unlink()
        elif p.exists():
            shutil.rmtree(p)
    print("removed output/ and .cache/")
    return 0


def cmd_serve(args) -> int:
    from plugins.serve import serve

    return serve(ROOT, host=args.host, port=args.port, settings=args.settings, jobs=args.jobs)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")

    def common(sp):
        sp.add_argument("--jobs", "-j", type=int, default=2, help="worker processes (default 2)")

    b = sub.add_parser(
        "build",
        help="build the site into output/ (default)",
        description="Build the whole site into output/: figures, papers, pages, feed, sitemap and search index. The previous output/ is replaced only if the build succeeds.",
    )
    common(b)
    b.add_argument("--settings", default="pelicanconf.py", help="Pelican settings file (publishconf.py for GitHub Pages)")
    b.add_argument("--execute", action="store_true", help="re-run notebooks (cached by their code) instead of using stored outputs")
    b.add_argument("--no-papers", action="store_true", help="skip the LaTeX/PDF step")
    b.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
    b.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    b.add_argument("--verbose", "-v", action="store_true", help="also print warnings and timings")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser(
        "serve",
        help="preview with rebuild on change and live reload",
        description="Build, serve output/ on localhost, rebuild when a source, figure script, bibliography or theme file changes, and reload the browser.",
    )
    common(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--settings", default="pelicanconf.py")
    s.set_defaults(func=cmd_serve)

    n = sub.add_parser(
        "new",
        help="scaffold a post or paper",
        description="Create posts/<slug>.md or papers/<slug>/paper.md with front matter (status: draft).",
    )
    n.add_argument("kind", choices=["post", "paper"])
    n.add_argument("title")
    n.set_defaults(func=cmd_new)

    c = sub.add_parser(
        "check",
        help="run every offline check and print one report",
        description="Front matter, citations and bibliography, cross-references, figures, alt text, internal links and HTML of the built site. --external also checks external links.",
    )
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.add_argument("--external", action="store_true", help="also check external links (cached in .cache/links.json)")
    c.add_argument("--offline", action="store_true", help="with --external: validate URL syntax only")
    c.add_argument("--fragments", action="store_true", help="with --external: check #fragments on HTML pages")
    c.set_defaults(func=cmd_check)

    f = sub.add_parser(
        "figures",
        help="regenerate figures whose inputs changed",
        description="Run figures/*.py in parallel; each script is re-run only when it, a module it imports, a data file it names, the style or the library versions change.",
    )
    common(f)
    f.add_argument("only", nargs="*", help="script names to run (default: all)")
    f.set_defaults(func=cmd_figures)

    pp = sub.add_parser(
        "papers",
        help="build paper PDFs and arXiv bundles",
        description="Export papers/<slug>/paper.md to LaTeX, a PDF and an arXiv-ready tarball in output/papers/<slug>/; unchanged papers are cached.",
    )
    common(pp)
    pp.add_argument("slugs", nargs="*", help="paper slugs (default: all)")
    pp.set_defaults(func=cmd_papers)

    pdf = sub.add_parser(
        "pdf", help="export one post or paper to PDF", description="Export any post or paper to LaTeX and PDF under output/pdf/."
    )
    pdf.add_argument("file", help="posts/<slug>.md or papers/<slug>/paper.md")
    pdf.set_defaults(func=cmd_pdf)

    cl = sub.add_parser(
        "clean",
        help="remove output/ and the build cache",
        description="Delete output/ (the built site) and .cache/ (parsed documents, generated figures, compiled papers, notebook runs and the link-check cache). The next build starts from scratch.",
    )
    cl.set_defaults(func=cmd_clean)
    return p


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build"] + argv
    args = parser().parse_args(argv)
    if not getattr(args, "cmd", None):
        parser().print_help()
        return 0
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return 130


def exit_now(code: int | None) -> None:
    """Exit with ``code`` without tearing the interpreter down: after a build the process holds every
    parsed document and Pelican's objects, and freeing them one by one took 0.12-0.17 s at 1,000 posts,
    on one core, after the work was done. What a normal exit does for the outside world still happens:
    the ``atexit`` handlers run (logging's flush among them) and the standard streams are flushed.
    It exits normally while a thread that is not a daemon still runs (a normal exit would wait for
    it) and under a profiler or tracer (``python -m cProfile``, ``pdb``, coverage), whose report is
    written when the interpreter finishes."""
    import atexit
    import threading

    code = 0 if code is None else code
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None when the process was started with it closed
                stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: nothing more can be said
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
