"""Figure for the paper "internals-dependent-rewards": final behaviour and probe
detection against the penalty weight, for the four gradient/probe regimes."""

import numpy as np

from experiments import internals_rewards as E
from figures.figlib import plt, save

LAMS = (0.0, 0.25, 0.4, 0.5, 0.6, 0.8, 1.0)
N_SEEDS, SEED = 3, 0
STYLES = {"score/frozen": "o-", "pathwise/frozen": "s-", "score/refit": "^--", "pathwise/refit": "d--"}


def main():
    out = E.probe_bandit(lams=LAMS, n_seeds=N_SEEDS, seed=SEED, record_every=E.BANDIT["steps"])
    res = out["res"]
    print("pre-penalty:", {k: np.round(v, 3).tolist() for k, v in out["pre"].items()})
    fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.5), sharex=True)
    for cond, ls in STYLES.items():
        dec = [res[cond][lam]["dec_B"][-1].mean() for lam in LAMS]
        tpr = [res[cond][lam]["frozen_tpr"][-1].mean() for lam in LAMS]
        cur = [res[cond][lam]["cur_tpr"][-1].mean() for lam in LAMS]
        axes[0].plot(LAMS, dec, ls, label=cond)
        axes[1].plot(LAMS, tpr, ls, label=cond)
        axes[2].plot(LAMS, cur, ls, label=cond)
        for lam in LAMS:
            r = res[cond][lam]
            print(
                f"{cond:16s} lam={lam:4.2f} "
                + " ".join(
                    f"{k}={r[k][-1].mean():.3f}[{r[k][-1].min():.2f},{r[k][-1].max():.2f}]"
                    for k in ("dec_B", "dec_A", "frozen_tpr", "frozen_fpr", "frozen_auc", "fresh_auc", "cur_tpr")
                )
            )
    axes[0].set_ylabel("P(deceive | B context)")
    axes[1].set_ylabel("frozen probe: share flagged")
    axes[2].set_ylabel("probe in the reward: share flagged")
    for ax, tag in zip(axes, "abc"):
        ax.set_xlabel("penalty weight $\\lambda$")
        ax.set_ylim(-0.05, 1.05)
        ax.axvline(0.5 / 0.97, color="0.6", lw=0.8, ls=":")  # lambda* = Delta_R / (p1 - p0) in B contexts
        ax.text(0.02, 0.04, f"({tag})", transform=ax.transAxes)
    axes[0].legend(loc="center left", fontsize=8.5)
    save(fig, "internals_rewards_sweep", params=out["params"])


if __name__ == "__main__":
    main()
