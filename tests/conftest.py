"""Shared fixtures: a throw-away copy of the engine plus fixture content, and a built site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site"
sys.path.insert(0, str(ROOT))


def make_site(dest: Path, content: Path | None = FIXTURE) -> Path:
    """Copy the engine (plugins, theme, settings, figlib) and fixture content into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("plugins", "theme"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pelicanconf.py", "publishconf.py", "build.py"):
        shutil.copy(ROOT / name, dest / name)
    (dest / "figures").mkdir(exist_ok=True)
    for name in ("figlib.py", "style.mplstyle", "__init__.py"):
        shutil.copy(ROOT / "figures" / name, dest / "figures" / name)
    (dest / "docs").mkdir(exist_ok=True)
    for name in ("agenda.yaml", "authoring.md"):
        shutil.copy(ROOT / "docs" / name, dest / "docs" / name)
    for d in ("posts", "papers", "bib", "experiments"):
        (dest / d).mkdir(exist_ok=True)
    (dest / "experiments" / "__init__.py").touch()
    if content is not None:
        shutil.copytree(content, dest, dirs_exist_ok=True)
    return dest


def run_build(root: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, str(root / "build.py"), *args], cwd=root, capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The fixture site, built once per test session (without papers)."""
    root = make_site(tmp_path_factory.mktemp("site"))
    res = run_build(root, "build", "--no-papers")
    assert res.returncode == 0, res.stderr
    return root


@pytest.fixture
def site(tmp_path) -> Path:
    return make_site(tmp_path / "site")
