"""Figure for the paper "concept-localization": a trained network's neurons vs a dictionary."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import concept_localization as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

P_GRID = (0.3, 0.1, 0.03)
SEEDS = (0, 1)
KW = dict(n_feat=20, n_hidden=5, n_latent=40, steps=800, sae_steps=800, l1=0.03, n_stim=6, n_nat=3000)


def main():
    r = E.network_vs_dictionary(p_grid=P_GRID, seeds=SEEDS, **KW)
    x = np.arange(len(P_GRID))
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 3.4), sharey=True)
    panels = [
        ("nrn_share1", "sae_share1", "(a) decodable variance\nin the best unit (share)"),
        ("nrn_frac_single_all", "sae_frac_single_all", "(b) single-concept units,\nall 20 probed"),
        ("nrn_frac_single_screen", "sae_frac_single_screen", "(c) single-concept units,\n6 random concepts probed"),
    ]
    summary = {}
    for ax, (kn, ks, ylabel), tag in zip(axes, panels, "abc"):
        for off, key, lab, mk in ((-0.12, kn, "hidden neurons (5 ReLU units)", "o"), (0.12, ks, "SAE latents (40, L1)", "s")):
            vals = r[key]
            ax.plot(np.repeat(x + off, vals.shape[1]), vals.ravel(), mk, ms=5, alpha=0.8, label=lab)
            ax.plot(x + off, np.nanmean(vals, 1), "_", ms=14, color="black")
            summary[key] = np.round(vals, 3).tolist()
        ax.set_xticks(x)
        ax.set_xticklabels([f"{p:g}" for p in P_GRID])
        ax.set_title(ylabel, loc="left", fontsize=10)
        ax.set_ylim(-0.03, 1.05)
        ax.set_xlim(-0.45, len(P_GRID) - 0.55)
    axes[0].set_ylabel("share / fraction of live units")
    fig.supxlabel("probability $p$ that a concept is present in an input", fontsize=10, y=0.13)
    h, l = axes[0].get_legend_handles_labels()
    fig.legend(h, l, loc="lower center", ncol=2, fontsize=9, bbox_to_anchor=(0.5, -0.03))
    fig.subplots_adjust(left=0.09, right=0.99, top=0.86, bottom=0.27, wspace=0.12)
    for k in ("n_represented", "loss", "nrn_share3", "sae_share3", "nrn_tr", "sae_tr", "sae_n_live"):
        summary[k] = np.round(r[k], 3).tolist()
    for k, v in summary.items():
        print(k, v)
    save(fig, "concept_localization_network", params={"p_grid": P_GRID, "seeds": SEEDS, **KW, "results": summary})


if __name__ == "__main__":
    main()
