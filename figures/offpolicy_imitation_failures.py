"""Figure for the paper "offpolicy-rl-vs-imitation" (request R14): stitching and the gambling dataset."""

import numpy as np

from experiments import offpolicy_imitation as E
from figures.figlib import plt, save


def main():
    st = E.stitching()
    gm = E.gambling()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.5, 4.0), gridspec_kw={"width_ratios": [1, 1.15]})
    y = np.arange(len(st["names"]))
    colors = ["C2", "C4", "C5", "C6", "C1", "C0", "C3"]
    ax1.barh(y, st["mean"], xerr=st["sd"], color=colors, alpha=0.85)
    ax1.axvline(st["optimal"], color="k", ls="--", lw=1, label="optimal (stitched path)")
    ax1.axvline(st["params"]["r_local"], color="0.5", ls=":", lw=1, label="best path seen from S0")
    ax1.set_yticks(y)
    ax1.set_yticklabels(st["names"], fontsize=8)
    ax1.invert_yaxis()
    ax1.set_xlabel("expected return from S0 (reward units)")
    ax1.set_title("(a) stitching dataset", fontsize=10)
    ax1.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.45, -0.16), ncol=2)
    p = gm["p_wins"]
    style = {
        "BC": ("C2", ":"),
        "filtered BC (top 10%)": ("C4", "-."),
        "RCSL (g = max return)": ("C5", "-"),
        "RCSL (g = 1)": ("C5", ":"),
        "AWR, Monte Carlo": ("C6", "--"),
        "one-step KL (AWR + critic)": ("C1", "-"),
        "Q-learning": ("C3", "--"),
    }
    for k in gm["names"]:
        c, ls = style[k]
        ax2.plot(p, gm["mean"][k], color=c, ls=ls, marker="o", ms=3, lw=1.5, label=k)
    ax2.plot(p, gm["optimal"], color="k", lw=3, alpha=0.25, label="optimal = max(1, 10p)")
    ax2.set_xlabel("win probability p of the gamble (pays 10; the safe arm pays 1)")
    ax2.set_ylabel("expected return (reward units)")
    ax2.set_title("(b) gambling dataset", fontsize=10)
    ax2.legend(fontsize=7.5, ncol=2, loc="upper left")
    save(fig, "offpolicy_imitation_failures", params={"stitching": st["params"], "gambling": gm["params"]})


if __name__ == "__main__":
    main()
