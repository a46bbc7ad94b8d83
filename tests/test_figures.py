"""Figure scripts: content-hash cache, parallel runs, timeouts, failures, byte-identical output."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from plugins import figures
from tests.conftest import make_site

PLOT = """
from figures.figlib import plt, save
from experiments.{mod} import data
fig, ax = plt.subplots()
ax.plot(data())
save(fig, "{name}", {{"n": 3}})
"""


@pytest.fixture
def repo(tmp_path):
    root = make_site(tmp_path / "r", content=None)
    (root / "experiments" / "alpha.py").write_text("def data():\n    return [1, 2, 3]\n")
    (root / "experiments" / "beta.py").write_text("def data():\n    return [3, 2, 1]\n")
    (root / "figures" / "fa.py").write_text(PLOT.format(mod="alpha", name="fig_a"))
    (root / "figures" / "fb.py").write_text(PLOT.format(mod="beta", name="fig_b"))
    return root


def run(root, **kw):
    return figures.run_all(root, **kw)


def test_cache_hits_misses_and_touch(repo):
    figs, results, problems = run(repo)
    assert not problems and set(figs) == {"fig_a", "fig_b"}
    assert not any(r.cached for r in results)
    _, results, _ = run(repo)
    assert all(r.cached for r in results)
    mod = repo / "experiments" / "alpha.py"
    os.utime(mod, (time.time() + 100, time.time() + 100))  # touched, unchanged
    _, results, _ = run(repo)
    assert all(r.cached for r in results)
    mod.write_text("def data():\n    return [1, 5, 3]\n")  # edited: only fa re-runs
    _, results, _ = run(repo)
    assert {r.script: r.cached for r in results} == {"figures/fa.py": False, "figures/fb.py": True}


def test_outputs_are_byte_identical_across_runs(repo):
    figs, _, _ = run(repo)
    first = {ext: (figs["fig_a"] / f"fig_a.{ext}").read_bytes() for ext in ("svg", "pdf")}
    for d in (repo / ".cache" / "figures").iterdir():
        if d.is_dir():
            import shutil

            shutil.rmtree(d)
    figs, results, _ = run(repo)
    assert not any(r.cached for r in results)
    assert {ext: (figs["fig_a"] / f"fig_a.{ext}").read_bytes() for ext in ("svg", "pdf")} == first
    assert b"CreationDate" not in first["pdf"] and b"<dc:date>" not in first["svg"]


def test_provenance_sidecar(repo):
    import json

    figs, _, _ = run(repo)
    side = json.loads((figs["fig_a"] / "fig_a.json").read_text())
    assert side["script"] == "figures/fa.py" and side["params"] == {"n": 3} and len(side["input_hash"]) == 20


def test_parallel_runs_overlap(repo):
    for name in ("fa", "fb"):
        p = repo / "figures" / f"{name}.py"
        stamp = repo / f"{name}.stamp"
        p.write_text(
            f"import time\nt0 = time.time()\ntime.sleep(1.0)\nopen({str(stamp)!r}, 'w').write(f'{{t0}} {{time.time()}}')\n" + p.read_text()
        )
    _, results, problems = run(repo, jobs=2)
    assert not problems and len(results) == 2
    (a0, a1), (b0, b1) = ([float(x) for x in (repo / f"{n}.stamp").read_text().split()] for n in ("fa", "fb"))
    assert a0 < b1 and b0 < a1  # the two scripts ran at the same time


def test_raising_script_names_itself_and_stderr(repo):
    (repo / "figures" / "bad.py").write_text("raise RuntimeError('boom from the experiment')\n")
    _, _, problems = run(repo, only=["bad"])
    (p,) = problems
    assert p.path == "figures/bad.py" and "failed (exit 1)" in p.message and "boom from the experiment" in p.message


def test_script_writing_nothing(repo):
    (repo / "figures" / "empty.py").write_text("print('hello')\n")
    _, _, problems = run(repo, only=["empty"])
    assert [p.format() for p in problems] == [
        "figures/empty.py:1: figure script wrote no figure: call figlib.save(fig, 'name') at least once"
    ]


def test_timeout(repo):
    (repo / "figures" / "slow.py").write_text("import time\ntime.sleep(30)\n")
    t0 = time.monotonic()
    _, _, problems = run(repo, only=["slow"], timeout=1.5)
    assert time.monotonic() - t0 < 10
    assert [p.format() for p in problems] == [
        "figures/slow.py:1: figure script timed out after 1.5 s: make it faster or raise FIGURE_TIMEOUT"
    ]


def test_megabytes_of_output_are_truncated(repo):
    (repo / "figures" / "noisy.py").write_text(
        "import sys\nfor i in range(200000): print('x' * 40, file=sys.stderr)\nraise SystemExit(3)\n"
    )
    _, _, problems = run(repo, only=["noisy"])
    (p,) = problems
    assert "exit 3" in p.message and len(p.message) < 2000


def test_deps_follow_imports(repo):
    deps = {Path(p).name for p in figures.local_deps(repo, repo / "figures" / "fa.py")}
    assert deps == {"fa.py", "alpha.py", "figlib.py"}
