"""Hostile and broken inputs: clear errors with file and line, no escapes, no injection, nothing lost."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plugins.bibliography import Bibliography
from plugins.errors import BuildError
from plugins.render import RenderContext, render
from tests.conftest import make_site, run_build

pytestmark = pytest.mark.xdist_group("hostile")
FIX = Path(__file__).parent / "fixtures" / "site" / "bib" / "refs.bib"


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def ctx():
    bib = Bibliography.load([FIX])
    return RenderContext(bib=bib.export_labels(), figures={"demo"}, bib_suggest=bib.suggest)


def doc(body, ctx):
    return render("---\ntitle: T\ndate: 2026-01-01\n---\n" + body, "posts/t.md", ctx)


def test_citation_in_footnote_in_table(ctx):
    d = doc("| a | b |\n|---|---|\n| x[^n] | y |\n\n[^n]: See [@hubinger2019risks].\n", ctx)
    assert "hubinger2019risks" in d.citations and not [p for p in d.problems if p.severity == "error"]


def test_script_tags_in_prose_are_escaped(ctx):
    d = doc("Text <script>alert(1)</script> and `<b>`.", ctx)
    # raw HTML in Markdown is passed through by Markdown itself; the LaTeX export warns about it,
    # but titles and BibTeX fields are always escaped (see test_build.test_titles_are_escaped).
    assert "&lt;b&gt;" in d.html


def test_bibtex_fields_are_escaped(tmp_path):
    p = tmp_path / "x.bib"
    p.write_text(
        "@misc{k2020,\n title={<script>alert(1)</script> Title},\n author={Evil, <img src=x onerror=alert(1)>},\n year={2020},\n url={https://e.org}\n}\n"
    )
    b = Bibliography.load([p], tmp_path)
    e = b.get("k2020")
    assert "<script>" not in e.html and "<img" not in e.html and "&lt;script&gt;" in e.html


def test_unbalanced_math_does_not_crash(ctx):
    d = doc("Bad $\\frac{1}{2$ and $$\\left( x$$ and $x}$.", ctx)
    assert d.html


def test_ten_megabyte_post_builds_or_fails_clearly(tmp_path):
    root = make_site(tmp_path / "s")
    para = "Word " * 200 + "\n\n"
    (root / "posts" / "huge.md").write_text("---\ntitle: Huge\ndate: 2026-01-01\n---\n" + para * (10 * 1024 * 1024 // len(para)))
    t0 = time.monotonic()
    res = run_build(root, "build", "--no-papers", "--no-search", timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert time.monotonic() - t0 < 300
    (root / "posts" / "huge.md").write_text("---\ntitle: Huge\ndate: 2026-01-01\n---\n" + "x" * (13 * 1024 * 1024))
    res = run_build(root, "build", "--no-papers", "--no-search")
    assert res.returncode == 1 and "posts/huge.md:1: file is 13 MB; the limit is 12 MB: split it" in res.stderr


def test_symlink_out_of_repository_is_refused(tmp_path):
    root = make_site(tmp_path / "s")
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: Secret\ndate: 2026-01-01\n---\nsecret")
    os.symlink(outside, root / "posts" / "leak.md")
    res = run_build(root, "build", "--no-papers", "--no-search")
    assert res.returncode == 1 and "posts/leak.md:1: source is a symbolic link that leads outside the repository" in res.stderr


def test_bad_inputs_leave_output_and_sources_intact(tmp_path):
    root = make_site(tmp_path / "s")
    assert run_build(root, "build", "--no-papers", "--no-search").returncode == 0
    before = digest(root / "output")
    bad = {
        "posts/yaml.md": "---\ntitle: [oops\ndate: 2026-01-01\n---\n",
        "posts/empty.md": "",
        "bib/broken.bib": "@misc{x2020,\n title={unbalanced\n",
    }
    for rel, text in bad.items():
        (root / rel).write_text(text)
    sources = digest(root / "posts") | digest(root / "bib")
    res = run_build(root, "build", "--no-papers", "--no-search")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "posts/yaml.md:3: malformed YAML front matter" in res.stderr
    assert "posts/empty.md:1: file is empty" in res.stderr
    assert "bib/broken.bib:" in res.stderr and "BibTeX syntax error" in res.stderr
    assert digest(root / "output") == before
    assert (digest(root / "posts") | digest(root / "bib")) == sources


def test_figure_script_writing_outside_its_folder_is_caught(tmp_path):
    root = make_site(tmp_path / "s")
    (root / "figures" / "sneaky.py").write_text(
        "from pathlib import Path\nfrom figures.figlib import plt, save\n"
        "Path(__file__).resolve().parents[1].joinpath('posts', 'injected.md').write_text('x')\n"
        "open('stray.txt', 'w').write('x')\nfig, ax = plt.subplots()\nsave(fig, 'sneaky')\n"
    )
    res = run_build(root, "figures", "sneaky")
    assert res.returncode == 1
    assert "figures/sneaky.py:1: figure script wrote outside its output folder: stray.txt" in res.stderr
    assert (
        "figures/sneaky.py:1: warning: new files appeared in the repository while this figure script ran: posts/injected.md" in res.stderr
    )


def test_sigkill_mid_build_leaves_old_or_new_site(tmp_path):
    root = make_site(tmp_path / "s")
    assert run_build(root, "build", "--no-papers").returncode == 0
    before = digest(root / "output")
    (root / "posts" / "demo-post.md").write_text((root / "posts" / "demo-post.md").read_text().replace("zanzibarite", "zanzibaritex"))
    for delay in (0.5, 1.5, 3.0):
        proc = subprocess.Popen(
            [sys.executable, "build.py", "build", "--no-papers"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = digest(root / "output")
        assert now == before or "zanzibaritex" in (root / "output/posts/demo-post/index.html").read_text()
        assert (root / "output" / "index.html").is_file()
    res = run_build(root, "build", "--no-papers")
    assert res.returncode == 0, res.stderr
    assert "zanzibaritex" in (root / "output/posts/demo-post/index.html").read_text()


markdown_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=400) | st.lists(
    st.sampled_from(
        [
            "[@",
            "@",
            "]",
            "$",
            "$$",
            "\n",
            "{#fig-x}",
            "![a](figures/demo.svg)",
            "[^1]",
            "[^1]: n",
            ":::",
            "```",
            "|",
            "-",
            "#",
            "\\",
            "{",
            "}",
            "<",
            ">",
            "&",
            " ",
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=markdown_text)
@example(body="$0${0}")  # found by this test: a valueless attribute from attr_list
def test_fuzz_markdown_never_crashes(ctx, body):
    try:
        d = doc(body, ctx)
    except BuildError:
        return
    assert isinstance(d.html, str)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=st.text(max_size=200))
def test_fuzz_front_matter_never_crashes(front):
    try:
        render("---\n" + front + "\n---\nbody", "posts/t.md", RenderContext())
    except BuildError as exc:
        assert all(p.path == "posts/t.md" and p.line >= 1 for p in exc.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    text=st.text(max_size=300)
    | st.lists(
        st.sampled_from(
            ["@misc{", "@article{", "k,", "title={", "}", "{", "year=", "2020", ",", "@string{", "a=b", "\n", '"', "#", "crossref={k}"]
        ),
        max_size=40,
    ).map("".join)
)
def test_fuzz_bibtex_never_crashes(tmp_path, text):
    p = tmp_path / "f.bib"
    p.write_text(text, encoding="utf-8")
    b = Bibliography.load([p], tmp_path)
    assert all(pr.path == "f.bib" and pr.line >= 1 for pr in b.problems)


def test_image_symlink_out_of_repository_is_refused(tmp_path):
    root = make_site(tmp_path / "s")
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG")
    os.symlink(secret, root / "posts" / "leak.png")
    (root / "posts" / "img.md").write_text("---\ntitle: I\ndate: 2026-01-01\n---\n![An image.](leak.png)\n")
    res = run_build(root, "build", "--no-papers", "--no-search")
    assert res.returncode == 1 and "posts/img.md:5:" in res.stderr and "symbolic link that leads outside the repository" in res.stderr
