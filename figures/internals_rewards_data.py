"""Figure for the paper "internals-dependent-rewards": a learner that picks its own
training data when the reward reads its next weights."""

import numpy as np

from experiments import internals_rewards as E
from figures.figlib import plt, save

LAM, N_SEEDS, SEED = 2.0, 5, 0
LABELS = {"cartesian": "Cartesian (ignores the probe term)", "lookahead": "one-step lookahead through U", "honest": "always honesty data"}


def main():
    out = E.data_choice_sweep(lam=LAM, n_seeds=N_SEEDS, seed=SEED)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.5), sharex=True)
    for rule, runs in out["runs"].items():
        cap = np.mean([r["cap"] for r in runs], axis=0)
        pr = np.mean([r["probe"] for r in runs], axis=0)
        axes[0].plot(np.arange(len(cap)), cap, label=LABELS[rule])
        axes[1].plot(np.arange(len(pr)), pr, label=LABELS[rule])
        a = np.mean([r["alpha"][-1] for r in runs], axis=0)
        print(
            f"{rule:10s} final capability {cap[-1]:.3f} probe {pr[-1]:.3f} "
            f"total reward {np.mean([r['reward'].sum() for r in runs]):.2f} final mixture {np.round(a, 2).tolist()}"
        )
    for lam in (0.5, 1.0, 4.0):
        o = E.data_choice_sweep(rules=("lookahead",), lam=lam, n_seeds=N_SEEDS, seed=SEED)["runs"]["lookahead"]
        print(
            f"lookahead lam={lam}: capability {np.mean([r['cap'][-1] for r in o]):.3f} "
            f"probe {np.mean([r['probe'][-1] for r in o]):.3f} weight on camouflage data "
            f"{np.mean([r['alpha'][-1][2] for r in o]):.2f}"
        )
    axes[0].set_ylabel("capability $u^\\top\\theta$")
    axes[1].set_ylabel("frozen weight-probe reading")
    for ax, tag in zip(axes, "ab"):
        ax.set_xlabel("training round")
        ax.text(0.02, 0.92, f"({tag})", transform=ax.transAxes)
    axes[0].legend(loc="center right", fontsize=8)
    save(fig, "internals_rewards_data", params=out["params"])


if __name__ == "__main__":
    main()
