"""Figure for the paper "offpolicy-rl-vs-imitation" (request R14): divergence from the data vs return."""

from experiments import offpolicy_imitation as E
from figures.figlib import plt, save


def main():
    res = E.beta_sweep()
    ns = res["params"]["n_episodes"]
    summ = {n: E.summarise_sweep(res, n) for n in ns}
    params = res["params"]

    fig, axes = plt.subplots(1, len(ns), figsize=(10.0, 3.8), sharey=True)
    for ax, n in zip(axes, ns):
        s = summ[n]
        ax.plot(s["soft_kl"], s["soft_ret"], color="C0", marker="o", ms=3, lw=1.6, label="KL-regularised RL, true return")
        ax.plot(
            s["soft_kl"], s["soft_model_ret"], color="C0", ls="--", lw=1.2, label="KL-regularised RL, return it predicts (empirical model)"
        )
        ax.plot(s["onestep_kl"], s["onestep_ret"], color="C1", marker="s", ms=3, lw=1.4, label="one-step KL improvement")
        ax.scatter([0.0], [s["bc_ret"]], color="C2", marker="D", zorder=5, label="behaviour cloning")
        ax.scatter(s["filtered_kl"], s["filtered_ret"], color="C4", marker="^", zorder=5, label="filtered BC (top 50/20/10%)")
        ax.scatter(s["rcsl_kl"], s["rcsl_ret"], color="C5", marker="v", zorder=5, label="RCSL (g = max, 90th pct.)")
        ax.scatter(
            [s["q_support_kl"]], [s["q_support_ret"]], color="k", marker="*", s=70, zorder=5, label="Q-learning restricted to data support"
        )
        ax.scatter([s["q_pess_kl"]], [s["q_pess_ret"]], color="C3", marker="x", s=50, zorder=5, label="pessimistic Q-learning")
        ax.annotate(
            f"naive Q-learning: KL = inf, return {s['q_naive_ret']:.1f}",
            xy=(0.98, 0.03),
            xycoords="axes fraction",
            ha="right",
            fontsize=8,
            color="C7",
        )
        ax.axhline(res["optimal"], color="k", ls=":", lw=0.8)
        ax.set_xlabel(r"trajectory $\mathrm{KL}(\pi\,\|\,\hat\pi_\beta)$ under $\pi$ (nats)")
        ax.set_title(f"{n} behaviour episodes", fontsize=10)
    axes[0].set_ylabel("expected return (reward units)")
    h, lab = axes[0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=3, fontsize=8, bbox_to_anchor=(0.5, -0.2))
    save(fig, "offpolicy_imitation_kl", params=params)
    return res, summ


if __name__ == "__main__":
    main()
