"""``build.py check``: every offline check in one report (and ``--external`` links).

Front matter, citations and the bibliography, cross-references, figures and alt text are checked
by parsing every source (cached, so this is fast when the site was built); internal links and HTML
well-formedness are checked on the built ``output/``.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import figures as figmod
from .atomic import write_atomic
from .bibliography import Bibliography
from .errors import Problem, Report
from .render import mask_source


def run_checks(root: Path, *, external=False, offline=False, fragments=False, site=True, settings_file="pelicanconf.py") -> Report:
    from .linkcheck import check_site, html_wellformed
    from .site import _read_settings, discover, parse_all, render_context

    root = Path(root).resolve()
    report = Report()
    sources = discover(root, report)
    bib = Bibliography.load_cached(root)
    report.extend(bib.problems)
    figs, fig_results, fig_problems = figmod.run_all(root)  # cached figures cost only their hashing
    report.extend(fig_problems)
    ctx = render_context(root, sources, bib, figs, fig_results, _read_settings(root, settings_file))
    docs, problems = parse_all(root, sources, ctx, root / ".cache" / "docs")
    report.extend(problems)
    cited = {k for d in docs.values() for k in d.citations}
    report.extend(bib.uncited(cited))
    report.extend(latex_problems(root, sources, docs))
    out = root / "output"
    if site and (out / "index.html").is_file():
        report.extend(check_site(out, sources, docs, root, cache=root / ".cache" / "linkcheck-pages.json"))
        report.extend(html_wellformed(out))
    elif site:
        report.warning("output/index.html", 1, "site not built: internal links were not checked (run 'python build.py')", check="links")
    if external or offline:
        report.extend(external_links(root, sources, docs, bib, offline=offline, fragments=fragments))
    return report


def latex_problems(root: Path, sources, docs) -> list[Problem]:
    """What the LaTeX export of each paper would report (math it cannot typeset, characters with no
    LaTeX form...), without running LaTeX; memoised by the paper's rendered form and the engine."""
    import hashlib
    import json

    from . import latex
    from .site import engine_hash

    memo_path = root / ".cache" / "latex-check.json"
    try:
        memo = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    engine, fresh, problems = engine_hash(root), {}, []
    for s in sources:
        d = docs.get(s.path)
        if s.kind != "paper" or d is None:
            continue
        text = (root / s.path).read_text(encoding="utf-8")
        key = hashlib.sha256((engine + s.path + text + d.html).encode()).hexdigest()
        found = memo.get(key)
        if found is None:
            export = latex.to_latex(d, source=text)
            found = [[p.path, p.line, p.col, p.message, p.severity, p.check] for p in export.problems]
        fresh[key] = found
        problems.extend(Problem(*x) for x in found)
    try:
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(memo_path, json.dumps(fresh).encode())
    except OSError:
        pass
    return problems


URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")


def collect_external(root: Path, sources, bib):
    from .linkcheck_external import LinkRef

    refs = []
    for s in sources:
        try:
            text = (root / s.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        masked = mask_source(text)
        for m in URL_RE.finditer(masked):
            url = m.group(0).rstrip(".,;:")
            refs.append(LinkRef(url=url, source=s.path, line=masked.count("\n", 0, m.start()) + 1))
    for e in bib.entries.values():
        for label, url in e.links:
            if label == "URL":
                refs.append(LinkRef(url=url, source=e.path, line=e.line))
    return refs


def external_links(root: Path, sources, docs, bib, *, offline=False, fragments=False):
    from .linkcheck_external import check_external

    refs = collect_external(root, sources, bib)
    ignore = root / "linkcheck-ignore.txt"
    results = check_external(
        refs,
        cache_path=str(root / ".cache" / "links.json"),
        offline=offline,
        check_fragments=fragments,
        record_archive=True,
        ignore_file=str(ignore) if ignore.is_file() else None,
    )
    problems = []
    for r in results:
        if r.ok or getattr(r, "ignored", False):
            continue
        status = r.status if r.status is not None else (r.error or "error")
        msg = f"external link {r.ref.url}: {status}" + (f" ({r.error})" if r.error and r.status is not None else "")
        if r.archived:
            msg += f"; archived copy: {r.archived}"
        problems.append(Problem(r.ref.source, r.ref.line, 0, msg, "error", "external-links"))
    return problems
