"""Figure for the paper "inductive-biases-for-goals": shutdown avoidance under goal priors.

(a) P(optimal policy avoids shutdown) against the discount rate for several priors over
reward functions in the shutdown/hub MDP. (b) The same probability at gamma = 0.99 for
many priors and room layouts, against the Gaussian block-model prediction computed from
the prior's own correlations (Proposition 3).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import goal_priors as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

K = 4
M = 2000
GAMMAS = [0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99]
PRIORS = [
    ("iid_uniform", {}, "i.i.d. uniform (Turner)"),
    ("nn_onehot", {}, "random ReLU net, one-hot input"),
    ("nn_coords", {"w_scale": 1.0}, "random ReLU net, positions"),
    ("smooth", {"fmax": 1}, "low-frequency Fourier"),
    ("sparse", {"k": 1}, "sparse, one rewarded state"),
    ("sparse", {"k": 3}, "sparse, three rewarded states"),
]
SPREADS = [0.1, 0.5, 1.0, 2.0, 4.0]
COLLAPSE = [
    ("iid_gauss", {}),
    ("nn_onehot", {}),
    ("nn_coords", {"w_scale": 1.0}),
    ("nn_coords", {"w_scale": 3.0}),
    ("nn_coords", {"w_scale": 1.0, "act": "tanh"}),
    ("smooth", {"fmax": 1}),
    ("smooth", {"fmax": 2}),
]
COLLAPSE_LABELS = [
    "i.i.d. Gaussian",
    "ReLU net, one-hot",
    "ReLU net, positions, w = 1",
    "ReLU net, positions, w = 3",
    "tanh net, positions, w = 1",
    "Fourier, max. frequency 1",
    "Fourier, max. frequency 2",
]
MARKERS = ["o", "s", "^", "v", "D", "P", "X"]


def main():
    rng = np.random.default_rng(2024)
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.9))
    ax = axes[0]
    env = E.turner_mdp(K, 1.0)
    table = {}
    for prior, kw, label in PRIORS:
        R = E.sample_rewards(prior, env["pos"], M, rng, **kw)
        cr = E.choice_rates(R, K, GAMMAS)
        table[label] = {"hub": np.round(cr["hub"], 3).tolist(), "tie": np.round(cr["tie"], 3).tolist()}
        print(f"{label:34s} P(avoid) {np.round(cr['hub'], 3).tolist()}  ties {np.round(cr['tie'], 3).tolist()}")
        ax.plot(GAMMAS, cr["hub"], "o-", ms=3, label=label)
    ax.axhline(K / (K + 1), color="k", lw=0.8, ls=":")
    ax.set_xlabel("discount rate γ")
    ax.set_ylabel("P(optimal policy avoids shutdown)")
    ax.set_title("(a)  K = 4 rooms, spread 1", loc="left", fontsize=9)
    ax.set_ylim(0.36, 0.82)
    ax.legend(fontsize=7, loc="lower right")
    ax = axes[1]
    xs = np.linspace(0.5, 0.8, 2)
    ax.plot(xs, xs, color="k", lw=0.8, ls=":")
    pts = []
    for ci, (prior, kw) in enumerate(COLLAPSE):
        px, py = [], []
        for sp in SPREADS:
            env = E.turner_mdp(K, sp)
            R = E.sample_rewards(prior, env["pos"], M, rng, **kw)
            oc = E.option_correlations(R, K)
            rc = min(oc["cross"], oc["within"])
            pred = E.gaussian_block_prob(K, min(oc["within"], 0.9999), rc)
            obs = float(E.choice_rates(R, K, [0.99])["hub"][0])
            px.append(pred)
            py.append(obs)
            pts.append(
                {
                    "prior": prior,
                    **kw,
                    "spread": sp,
                    "within": round(oc["within"], 3),
                    "cross": round(oc["cross"], 3),
                    "pred": round(pred, 3),
                    "obs": round(obs, 3),
                }
            )
        ax.plot(px, py, MARKERS[ci], ms=4, alpha=0.85, label=COLLAPSE_LABELS[ci])
    for p in pts:
        print(p)
    err = np.array([p["obs"] - p["pred"] for p in pts])
    print("block-model error: mean", round(float(err.mean()), 4), "max abs", round(float(np.abs(err).max()), 4))
    ax.set_xlabel("block-model prediction from the prior's correlations")
    ax.set_ylabel("observed P(avoid shutdown), γ = 0.99")
    ax.set_title("(b)  five room spreads per prior", loc="left", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    save(
        fig,
        "goal_priors_shutdown",
        params={"K": K, "m": M, "gammas": GAMMAS, "spreads": SPREADS, "table": table, "collapse": pts, "seed": 2024},
    )


if __name__ == "__main__":
    main()
