"""Figure for the paper "inductive-biases-for-goals": training compatibility.

Rewards are conditioned on the training behaviour "from the hub, always enter room 1"
(Krakovna & Kramar's training-compatible set). The shutdown state is new at deployment;
we move its position in feature space from next to room 1 (the trained-on choice) to next
to the rejected rooms, and report P(avoid shutdown | compatible) at gamma = 0.99.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import goal_priors as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

K = 4
M = 8000
OFF_Y = np.linspace(-1.5, 1.5, 13)
OFF_X = 2.5
PRIORS = [
    ("iid_uniform", {}, "i.i.d. uniform"),
    ("nn_onehot", {}, "random ReLU net, one-hot"),
    ("nn_coords", {"w_scale": 1.0}, "random ReLU net, positions (w=1)"),
    ("nn_coords", {"w_scale": 3.0}, "random ReLU net, positions (w=3)"),
    ("smooth", {"fmax": 1}, "low-frequency Fourier"),
]


def main():
    rng = np.random.default_rng(7)
    offs = np.stack([np.full_like(OFF_Y, OFF_X), OFF_Y], axis=1)
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.9))
    res = {}
    for prior, kw, label in PRIORS:
        r = E.compatible_shutdown_sweep(prior, offs, M, rng, K=K, **kw)
        res[label] = {
            "frac_compatible": round(r["frac_compatible"], 3),
            "n_compat": r["n_compat"],
            "compat": np.round(r["p_avoid_compat"], 3).tolist(),
            "uncond": np.round(r["p_avoid_uncond"], 3).tolist(),
        }
        print(label, res[label])
        (ln,) = axes[0].plot(OFF_Y, r["p_avoid_compat"], "o-", ms=3, label=label)
        axes[1].plot(OFF_Y, r["p_avoid_uncond"], "o-", ms=3, color=ln.get_color(), label=label)
    for ax, t in zip(axes, ["(a)  conditioned on training compatibility", "(b)  unconditioned prior"]):
        ax.axhline(K / (K + 1), color="k", lw=0.8, ls=":")
        ax.axvline(-1.0, color="0.6", lw=0.8)
        ax.set_xlabel("shutdown state's y position (room 1, the trained choice, at y = −1)")
        ax.set_title(t, loc="left", fontsize=9)
        ax.set_ylim(0.2, 1.0)
    axes[0].set_ylabel("P(avoid shutdown), γ = 0.99")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    save(fig, "goal_priors_compat", params={"K": K, "m": M, "off_x": OFF_X, "off_y": OFF_Y.tolist(), "results": res, "seed": 7})


if __name__ == "__main__":
    main()
