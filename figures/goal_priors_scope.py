"""Figure for the paper "inductive-biases-for-goals": scope generalization of fitted rewards.

Reward models are fitted to labels observed only inside a 5x5 training region of a 15x15
grid (ReLU and tanh MLPs trained by Adam from 12 random initialisations, RBF kernel ridge
regression, and a tabular learner whose unseen entries keep their initial values). An
optimal planner then uses the fitted reward in the whole grid. (a) P(the optimal rollout
ends outside the training region) against the planning horizon. (b) The share of fitted
rewards that exceed their in-region maximum somewhere on a far ring (radius 40 cells):
the agent would leave for it given a large enough world and a long enough horizon.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import goal_priors as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

SEEDS = list(range(12))
HORIZONS = (1, 2, 3, 4, 6, 8, 12, 20)
TARGETS = ["goal", "edge", "gradient"]
LEARNERS = [
    ("relu", {}, "ReLU MLP"),
    ("tanh", {}, "tanh MLP"),
    ("rbf", {}, "RBF kernel"),
    ("tabular", {"init_scale": 0.1}, "tabular, init 0.1"),
    ("tabular", {"init_scale": 1.0}, "tabular, init 1.0"),
]
FAR = 40
GAMMA = 0.95


def main():
    env = E.grid(7, 2)
    n = env["cells"].shape[0]
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.9), gridspec_kw={"width_ratios": [1.2, 1]})
    res = {}
    ev_mat = np.zeros((len(LEARNERS), len(TARGETS)))
    styles = {"goal": ":", "bump": "-.", "edge": "-", "gradient": "--"}
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for li, (learner, kw, label) in enumerate(LEARNERS):
        for ti, kind in enumerate(TARGETS):
            Rf, mse = E.fit_rewards(learner, kind, env, SEEDS, far=FAR, **kw)
            m = E.scope_metrics(Rf[:, :n], env, gamma=GAMMA, horizons=HORIZONS)
            ev = E.eventually_leaves(Rf, env)
            ev_mat[li, ti] = ev.mean()
            res[f"{label}|{kind}"] = {
                "train_mse": float(np.round(mse.mean(), 7)),
                "p_leave": np.round(m["p_leave"], 3).tolist(),
                "broad": round(float(m["broad"].mean()), 3),
                "end_dist": round(float(m["end_dist"].mean()), 2),
                "eventually": round(float(ev.mean()), 3),
            }
            print(label, kind, res[f"{label}|{kind}"])
            if kind in ("edge", "gradient", "goal"):
                jitter = 0.012 * (li - 2)
                axes[0].plot(HORIZONS, np.clip(m["p_leave"] + jitter, -0.03, 1.03), ls=styles[kind], marker="o", ms=2.5, color=colors[li])
    from matplotlib.lines import Line2D

    axes[0].set_xscale("log")
    axes[0].set_xticks(HORIZONS, [str(h) for h in HORIZONS])
    axes[0].minorticks_off()
    axes[0].set_ylim(-0.06, 1.06)
    axes[0].set_xlabel("planning horizon H (steps); the region's edge is 2 steps from the start")
    axes[0].set_ylabel("P(optimal rollout ends outside\ntraining region)")
    axes[0].set_title("(a)  share of 12 fits that leave the region", loc="left", fontsize=9)
    learner_handles = [Line2D([], [], color=colors[i], marker="o", ms=3, label=lab) for i, (_, _, lab) in enumerate(LEARNERS)]
    target_handles = [Line2D([], [], color="0.3", ls=styles[k], label=f"{k} target") for k in TARGETS]
    leg = axes[0].legend(handles=learner_handles, fontsize=7, loc="center right", title="learner", title_fontsize=7)
    axes[0].add_artist(leg)
    axes[0].legend(handles=target_handles, fontsize=7, loc="center left", title="line style", title_fontsize=7)
    ax = axes[1]
    im = ax.imshow(ev_mat, vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(len(TARGETS)), TARGETS)
    ax.set_yticks(range(len(LEARNERS)), [x[2] for x in LEARNERS])
    ax.grid(False)
    for i in range(ev_mat.shape[0]):
        for j in range(ev_mat.shape[1]):
            ax.text(j, i, f"{ev_mat[i, j]:.2f}", ha="center", va="center", fontsize=8, color="w" if ev_mat[i, j] < 0.5 else "k")
    ax.set_title("(b)  share that would leave in a large world", loc="left", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.04)
    fig.tight_layout()
    save(fig, "goal_priors_scope", params={"seeds": len(SEEDS), "horizons": HORIZONS, "far": FAR, "gamma": GAMMA, "results": res})


if __name__ == "__main__":
    main()
