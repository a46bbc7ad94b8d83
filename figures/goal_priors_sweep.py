"""Figure for the paper "inductive-biases-for-goals": confound sweep for fitted ReLU rewards.

For the interior-goal and edge targets, the share of ReLU reward models (8 random
initialisations each) that would leave the training region in a large world, and the share
whose optimal 20-step rollout in the 15x15 grid ends outside it, as width and depth vary
(goal_priors_sweep2.py varies weight decay, input scaling and region size).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import goal_priors as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

SEEDS = list(range(100, 108))
TARGETS = ["goal", "edge"]
CONFIGS = [
    ("base (w32, d2)", {}, 2),
    ("width 8", {"width": 8}, 2),
    ("width 64", {"width": 64}, 2),
    ("depth 1", {"depth": 1}, 2),
    ("depth 3", {"depth": 3}, 2),
]
NAME = "goal_priors_sweep"


def main(configs=CONFIGS, name=NAME):
    """Run the sweep over ``configs`` and save the bar chart as ``name`` (goal_priors_sweep2.py
    calls this with its own configurations)."""
    res = E.relu_sweep(configs, TARGETS, SEEDS)
    for k, v in res.items():
        print(k, v)
    fig, ax = plt.subplots(figsize=(10.5, 3.4))
    width = 0.2
    x = np.arange(len(configs))
    for ti, kind in enumerate(TARGETS):
        ev = [res[f"{c[0]}|{kind}"]["eventually"] for c in configs]
        lv = [res[f"{c[0]}|{kind}"]["leave_H"] for c in configs]
        for off, vals, lab in [
            (2 * ti - 1.5, ev, f"{kind}: would leave in a large world"),
            (2 * ti - 0.5, lv, f"{kind}: ends outside the training region (15 × 15 grid, H = 20)"),
        ]:
            bars = ax.bar(x + off * width, vals, width, label=lab)
            ax.bar_label(bars, labels=[f"{v:g}" for v in vals], fontsize=6, padding=1)
    ax.set_xticks(x, [c[0] for c in configs], fontsize=8)
    ax.set_ylabel(f"share of {len(SEEDS)} seeds")
    ax.set_ylim(0, 1.32)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.legend(fontsize=7, ncol=2, loc="upper center")
    fig.tight_layout()
    save(fig, name, params={"seeds": SEEDS, "configs": configs, "results": res})


if __name__ == "__main__":
    main()
