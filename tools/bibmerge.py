#!/usr/bin/env python3
"""Move BibTeX entries that several files define into bib/shared.bib (editor's tool).

Writers each keep a bib/<slug>.bib; when two of them add the same work under the same key, the
checker rejects the duplicate. This keeps the most complete copy (most fields) in bib/shared.bib
and removes the others. Works that share a DOI or arXiv id under *different* keys are listed for
a human to merge (the posts' keys must change too).

    python tools/bibmerge.py            # rewrite bib/*.bib
    python tools/bibmerge.py --dry-run  # only report
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = "shared.bib"


def entries(text: str):
    """Yield (key, start, end, block) for each @type{key, ...} entry, matching braces."""
    for m in re.finditer(r"@\s*(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        if m.group(1).lower() in ("string", "preamble", "comment"):
            continue
        depth, i = 0, m.end() - 1
        j = text.index("{", m.start())
        depth = 0
        for i in range(j, len(text)):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
        yield m.group(2), m.start(), i + 1, text[m.start() : i + 1]


def nfields(block: str) -> int:
    return len(re.findall(r"^\s*\w+\s*=", block, re.M))


def ident(block: str):
    out = []
    for f in ("doi", "eprint"):
        m = re.search(rf"^\s*{f}\s*=\s*[{{\"]([^}}\"]+)", block, re.M | re.I)
        if m:
            out.append((f, m.group(1).strip().lower().split("v")[0] if f == "eprint" else m.group(1).strip().lower()))
    return out


def rename_key(old: str, new: str, dry=False):
    """Cite ``new`` wherever ``old`` was cited (posts, papers, notebooks) and drop ``old``'s entry."""
    pat = re.compile(r"(?<![\w@])@" + re.escape(old) + r"(?![\w:.#$%&+?<>~/-]*[A-Za-z0-9_])")
    sources = sorted((ROOT / "posts").glob("*.md")) + sorted((ROOT / "posts").glob("*.ipynb")) + sorted((ROOT / "papers").glob("*/paper.*"))
    for src in sources:
        text = src.read_text(encoding="utf-8")
        new_text = pat.sub("@" + new, text)
        if new_text != text:
            print(f"{src.relative_to(ROOT)}: @{old} -> @{new}")
            if not dry:
                src.write_text(new_text, encoding="utf-8")
    for bib in sorted((ROOT / "bib").glob("*.bib")):
        text = bib.read_text(encoding="utf-8")
        cut = [(s, e) for k, s, e, _b in entries(text) if k == old]
        for s, e in sorted(cut, reverse=True):
            text = text[:s] + text[e:]
        if cut and not dry:
            print(f"{bib.relative_to(ROOT)}: removed @{old}")
            bib.write_text(re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="one work under two keys: cite NEW everywhere OLD was cited and drop OLD's entry",
    )
    args = ap.parse_args(argv)
    bibdir = ROOT / "bib"
    for pair in args.alias:
        old, new = pair.split("=", 1)
        rename_key(old, new, dry=args.dry_run)
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(bibdir.glob("*.bib"))}
    where: dict[str, list[tuple[str, str]]] = {}
    for name, text in files.items():
        for key, _s, _e, block in entries(text):
            where.setdefault(key, []).append((name, block))
    dup = {k: v for k, v in where.items() if len(v) > 1}
    shared_blocks = {k: b for k, _s, _e, b in entries(files.get(SHARED, ""))}
    for key, copies in sorted(dup.items()):
        best = max((b for _n, b in copies), key=nfields)
        shared_blocks[key] = best
        print(f"{key}: {len(copies)} copies in {', '.join(n for n, _ in copies)} -> bib/{SHARED}")
    by_id: dict[tuple, set] = {}
    for key, copies in where.items():
        for i in ident(copies[0][1]):
            by_id.setdefault(i, set()).add(key)
    clashes = {i: ks for i, ks in by_id.items() if len(ks) > 1}
    for (f, v), ks in sorted(clashes.items()):
        print(f"same {f} {v} under different keys: {', '.join(sorted(ks))} (merge by hand and update the posts)")
    if args.dry_run:
        return 0
    for name, text in files.items():
        if name == SHARED:
            continue
        cut = [(s, e) for k, s, e, _b in entries(text) if k in dup]
        for s, e in sorted(cut, reverse=True):
            text = text[:s] + text[e:]
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        if text.strip():
            (bibdir / name).write_text(text, encoding="utf-8")
        else:
            (bibdir / name).unlink()
    if shared_blocks:
        out = "% Entries cited by several pieces (moved here by tools/bibmerge.py).\n\n"
        out += "\n\n".join(shared_blocks[k] for k in sorted(shared_blocks)) + "\n"
        (bibdir / SHARED).write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
