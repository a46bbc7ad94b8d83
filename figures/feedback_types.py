"""Figure for the paper "human-feedback": decision regret per rater-minute by feedback type."""

import numpy as np

from experiments import feedback_types as E
from figures.figlib import plt, save

SEEDS = 12
BUDGETS = (10, 30, 60, 120)
TITLES = {
    "benign": "benign noise",
    "drift_anchor": "scale drift + anchoring",
    "partial_obs": "feature 0 hidden",
    "assisted": "hidden, AI reveals 80%",
    "salient_bias": "salient-feature bias",
}


def main():
    r = E.run(budgets_min=BUDGETS, seeds=SEEDS)
    fig, axes = plt.subplots(1, 5, figsize=(13.0, 3.2), sharey=True)
    for ci, cond in enumerate(r["conditions"]):
        ax = axes[ci]
        for ti, qt in enumerate(r["types"]):
            m, se = r["regret"][ti, ci], r["regret_se"][ti, ci]
            ax.errorbar(BUDGETS, m, yerr=se, marker="o", ms=3, capsize=2, label=qt)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(BUDGETS, [str(b) for b in BUDGETS])
        ax.set_xlabel("rater time (minutes)")
        ax.text(0.03, 0.03, TITLES[cond], transform=ax.transAxes, fontsize=9)
        if cond == "partial_obs":
            # Proposition 2 with eq. (regret = 1 - cos): floor 1 - sqrt(1 - theta0^2)
            floor = 1.0 - np.sqrt(1.0 - E.DEFAULTS["theta0"] ** 2)
            ax.axhline(floor, ls="--", lw=1, color="0.4")
            ax.text(11, floor * 0.88, "Prop. 2 floor", ha="left", va="top", fontsize=8, color="0.3")
    axes[0].set_ylabel("normalised decision regret")
    axes[0].legend(fontsize=8, loc="upper right")
    save(
        fig,
        "feedback_types_regret",
        params={
            "seeds": SEEDS,
            "budgets_min": list(BUDGETS),
            "cost_s": E.COST_S,
            "assist_cost_s": E.ASSIST_COST_S,
            **{k: v for k, v in E.DEFAULTS.items()},
        },
    )
    np.set_printoptions(precision=4, suppress=True)
    return r


if __name__ == "__main__":
    main()
