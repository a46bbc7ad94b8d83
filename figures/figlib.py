"""Shared helpers for figure scripts.

A figure script lives in ``figures/<name>.py``, calls code in ``experiments/``
for its data, plots with matplotlib, and saves each figure with :func:`save`.
The build runs it as ``python figures/<name>.py`` from the repository root with
``PYTHONPATH`` set to the root and ``FIGURES_OUT`` naming the output folder; run
by hand it writes into ``build/figures``.

Every figure is written twice from the same ``Figure`` object: SVG for the web
and PDF for LaTeX, with no dates or random ids so that reruns are byte-identical.
A JSON sidecar records the script and the parameters the experiment was run with.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = Path(__file__).with_name("style.mplstyle")
plt.style.use(STYLE)


def out_dir() -> Path:
    path = Path(os.environ.get("FIGURES_OUT", "build/figures"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(fig, name: str, params: dict | None = None) -> Path:
    """Write ``<name>.svg`` and ``<name>.pdf`` (plus ``<name>.json`` provenance)."""
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"figure name {name!r}: use letters, digits, '-' and '_' only")
    out = out_dir()
    fig.savefig(out / f"{name}.svg", format="svg", metadata={"Date": None, "Creator": None})
    fig.savefig(
        out / f"{name}.pdf",
        format="pdf",
        metadata={"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    )
    script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "unknown"
    sidecar = {"figure": name, "script": f"figures/{script}", "params": params or {}}
    (out / f"{name}.json").write_text(json.dumps(sidecar, indent=2, sort_keys=True, default=str) + "\n")
    plt.close(fig)
    return out / f"{name}.svg"
