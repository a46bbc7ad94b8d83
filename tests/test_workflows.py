"""GitHub Actions workflows: structure and security rules, checked offline.

actionlint itself cannot be installed here without downloading a binary from GitHub (the PyPI
wrapper fetches it at install time), so these tests check the rules we rely on directly.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import ROOT

WF = ROOT / ".github" / "workflows"
FILES = sorted(WF.glob("*.yml"))


def load(p):
    data = yaml.load(p.read_text(), Loader=yaml.BaseLoader)  # BaseLoader keeps 'on' a string key
    return data


def test_three_workflows_exist():
    assert {p.name for p in FILES} == {"pages.yml", "pr.yml", "links.yml"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_structure_and_security(path):
    wf = load(path)
    assert wf.get("name") and "on" in wf and wf.get("jobs")
    assert "pull_request_target" not in wf["on"]
    assert "permissions" in wf, "top-level permissions must be set (least privilege)"
    top = wf["permissions"]
    assert top in ({"contents": "read"}, {}), f"top-level permissions must be read-only, got {top}"
    for name, job in wf["jobs"].items():
        assert "runs-on" in job and "steps" in job, name
        for step in job["steps"]:
            uses = step.get("uses")
            if uses:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), f"{name}: action not pinned to a commit: {uses}"
            assert "${{ secrets." not in str(step.get("run", "")), "no secrets interpolated into shell"


def test_commands_match_readme():
    readme = (ROOT / "README.md").read_text()
    assert "make site" in readme and "make test" in readme
    assert "make test" in (WF / "pr.yml").read_text()
    assert "make publish" in (WF / "pages.yml").read_text() or "publishconf.py" in (WF / "pages.yml").read_text()
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def test_pages_deploy_only_from_main_with_pages_permissions():
    wf = load(WF / "pages.yml")
    assert "push" in wf["on"] and wf["on"]["push"]["branches"] == ["main"]
    perms = {}
    for job in wf["jobs"].values():
        perms.update(job.get("permissions", {}))
    assert perms.get("pages") == "write" and perms.get("id-token") == "write"
