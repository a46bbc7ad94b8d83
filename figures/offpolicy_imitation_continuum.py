"""Figure for the paper "offpolicy-rl-vs-imitation" (request R14): return along the beta continuum."""

import numpy as np

from experiments import offpolicy_imitation as E
from figures.figlib import plt, save


def main():
    res = E.beta_sweep()
    betas = np.asarray(res["params"]["betas"])
    ns = res["params"]["n_episodes"]
    summ = {n: E.summarise_sweep(res, n) for n in ns}
    params = res["params"]

    # Figure 1: return along the beta continuum
    fig, axes = plt.subplots(1, len(ns), figsize=(10.0, 3.8), sharey=True)
    for ax, n in zip(axes, ns):
        s = summ[n]
        for key, lab, c in (("soft", "KL-regularised RL (soft DP)", "C0"), ("onestep", "one-step KL improvement (AWR + critic)", "C1")):
            allr = s[key + "_ret_all"]
            ax.plot(betas, allr.mean(0), color=c, lw=1.8, marker="o", ms=3, label=lab)
            ax.fill_between(betas, allr.min(0), allr.max(0), color=c, alpha=0.15, lw=0)
        ax.axhline(res["optimal"], color="k", ls="--", lw=1, label="optimal policy")
        ax.axhline(s["bc_ret"], color="C2", ls=":", lw=1.4, label="behaviour cloning")
        ax.axhline(s["filtered_ret"][-1], color="C4", ls="-.", lw=1.2, label="filtered BC (top 10%)")
        ax.axhline(s["rcsl_ret"][0], color="C5", ls=(0, (5, 2)), lw=1.2, label="RCSL (g = max data return)")
        ax.axhline(s["q_pess_ret"], color="C3", ls="-", lw=0.9, label="pessimistic Q-learning")
        ax.axhline(s["q_naive_ret"], color="C7", ls="-", lw=2.0, label="naive Q-learning (extrapolates)")
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel(r"temperature $\beta$ (reward units)")
        ax.set_title(f"{n} behaviour episodes", fontsize=10)
    axes[0].set_ylabel("true expected return (reward units)")
    h, lab = axes[0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=4, fontsize=8, bbox_to_anchor=(0.5, -0.14))
    save(fig, "offpolicy_imitation_beta", params=params)

    return res, summ


if __name__ == "__main__":
    main()
