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

    fig, grid = plt.subplots(2, 2, figsize=(10.0, 7.6))
    axes = [grid[0, 0], grid[0, 1], grid[1, 0]]
    lax = grid[1, 1]
    lax.axis("off")

    ax = axes[0]
    for key, c in curves["curves"].items():
        ax.plot(c["compute"], c["success"], label=LABELS[key], **STYLE[key])
    ax.axvline(1.0, color="k", lw=0.8, ls=":")
    ax.text(1.1, 0.45, "defender: 1 detector\nforward pass per input", fontsize=9, va="center")
    ax.set_xscale("log")
    ax.set_xlim(0.8, STEPS * 8 * 1.1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("attacker compute per input (network passes)")
    ax.set_ylabel("fraction of inputs attacked undetected")
    ax.set_title(f"(a) ε = {EPS}", fontsize=11, loc="left")

    ax = axes[1]
    for key, arr in sweep["success"].items():
        ax.plot(sweep["eps"], arr[0], marker="o", ms=4, label=LABELS[key], **STYLE[key])
    ax.set_xlabel("perturbation budget ε (ℓ∞)")
    ax.set_ylabel(f"fraction attacked undetected ({STEPS} steps)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("(b)", fontsize=11, loc="left")

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
        label=f"red team: random search\n(mean ± s.e., {TRIALS} trials)",
    )
    ax.plot(m, 2.0**m, color="C2", ls=":", label="expected search cost $2^m$")
    ax.plot(m, vs["verify_cost"], color="C3", ls="-", label="model: verify the input (1 hash)")
    ax.plot(m, vs["latent_cost"] * 1.25, color="C4", ls="--", label="red team with latent access\n(1 pass, drawn offset)")
    ax.set_yscale("log")
    ax.set_xlabel("hardness of the model's check m (bits)")
    ax.set_ylabel("evaluations to pass the check")
    ax.set_title("(c)", fontsize=11, loc="left")

    h_ab, l_ab = axes[0].get_legend_handles_labels()
    h_c, l_c = axes[2].get_legend_handles_labels()
    leg = lax.legend(
        h_ab, l_ab, loc="upper left", bbox_to_anchor=(0.0, 1.0), fontsize=10, title="(a), (b)", title_fontsize=10, alignment="left"
    )
    lax.add_artist(leg)
    lax.legend(h_c, l_c, loc="upper left", bbox_to_anchor=(0.0, 0.52), fontsize=10, title="(c)", title_fontsize=10, alignment="left")
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
