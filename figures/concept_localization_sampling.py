"""Figure for the paper "concept-localization": what an electrode screening sees."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import concept_localization as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

S = 100
N_UNITS = 100
N_SESSIONS = 10
A_GRID = np.geomspace(1e-5, 0.3, 14)
SETTINGS = {
    "single units, unbiased": {"beta": 0.0, "multi": 1},
    "single units, detection bias β = 1": {"beta": 1.0, "multi": 1},
    "multi-units of 3 neurons": {"beta": 0.0, "multi": 3},
}


def main():
    res = E.sweep_sparsity(A_GRID, SETTINGS, seed=0, n_neurons=20_000, n_units=N_UNITS, S=S, n_sessions=N_SESSIONS)
    fine = np.geomspace(1e-5, 0.3, 200)
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 3.9))
    markers = ["o", "s", "^"]
    for (label, r), mk in zip(res.items(), markers):
        x = r["a_population"]
        axes[0].plot(x, r["frac_single"], mk, ms=4, label=label)
        axes[1].plot(x, r["single_given_resp"], mk, ms=4, label=label)
        axes[2].plot(x, r["a_hat"], mk, ms=4, label=label)
    axes[0].plot(fine, E.p_exactly_one(fine, S), "k-", lw=1, label="closed form (homogeneous code)")
    axes[1].plot(fine, E.single_given_responsive(fine, S), "k-", lw=1)
    axes[2].plot(fine, fine, "k--", lw=1, label="estimate = truth")
    axes[0].set_ylabel("fraction of recorded units\nanswering exactly one stimulus")
    axes[1].set_ylabel("fraction 'single-concept'\namong responsive units")
    axes[2].set_ylabel("naive sparsity estimate â\n(responses / units × stimuli)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xticks([1e-5, 1e-3, 1e-1])
        ax.axvline(1.0 / S, color="grey", lw=0.6, ls=":")
    axes[2].set_yscale("log")
    axes[0].set_title("(a)", loc="left", fontsize=10)
    axes[1].set_title("(b)", loc="left", fontsize=10)
    axes[2].set_title("(c)", loc="left", fontsize=10)
    fig.supxlabel("true mean sparsity $a$ of the population (fraction of concepts a neuron answers)", fontsize=10, y=0.2)
    h0, l0 = axes[0].get_legend_handles_labels()
    h2, l2 = axes[2].get_legend_handles_labels()
    fig.legend(h0 + h2[-1:], l0 + l2[-1:], loc="lower center", ncol=2, fontsize=9, bbox_to_anchor=(0.5, -0.04))
    fig.subplots_adjust(left=0.1, right=0.99, top=0.93, bottom=0.33, wspace=0.75)
    # summary numbers for the text
    two = {}
    rng = np.random.default_rng(1)
    for kind in ("two-pop", "homogeneous"):
        pop = E.make_population(kind, 50_000, rng, a=0.00275)
        for beta in (0.0, 1.0):
            r = E.screen(pop, rng, n_units=N_UNITS, S=S, n_sessions=60, beta=beta)
            two[f"{kind}_beta{beta:g}"] = {k: round(v, 4) for k, v in r.items()}
            print(kind, beta, two[f"{kind}_beta{beta:g}"])
    save(
        fig,
        "concept_localization_sampling",
        params={
            "S": S,
            "n_units": N_UNITS,
            "n_sessions": N_SESSIONS,
            "n_neurons": 20_000,
            "a_grid": A_GRID.tolist(),
            "population": "lognormal, sd 0.5 decades",
            "settings": SETTINGS,
            "seed": 0,
            "two_population_check": two,
        },
    )


if __name__ == "__main__":
    main()
