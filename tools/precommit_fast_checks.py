#!/usr/bin/env python3
"""Fast pre-commit checks on changed sources: front matter and citation keys (no build, no network).

    python tools/precommit_fast_checks.py --front-matter --citations FILE...

Uses the build's own validators (``plugins.frontmatter``, ``plugins.bibliography``), so pre-commit
and ``python build.py check`` report the same errors, as ``path:line: message``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plugins import frontmatter  # noqa: E402
from plugins.bibliography import Bibliography  # noqa: E402
from plugins.errors import BuildError  # noqa: E402
from plugins.markdown_ext import KEY_RE, LABEL_RE  # noqa: E402
from plugins.render import mask_source  # noqa: E402

# The same key and label grammar as the Markdown extension, so the hook and the build agree.
KEY = re.compile(r"(?<![\w@\\/.])-?@(" + KEY_RE + ")")
XREF = re.compile(LABEL_RE)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--front-matter", action="store_true")
    ap.add_argument("--citations", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args(argv)
    msgs: list[str] = []
    sources = [Path(f) for f in args.files if f.endswith(".md") and (f.startswith(("posts/", "papers/")) or "/posts/" in f)]
    bibs = [Path(f) for f in args.files if f.endswith(".bib")]
    bib = None
    if args.citations and (sources or bibs):
        bib = Bibliography.load(sorted((ROOT / "bib").glob("*.bib")), ROOT)
        msgs += [p.format() for p in bib.problems]
    for path in sources:
        rel = path.as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            msgs.append(f"{rel}:1: file is not UTF-8 text")
            continue
        first = 1
        if args.front_matter:
            try:
                _meta, _body, first = frontmatter.parse(text, rel)
            except BuildError as exc:
                msgs += [p.format() for p in exc.problems]
                continue
        if bib is not None:
            masked = mask_source(text)
            for m in KEY.finditer(masked):
                key = m.group(1)
                if XREF.fullmatch(key) or key in bib.entries:
                    continue
                line = masked.count("\n", 0, m.start()) + 1
                col = m.start() - masked.rfind("\n", 0, m.start())
                hint = bib.suggest(key)
                msgs.append(f"{rel}:{line}:{col}: unknown citation key '{key}'" + (f" (did you mean '{hint}'?)" if hint else ""))
    for m in msgs:
        print(m)
    return 1 if msgs else 0


if __name__ == "__main__":
    sys.exit(main())
