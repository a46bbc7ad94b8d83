#!/usr/bin/env python3
"""Build benchmark: this engine against plain Pelican on the same synthetic corpus, in one run.

    python bench/run.py --posts 1000 [--reps 5] [--out bench/results.json]

Times (alternating runs, median and spread over --reps): cold build, warm no-op rebuild, one-post
edit, one-bib-entry edit, ``check`` and ``serve``'s save-to-reload latency (a post's body, a
``.bib`` entry) for this engine, and a cold build of plain Pelican (same virtual environment,
minimal config, the same Markdown without citations). Peak memory is the largest resident set
of the build process. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from gen import generate  # noqa: E402

MEASURE = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
    "dt = time.perf_counter() - t; u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(f'{dt} {u.ru_maxrss} {r.returncode} {u.ru_utime + u.ru_stime}'); sys.stderr.write(r.stderr[-2000:] if r.returncode else '')"
)


def timed(cmd, cwd) -> tuple[float, int, float]:
    """Wall seconds, peak resident bytes and CPU seconds (user + system, every process) of ``cmd``."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], cwd=cwd, capture_output=True, text=True)
    dt, rss, rc, cpu = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{out.stderr}")
    return float(dt), int(rss) * 1024, float(cpu)


def serve_latency(root, post: Path, bib: Path | None = None, edits: int = 2) -> tuple[list[float], list[float]]:
    """Seconds from saving a file to the live-reload event of ``build.py serve`` (after its first
    build): ``edits`` edits to a post's body, then one to a ``.bib`` entry's title."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)], cwd=root, stderr=subprocess.DEVNULL)
    out, out_bib = [], []
    try:
        for _ in range(1200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        steps = [(post, lambda t, i: t + f"\nServe edit {i}.\n", out) for _ in range(edits)]
        if bib is not None:
            steps.append(
                (
                    bib,
                    lambda t, i: re.sub(r"Synthetic Work 11( \(serve \d+\))?:", f"Synthetic Work 11 (serve {time.time_ns()}):", t, count=1),
                    out_bib,
                )
            )
        for i, (path, edit, times) in enumerate(steps):
            events = urllib.request.urlopen(f"http://127.0.0.1:{port}/__livereload", timeout=120)
            time.sleep(1.0)
            path.write_text(edit(path.read_text(), i))
            t0 = time.perf_counter()
            line = b""
            while b"data: reload" not in line:
                line = events.readline()
            times.append(time.perf_counter() - t0)
            time.sleep(1.0)
            for _ in range(240):  # let the background search index finish before the next edit
                if not list(Path(root).glob("output/pagefind.new")):
                    break
                time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return out, out_bib


def _spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


# Issue 7's targets that the benchmark measures: (what, key, limit, inclusive), for "at most 1.0x",
# "under 0.5 s", "under 1 s" and "under 1 GiB". A one-post edit's "warm rebuild" is read as the warm
# process (``serve``: saving the file to the browser's reload); the same edit from a new
# ``build.py build`` process is reported beside it, not as a target.
TARGETS = (
    ("cold build / plain Pelican's, same repetition (median)", "cold_ratio", 1.0, True),
    ("warm rebuild after a one-post edit, s (serve: save -> reload)", "serve_edit", 0.5, False),
    ("serve: save -> reload, slowest scenario, s", "serve_worst", 1.0, False),
    ("peak memory of the cold build's largest process, MiB", "rss", 1024.0, False),
)


def targets(result: dict) -> list[dict]:
    """Each target with the measured value and whether it is met (at most, or under, its limit); a
    target whose scenario did not run is left out."""
    sec = result["seconds"]
    serve = [sec[k]["median"] for k in ("ours_serve_edit", "ours_serve_bib") if k in sec]
    values = {
        "cold_ratio": result["cold_ratio_paired"]["median"],
        "serve_edit": sec["ours_serve_edit"]["median"] if "ours_serve_edit" in sec else None,
        "serve_worst": max(serve) if serve else None,
        "rss": result["peak_rss_mib"].get("ours_cold"),
    }
    return [
        {"target": what, "value": values[key], "limit": limit, "met": values[key] <= limit if inclusive else values[key] < limit}
        for what, key, limit, inclusive in TARGETS
        if values[key] is not None
    ]


def ours_build(root):
    return timed([sys.executable, "build.py", "build", "--no-papers", "-q"], root)


def run(posts: int, reps: int, out: Path | None, serve: bool = True):
    work = Path(tempfile.mkdtemp(prefix="acx-bench-"))
    ours, plain = generate(work, posts)
    pelican = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
    rows: dict[str, list] = {
        k: []
        for k in (
            "pelican_cold",
            "ours_cold",
            "ours_noop",
            "ours_edit_post",
            "ours_edit_bib",
            "ours_check",
            "ours_serve_edit",
            "ours_serve_bib",
        )
    }
    mem: dict[str, int] = {}
    cpu: dict[str, list] = {"pelican_cold": [], "ours_cold": []}  # CPU seconds of the cold builds
    post = ours / "posts" / "bench-0000.md"
    bibf = ours / "bib" / "bench.bib"
    for rep in range(reps):
        shutil.rmtree(plain / "output", ignore_errors=True)
        dt, m, c = timed(pelican, plain)
        cpu["pelican_cold"].append(c)
        rows["pelican_cold"].append(dt)
        mem["pelican_cold"] = max(mem.get("pelican_cold", 0), m)
        for d in (ours / ".cache", ours / "output"):
            if d.is_symlink():
                d.unlink()
            elif d.exists():
                shutil.rmtree(d)
        dt, m, c = ours_build(ours)
        cpu["ours_cold"].append(c)
        rows["ours_cold"].append(dt)
        mem["ours_cold"] = max(mem.get("ours_cold", 0), m)
        dt, *_ = ours_build(ours)
        rows["ours_noop"].append(dt)
        post.write_text(post.read_text().replace("Synthetic post 0", f"Synthetic post 0 edit {rep}"))
        dt, *_ = ours_build(ours)
        rows["ours_edit_post"].append(dt)
        bibf.write_text(
            bibf.read_text().replace("Synthetic Work 7:", f"Synthetic Work 7 ({rep}):", 1)
            if rep == 0
            else bibf.read_text().replace(f"({rep - 1})", f"({rep})", 1)
        )
        dt, *_ = ours_build(ours)
        rows["ours_edit_bib"].append(dt)
        dt, *_ = timed([sys.executable, "build.py", "check"], ours)
        rows["ours_check"].append(dt)
        if serve:
            post_times, bib_times = serve_latency(ours, ours / "posts" / "bench-0001.md", bibf)
            rows["ours_serve_edit"].extend(post_times)
            rows["ours_serve_bib"].extend(bib_times)
    result = {
        "posts": posts,
        "reps": reps,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "seconds": {k: _spread(v) for k, v in rows.items() if v},
        "peak_rss_mib": {k: round(v / 2**20, 1) for k, v in mem.items()},
        # The machine's speed drifts between repetitions: each cold build against Pelican's in the
        # same repetition (run one after the other) is the steadier comparison.
        "cold_ratio_paired": _spread([o / p for o, p in zip(rows["ours_cold"], rows["pelican_cold"])]),
        # CPU time (user + system of every process) is steadier than wall time on a shared machine;
        # on two cores, a build needing more than twice Pelican's CPU time cannot match its wall time.
        "cpu_seconds": {k: _spread(v) for k, v in cpu.items()},
        "cold_cpu_ratio_paired": _spread([o / p for o, p in zip(cpu["ours_cold"], cpu["pelican_cold"])]),
    }
    result["targets"] = targets(result)
    base = result["seconds"]["pelican_cold"]["median"]
    print(f"{'scenario':<18}{'median s':>10}{'min':>8}{'max':>8}{'x Pelican':>11}")
    for k, v in result["seconds"].items():
        print(f"{k:<18}{v['median']:>10.2f}{v['min']:>8.2f}{v['max']:>8.2f}{v['median'] / base:>11.2f}")
    print("peak RSS (MiB): " + ", ".join(f"{k} {v}" for k, v in result["peak_rss_mib"].items()))
    r = result["cold_ratio_paired"]
    print(f"cold build / Pelican's in the same repetition: median {r['median']:.2f} (min {r['min']:.2f}, max {r['max']:.2f})")
    c = result["cold_cpu_ratio_paired"]
    print(
        f"cold build CPU time (all processes): {result['cpu_seconds']['ours_cold']['median']:.1f} s against Pelican's "
        f"{result['cpu_seconds']['pelican_cold']['median']:.1f} s; paired ratio median {c['median']:.2f}"
    )
    print("targets:")
    for t in result["targets"]:
        print(f"  {'met    ' if t['met'] else 'NOT MET'}  {t['target']}: {t['value']:.2f} (limit {t['limit']:g})")
    e = result["seconds"]["ours_edit_post"]["median"]
    print(f"  (for comparison, not a target: the same one-post edit from a new build.py build process {e:.2f} s)")
    if out:
        out.write_text(json.dumps(result, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=100)
    ap.add_argument(
        "--reps", type=int, default=5, help="repetitions of each timing (default 5: the cold-build ratio is a median over them)"
    )
    ap.add_argument("--out", type=Path, default=HERE / "results.json")
    ap.add_argument("--no-serve", action="store_true", help="skip the serve save-to-reload latency")
    a = ap.parse_args(argv)
    run(a.posts, a.reps, a.out, serve=not a.no_serve)


if __name__ == "__main__":
    main()
