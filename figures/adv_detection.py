"""Figure for the post "adversarial-detection-vs-generation": attacker compute vs
defender compute, with static and adaptive attackers, and verify-vs-search."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


from experiments import adv_detection as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

SEED = 0
EPS = 0.5
STEPS = 60
EPS_GRID = (0.2, 0.35, 0.5, 0.8, 1.2)
M_GRID = (2, 4, 6, 8, 10, 12)
TRIALS = 12

LABELS = {
    "none/static": "no detector, standard PGD",
    "learned/static": "learned detector, static PGD",
    "learned/adaptive": "learned detector, adaptive attack",
    "manifold/static": "manifold check, static PGD",
    "manifold/adaptive": "manifold check, adaptive attack",
}
STYLE = {
    "none/static": dict(color="C7", ls="-"),
    "learned/static": dict(color="C0", ls="--"),
    "learned/adaptive": dict(color="C0", ls="-"),
    "manifold/static": dict(color="C1", ls="--"),
    "manifold/adaptive": dict(color="C1", ls="-"),
}


def main():
    w = E.build_world(SEED)
    curves = E.success_curves_world(w, eps=EPS, steps=STEPS)
    sweep = E.eps_sweep(seeds=(SEED,), eps_grid=EPS_GRID, steps=STEPS, worlds={SEED: w})
    vs = E.verify_vs_search(m_grid=M_GRID, trials=TRIALS, seed=SEED)

    fig, axes = plt.subplots(1, 3, figsize=(13.0, 4.0))
    ax = axes[0]
    for key, c in curves["curves"].items():
        ax.plot(c["compute"], c["success"], label=LABELS[key], **STYLE[key])
    ax.axvline(1.0, color="k", lw=0.8, ls=":")
    ax.text(1.1, 0.3, "defender: 1 detector\nforward pass per input", fontsize=8, va="center")
    ax.set_xscale("log")
    ax.set_xlim(0.8, STEPS * 8 * 1.1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("attacker compute per input (network passes)")
    ax.set_ylabel("fraction of inputs attacked undetected")
    ax.set_title(f"(a) ε = {EPS}", fontsize=10, loc="left")
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(0.0, 0.93))

    ax = axes[1]
    for key, arr in sweep["success"].items():
        ax.plot(sweep["eps"], arr[0], marker="o", ms=3.5, label=LABELS[key], **STYLE[key])
    ax.set_xlabel("perturbation budget ε (ℓ∞)")
    ax.set_ylabel(f"fraction attacked undetected ({STEPS} steps)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("(b)", fontsize=10, loc="left")

    ax = axes[2]
    m = vs["m"]
    ax.errorbar(
        m,
        vs["search_mean"],
        yerr=vs["search_sem"],
        marker="o",
        ms=4,
        capsize=3,
        color="C2",
        label=f"red team: random search (mean ± s.e., {TRIALS} trials)",
    )
    ax.plot(m, 2.0**m, color="C2", ls=":", label="expected search cost $2^m$")
    ax.plot(m, vs["verify_cost"], color="C3", ls="-", label="model: verify the input (1 hash)")
    ax.plot(m, vs["latent_cost"] * 1.25, color="C4", ls="--", label="red team with latent access (1 pass)")
    ax.set_yscale("log")
    ax.set_xlabel("hardness of the model's check m (bits)")
    ax.set_ylabel("evaluations to pass the check")
    ax.set_title("(c)", fontsize=10, loc="left")
    ax.legend(fontsize=7.5, loc="upper left")
    fig.tight_layout()
    save(
        fig,
        "adv_detection",
        params={
            "seed": SEED,
            "eps": EPS,
            "steps": STEPS,
            "eps_grid": list(EPS_GRID),
            "world": {k: v for k, v in w["cfg"].items()},
            "fpr": 0.05,
            "alpha": "eps/8",
            "kappa": 0.5,
            "m_grid": list(M_GRID),
            "trials": TRIALS,
            "clean_acc": w["clean_acc"],
        },
    )
    return curves, sweep, vs


if __name__ == "__main__":
    main()
