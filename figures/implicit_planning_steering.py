"""Figure for the paper "implicit-planning": steering along Q-probe directions."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from experiments import implicit_planning as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

N_TRAIN, N_TEST, EPOCHS, SEED = 1000, 250, 8, 0
ALPHAS = [0, 0.5, 1, 2, 4, 8, 16, 32, 64]


def main():
    tr, te = E.standard_data(N_TRAIN, N_TEST, seed=SEED)
    nets = {
        "imitation MLP": E.train("mlp", tr, seed=SEED, epochs=EPOCHS)[0],
        "imitation + value head": E.train("mlp", tr, seed=SEED, epochs=EPOCHS, aux=1.0)[0],
    }
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 4.4), sharey=True)
    summary = {}
    xs = np.array(ALPHAS, float)
    xs[0] = 0.25
    for ax, (name, P) in zip(axes, nets.items()):
        for layer, ls in [(0, "-"), (1, "--")]:
            r = E.steering("mlp", P, tr, te, layer, ALPHAS, seed=SEED, max_states=2000)
            lname = f"h{layer + 1}"
            ax.plot(xs, r["probe"], "o" + ls, color="C0", ms=4)
            ax.plot(xs, r["random"], "s" + ls, color="C1", ms=3)
            ax.plot(xs, r["control"], "^" + ls, color="C2", ms=3)
            ax.plot(xs, r["greedy_qhat"], ls, color="k", lw=1, alpha=0.6)
            summary[f"{name} {lname}"] = {
                "probe": np.round(r["probe"], 3).tolist(),
                "random": np.round(r["random"], 3).tolist(),
                "control": np.round(r["control"], 3).tolist(),
                "greedy_qhat": np.round(r["greedy_qhat"], 3).tolist(),
                "alpha50_greedy_qhat": E.alpha_at(r, "greedy_qhat"),
                "alpha50_probe": E.alpha_at(r, "probe"),
                "alpha50_random": E.alpha_at(r, "random"),
                "q_probe_r2": round(r["q_probe_r2"], 3),
                "n_states": r["n_states"],
                "base_switch": round(r["base_switch"], 3),
            }
        ax.axvspan(1, 2, color="0.85", zorder=0)
        ax.set_xscale("log")
        ax.set_xticks(xs, ["0"] + [f"{a:g}" for a in ALPHAS[1:]])
        ax.minorticks_off()
        ax.set_xlabel("α: rise in decoded Q̂(s, a)")
        ax.set_title(f"({'ab'[list(nets).index(name)]}) {name}", loc="left", fontsize=10)
    axes[0].set_ylabel("fraction of states that switch\nto the target (non-optimal) action")
    handles = [
        Line2D([], [], color="C0", marker="o", ms=4, label="Q-probe direction"),
        Line2D([], [], color="C1", marker="s", ms=3, label="random direction, equal norm"),
        Line2D([], [], color="C2", marker="^", ms=3, label="control-task probe direction"),
        Line2D([], [], color="k", lw=1, alpha=0.6, label="greedy agent on decoded Q̂"),
        Line2D([], [], color="0.3", ls="-", label="edit at h1"),
        Line2D([], [], color="0.3", ls="--", label="edit at h2"),
    ]
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8.5, bbox_to_anchor=(0.5, 0.0))
    for k, v in summary.items():
        print(k, v)
    save(
        fig,
        "implicit_planning_steering",
        params={"n_train_mazes": N_TRAIN, "n_test_mazes": N_TEST, "epochs": EPOCHS, "seed": SEED, "alphas": ALPHAS, "results": summary},
    )


if __name__ == "__main__":
    main()
