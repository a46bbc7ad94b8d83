"""Figure for the paper "internals-dependent-rewards": training dynamics at a
penalty below the behavioural threshold (lambda = 0.4), Adam vs plain SGD."""

from experiments import internals_rewards as E
from figures.figlib import plt, save

LAM, N_SEEDS, SEED, EVERY = 0.4, 3, 0, 10
CONDS = ("score/frozen", "pathwise/frozen", "pathwise/refit")


def main():
    adam = E.probe_bandit(lams=(LAM,), conditions=CONDS, n_seeds=N_SEEDS, seed=SEED, record_every=EVERY)
    sgd = E.probe_bandit(
        lams=(LAM,), conditions=("pathwise/frozen",), n_seeds=N_SEEDS, seed=SEED, record_every=EVERY, opt="sgd", sgd_lr=2.0
    )
    t = adam["t"]
    fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.5), sharex=True)
    # The SGD run lies on top of score/frozen (both stay near 1), so it is drawn last,
    # thicker and with sparse markers, to stay visible.
    sgd_style = dict(ls=":", lw=2.6, marker="x", markevery=5, ms=6, zorder=5, color="0.15")
    runs = [(c, adam["res"][c][LAM], dict(ls="-")) for c in CONDS] + [
        ("pathwise/frozen, SGD", sgd["res"]["pathwise/frozen"][LAM], sgd_style)
    ]
    for label, r, st in runs:
        axes[0].plot(t, r["dec_B"].mean(1), label=label, **st)
        axes[1].plot(t, r["frozen_tpr"].mean(1), label=label, **st)
        axes[2].plot(t, r["cur_tpr"].mean(1), label=label, **st)
        print(
            f"{label:22s} final dec_B={r['dec_B'][-1].mean():.3f} frozen_tpr={r['frozen_tpr'][-1].mean():.3f} "
            f"cur_tpr={r['cur_tpr'][-1].mean():.3f} fresh_auc={r['fresh_auc'][-1].mean():.3f} "
            f"min fresh_auc over run={r['fresh_auc'].min():.3f} min frozen_auc={r['frozen_auc'].min():.3f} "
            f"frozen_tpr at t=50: {r['frozen_tpr'][5].mean():.3f}"
        )
    axes[0].set_ylabel("P(deceive | B context)")
    axes[1].set_ylabel("frozen probe: share flagged")
    axes[2].set_ylabel("probe in the reward: share flagged")
    for ax, tag in zip(axes, "abc"):
        ax.set_xlabel("training step with the penalty")
        ax.set_ylim(-0.05, 1.05)
        ax.text(0.02, 0.04, f"({tag})", transform=ax.transAxes)
    axes[0].legend(loc="center", fontsize=8.5)
    save(fig, "internals_rewards_dynamics", params=dict(adam["params"], sgd_run=sgd["params"]))


if __name__ == "__main__":
    main()
