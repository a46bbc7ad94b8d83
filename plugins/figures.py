"""Run figure scripts, cached by content hash, in parallel, each under a timeout.

The cache key of a script is the hash of the script, the project modules it imports (followed
transitively through ``experiments/`` and ``figures/``), the data files it names, the shared
style, and the installed versions of matplotlib and numpy. Touching a file without changing it
changes nothing; editing an imported experiment re-runs exactly the scripts that import it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .errors import Problem

SKIP = {"__init__.py", "figlib.py"}
SHARED = ["figures/figlib.py", "figures/style.mplstyle"]
VERSIONED = ["matplotlib", "numpy", "scipy"]
TAIL_LINES = 12


@dataclass
class FigureResult:
    script: str
    key: str
    outputs: dict = field(default_factory=dict)  # name -> folder holding name.svg/pdf/json
    cached: bool = False
    seconds: float = 0.0
    problem: Problem | None = None


def scripts(root: Path) -> list[Path]:
    return sorted(p for p in (root / "figures").glob("*.py") if p.name not in SKIP and not p.name.startswith("_"))


def _module_file(root: Path, name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] not in ("experiments", "figures"):
        return None
    base = root.joinpath(*parts)
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.is_file():
            return cand
    return None


IMPORT_RE = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(?:\(([^)]*)\)|([\w, \t]+))|import[ \t]+([\w., \t]+))", re.M)
PATHLIKE_RE = re.compile(r"""["']([\w.-]+(?:/[\w.-]+)+)["']""")


@functools.lru_cache(maxsize=4096)
def _refs(digest: bytes, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Imported module names and path-like string constants of one source (memoised by content).

    A regular-expression scan rather than an AST walk: it is ten times faster, and over-reporting
    (an import inside a string, say) only adds a file to the cache key."""
    names = []
    for m in IMPORT_RE.finditer(text):
        if m.group(1):
            mod = m.group(1)
            names.append(mod)
            listed = (m.group(2) or m.group(3) or "").replace("\n", " ")
            names += [f"{mod}.{n.strip().split()[0]}" for n in listed.split(",") if n.strip() and not n.strip().startswith("#")]
        else:
            names += [n.strip().split()[0] for n in m.group(4).split(",") if n.strip()]
    strings = [v for v in PATHLIKE_RE.findall(text) if not v.startswith("/") and ".." not in v]
    return tuple(names), tuple(strings)


def local_deps(root: Path, script: Path) -> list[Path]:
    """Project files a script depends on: imported modules (transitively) and data files it names."""
    seen: dict[Path, None] = {}
    todo = [script]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen[path] = None
        try:
            raw = path.read_bytes()
            names, strings = _refs(hashlib.sha256(raw).digest(), raw.decode("utf-8"))
        except (UnicodeDecodeError, OSError):
            continue
        for v in strings:
            cand = root / v
            try:
                if cand.is_file():
                    seen.setdefault(cand.resolve(), None)
            except OSError:
                pass
        for n in names:
            f = _module_file(root, n)
            if f is not None:
                todo.append(f.resolve())
    return sorted(seen)


DATA_DIRS = ("experiments/data", "figures/data")
WATCHED = ("posts", "papers", "bib", "figures", "experiments", "docs", "theme", "plugins", "tests")


def data_deps(root: Path, modules) -> list[Path]:
    """Data files (under experiments/data or figures/data) named by a string in any dependency."""
    files = [p for d in DATA_DIRS if (root / d).is_dir() for p in sorted((root / d).rglob("*")) if p.is_file()]
    if not files:
        return []
    texts = []
    for m in modules:
        try:
            texts.append(Path(m).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            pass
    blob = "\n".join(texts)
    return [
        f for f in files if f'"{f.name}"' in blob or f"'{f.name}'" in blob or f'"{f.parent.name}"' in blob or f"'{f.parent.name}'" in blob
    ]


def snapshot(root: Path) -> dict:
    """(mtime, size) of every file in the source folders: to catch scripts that write into them."""
    out = {}
    for d in WATCHED:
        base = root / d
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [n for n in dirnames if n not in ("__pycache__", ".ipynb_checkpoints")]
            for n in filenames:
                p = os.path.join(dirpath, n)
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                out[p] = (st.st_mtime_ns, st.st_size)
    return out


@functools.lru_cache(maxsize=1)
def versions() -> str:
    out = []
    for name in VERSIONED:
        try:
            out.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}==none")
    return ";".join(out)


def cache_key(root: Path, script: Path) -> str:
    h = hashlib.sha256()
    h.update(versions().encode())
    deps = local_deps(root, script.resolve())
    files = {p.resolve() for p in deps} | {p.resolve() for p in data_deps(root, deps)}
    files |= {(root / s).resolve() for s in SHARED if (root / s).exists()}
    for f in sorted(files):
        h.update(str(f.relative_to(root.resolve())).encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:20]


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 8192))
            data = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-TAIL_LINES:])


def _run_one(root: Path, script: Path, cache: Path, timeout: float) -> FigureResult:
    rel = str(script.relative_to(root))
    key = cache_key(root, script)
    done = cache / f"{script.stem}-{key}"
    res = FigureResult(script=rel, key=key)
    manifest = done / "manifest.json"
    if manifest.is_file():
        try:
            names = json.loads(manifest.read_text())["figures"]
            if all((done / f"{n}.svg").is_file() and (done / f"{n}.pdf").is_file() for n in names):
                res.outputs = {n: done for n in names}
                res.cached = True
                return res
        except (ValueError, KeyError, OSError):
            pass  # a half-written entry is never trusted: rebuild it
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{script.stem}-", dir=cache))
    out = work / "out"
    out.mkdir()
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(root) + os.pathsep + env.get("PYTHONPATH", ""),
        FIGURES_OUT=str(out),
        MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1",  # scripts already run in parallel: no nested BLAS threads
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONHASHSEED="0",
        SOURCE_DATE_EPOCH="0",
        MPLCONFIGDIR=str(cache / "mplconfig"),
    )
    t0 = time.monotonic()
    stdout, stderr = work / "stdout.txt", work / "stderr.txt"
    sandbox = work / "cwd"
    sandbox.mkdir()
    try:
        with open(stdout, "wb") as so, open(stderr, "wb") as se:
            proc = subprocess.run(
                [sys.executable, str(script.resolve())],
                cwd=sandbox,
                env=env,
                stdout=so,
                stderr=se,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        res.problem = Problem(
            rel, 1, 0, f"figure script timed out after {timeout:g} s: make it faster or raise FIGURE_TIMEOUT", check="figures"
        )
        shutil.rmtree(work, ignore_errors=True)
        return res
    res.seconds = time.monotonic() - t0
    strays = sorted(p.relative_to(sandbox).as_posix() for p in sandbox.rglob("*") if p.is_file())
    if strays:
        res.problem = Problem(
            rel,
            1,
            0,
            f"figure script wrote outside its output folder: {', '.join(strays[:5])} (save figures with figlib.save only)",
            check="figures",
        )
        shutil.rmtree(work, ignore_errors=True)
        return res
    if rc != 0:
        tail = _tail(stderr)
        res.problem = Problem(rel, 1, 0, f"figure script failed (exit {rc}); last lines of its stderr:\n{tail}", check="figures")
        shutil.rmtree(work, ignore_errors=True)
        return res
    names = sorted(p.stem for p in out.glob("*.svg"))
    if not names:
        res.problem = Problem(rel, 1, 0, "figure script wrote no figure: call figlib.save(fig, 'name') at least once", check="figures")
        shutil.rmtree(work, ignore_errors=True)
        return res
    for n in names:
        if not (out / f"{n}.pdf").is_file():
            res.problem = Problem(rel, 1, 0, f"figure '{n}' has an SVG but no PDF: save figures with figlib.save", check="figures")
            shutil.rmtree(work, ignore_errors=True)
            return res
        side = out / f"{n}.json"
        info = json.loads(side.read_text()) if side.is_file() else {"figure": n, "script": rel, "params": {}}
        info["script"] = rel
        info["input_hash"] = key
        side.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    for extra in out.iterdir():
        if extra.suffix not in (".svg", ".pdf", ".json"):
            extra.unlink() if extra.is_file() else shutil.rmtree(extra)
    if cache_key(root, script) != key:  # an input was edited while the script ran: do not cache
        res.outputs = {}
        res.problem = Problem(rel, 1, 0, "an input of this figure script changed while it ran: build again", check="figures")
        shutil.rmtree(work, ignore_errors=True)
        return res
    (out / "manifest.json").write_text(json.dumps({"script": rel, "key": key, "figures": names}, indent=2) + "\n")
    if done.exists():
        shutil.rmtree(done)
    os.replace(out, done)
    shutil.rmtree(work, ignore_errors=True)
    res.outputs = {n: done for n in names}
    return res


def run_all(root: Path, *, cache: Path | None = None, jobs: int = 2, timeout: float | None = None, only=None, progress=None):
    """Run (or reuse) every figure script. Returns (name -> folder, results, problems)."""
    root = Path(root).resolve()
    cache = cache or root / ".cache" / "figures"
    timeout = timeout or float(os.environ.get("FIGURE_TIMEOUT", "120"))
    todo = [s for s in scripts(root) if not only or s.stem in only or str(s.relative_to(root)) in only]
    results: list[FigureResult] = []
    before = snapshot(root)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(_run_one, root, s, cache, timeout) for s in todo]
        for fut in futures:
            r = fut.result()
            results.append(r)
            if progress:
                state = "cached" if r.cached else ("FAILED" if r.problem else f"{r.seconds:.1f} s")
                progress(f"  figure {r.script}: {', '.join(sorted(r.outputs)) or '-'} [{state}]")
    figures, problems = {}, []
    after = snapshot(root)
    changed = sorted(p for p in set(after) - set(before) if not p.endswith(("~", ".swp", ".swx", ".tmp")) and "/.#" not in p)
    ran = [r.script for r in results if not r.cached]
    if changed and ran:
        names = ", ".join(os.path.relpath(p, root) for p in changed[:5])
        for script in ran:
            problems.append(
                Problem(
                    script,
                    1,
                    0,
                    f"new files appeared in the repository while this figure script ran: {names} "
                    "(if the script wrote them, save only through figlib.save)",
                    "warning",
                    "figures",
                )
            )
    owners: dict[str, str] = {}
    for r in results:
        if r.problem:
            problems.append(r.problem)
        for name, folder in r.outputs.items():
            if name in owners:
                problems.append(
                    Problem(
                        r.script, 1, 0, f"figure name '{name}' is also produced by {owners[name]}: names must be unique", check="figures"
                    )
                )
            owners[name] = r.script
            figures[name] = folder
    _prune(cache, {f"{Path(r.script).stem}-{r.key}" for r in results}, bool(only))
    return figures, results, problems


def _prune(cache: Path, keep: set, partial: bool):
    if partial or not cache.is_dir():
        return
    for d in cache.iterdir():
        # never touch a concurrent run's work folder or matplotlib's cache
        if d.is_dir() and d.name not in keep and not d.name.startswith((".tmp-", "mplconfig")):
            shutil.rmtree(d, ignore_errors=True)
