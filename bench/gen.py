#!/usr/bin/env python3
"""Seeded synthetic corpus for the build benchmark.

    python bench/gen.py DEST --posts 1000 [--seed 0]

Writes DEST/ours (this engine: posts with YAML front matter, 5 citations each from a 500-entry
bib/bench.bib, footnotes, inline and display math, a code block and cross-references) and
DEST/plain (the same Markdown for plain Pelican: Pelican metadata headers, citations removed).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "alignment model reward policy gradient training data agent value goal belief oversight "
    "evaluation capability deception feedback signal update network feature circuit probe "
    "objective behaviour environment optimizer generalization distribution robustness"
).split()


def sentence(rng: random.Random, n: int) -> str:
    w = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(w).capitalize() + "."


def paragraph(rng, words=120):
    out, total = [], 0
    while total < words:
        k = rng.randint(8, 20)
        out.append(sentence(rng, k))
        total += k
    return " ".join(out)


def bib(n: int, rng) -> str:
    entries = []
    for i in range(n):
        entries.append(
            f"@misc{{bench{i:04d},\n  title = {{Synthetic Work {i}: {sentence(rng, 5)[:-1]}}},\n"
            f"  author = {{Author{i % 97}, Alice and Writer{i % 89}, Bob}},\n  year = {{{1990 + i % 35}}},\n"
            f"  url = {{https://example.org/bench/{i}}},\n}}\n"
        )
    return "\n".join(entries)


def post(i: int, rng, keys, plain=False) -> str:
    cites = rng.sample(keys, 5)
    parts = []
    title = f"Benchmark post {i}"
    if plain:
        parts.append(f"Title: {title}\nDate: 2026-01-{1 + i % 28:02d}\nTags: bench\nSummary: Synthetic post {i}.\n")
    else:
        parts.append(f'---\ntitle: "{title}"\ndate: 2026-01-{1 + i % 28:02d}\ntags: [bench]\nsummary: "Synthetic post {i}."\n---\n')
    sec = 0
    for block in range(10):
        if block % 3 == 0:
            sec += 1
            parts.append(f"## Section {sec} {{#sec-s{sec}}}\n" if not plain else f"## Section {sec}\n")
        text = paragraph(rng, 130)
        if block < 5:
            c = f" [@{cites[block]}]" if not plain else ""
            text += f" Inline math $x_{block} + \\alpha$ matters{c}."
        if block == 2:
            text += "[^n1]"
        if block == 6:
            text += " See @eq-main and @sec-s1." if not plain else " See the equation and section one."
        parts.append(text + "\n")
        if block == 3:
            parts.append(
                "$$\n\\nabla_\\theta J = \\mathbb{E}[\\nabla_\\theta \\log \\pi_\\theta(a \\mid s) A(s, a)]\n$$"
                + (" {#eq-main}\n" if not plain else "\n")
            )
        if block == 5:
            parts.append("```python\nfor step in range(100):\n    loss = model(batch)\n    loss.backward()\n```\n")
    parts.append("[^n1]: A footnote with $y$.\n")
    return "\n".join(parts)


def generate(dest: Path, posts: int, seed: int = 0, engine_from: Path = ROOT) -> tuple[Path, Path]:
    rng = random.Random(seed)
    ours, plain = dest / "ours", dest / "plain"
    for d in (ours, plain):
        if d.exists():
            shutil.rmtree(d)
    sys.path.insert(0, str(ROOT))
    from tests.conftest import make_site

    make_site(ours, content=None)
    (ours / "bib" / "bench.bib").write_text(bib(500, rng))
    keys = [f"bench{i:04d}" for i in range(500)]
    (plain / "content").mkdir(parents=True)
    for i in range(posts):
        state = rng.getstate()
        (ours / "posts" / f"bench-{i:04d}.md").write_text(post(i, rng, keys))
        rng.setstate(state)
        (plain / "content" / f"bench-{i:04d}.md").write_text(post(i, rng, keys, plain=True))
    (plain / "pelicanconf.py").write_text(
        'AUTHOR = "Bench"\nSITENAME = "Bench"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "UTC"\nDEFAULT_LANG = "en"\n'
        "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\n"
        "AUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = 20\nRELATIVE_URLS = True\n"
        'MARKDOWN = {"extension_configs": {"markdown.extensions.footnotes": {}, "markdown.extensions.codehilite": {"css_class": "highlight"}, "markdown.extensions.extra": {}}}\n'
    )
    return ours, plain


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--posts", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    ours, plain = generate(a.dest, a.posts, a.seed)
    print(f"wrote {a.posts} posts to {ours} and {plain}")


if __name__ == "__main__":
    main()
