"""Figure for the paper "human-feedback": decision regret per rater-minute by feedback type."""

import numpy as np

from experiments import feedback_types as E
from figures.figlib import plt, save

SEEDS = 12
BUDGETS = (10, 30, 60, 120)
TITLES = {
    "benign": "benign noise",
    "drift_anchor": "scales, drift, 40% anchoring",
    "partial_obs": "feature 0 hidden",
    "assisted": "hidden; AI reveals it 80%",
    "salient_bias": "salient-feature bias",
}


def main():
    r = E.run(budgets_min=BUDGETS, seeds=SEEDS)
    # 2 x 3 grid (the sixth cell holds the legend) so that the figure stays legible at column width
    fig, grid = plt.subplots(2, 3, figsize=(6.0, 4.5), sharex=True, sharey=True)
    axes = grid.ravel()
    handles = []
    for ci, cond in enumerate(r["conditions"]):
        ax = axes[ci]
        for ti, qt in enumerate(r["types"]):
            m, se = r["regret"][ti, ci], r["regret_se"][ti, ci]
            h = ax.errorbar(BUDGETS, m, yerr=se, marker="o", ms=3, capsize=2, label=qt)
            if ci == 0:
                handles.append(h)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(BUDGETS, [str(b) for b in BUDGETS])
        ax.minorticks_off()
        ax.set_title(TITLES[cond], fontsize=9)
        if cond == "partial_obs":
            # Proposition 2 with eq. (regret = 1 - cos): floor 1 - sqrt(1 - theta0^2)
            floor = 1.0 - np.sqrt(1.0 - E.DEFAULTS["theta0"] ** 2)
            ax.axhline(floor, ls="--", lw=1, color="0.4")
            ax.text(11, floor * 0.8, "Prop. 2 floor", ha="left", va="top", fontsize=8.5, color="0.3")
    for ax in grid[:, 0]:
        ax.set_ylabel("normalised decision regret")
    for ax in grid[1, :]:
        ax.set_xlabel("rater time (minutes)")
    axes[-1].axis("off")
    axes[-1].legend(handles, r["types"], title="feedback channel", loc="center", fontsize=9.5, title_fontsize=9.5)
    # sharex hides the x tick labels of the top-right panel, whose lower neighbour is the legend cell
    axes[2].xaxis.set_tick_params(labelbottom=True)
    axes[2].set_xlabel("rater time (minutes)")
    fig.tight_layout()
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
    return r


if __name__ == "__main__":
    main()
