"""Figures for the paper "gradient-hacking": sabotage and the loss landscape."""

import numpy as np

from experiments import gradient_hacking as E
from figures.figlib import plt, save

B_LANDSCAPE = 0.3


def fig_landscape():
    p = E.SABOTAGE
    g = np.linspace(-0.3, 1.3, 400)
    no_rep, rep = E.profile_losses(g)
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(7.6, 4.6))
    ax0.plot(g, no_rep["none"], label="no sabotage")
    ax0.plot(g, no_rep["smooth"], label="smooth sabotage, no repair ($b$ = 0)")
    ax0.plot(g, no_rep["threshold"], label="threshold sabotage, no repair ($b$ = 0)")
    ax0.plot(g, rep, "k:", label="either sabotage, repair optimised out ($b$ > 0)")
    ax0.axvline(p["g0"], color="grey", lw=0.8)
    ax0.axvline(p["g_star"], color="grey", lw=0.8, ls="--")
    ax0.set_xlabel("goal parameter $g$\n" r"($g_0 = 0$ held, $g^* = 1$ rewarded)")
    ax0.set_ylabel("phase-2 training loss")
    ax0.set_ylim(0, 2.0)
    ax0.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), fontsize=9)
    ax0.set_title("(a)", loc="left", fontsize=10)
    ax1.set_title("(b)  threshold sabotage, $b$ = 0.3", loc="left", fontsize=10)

    G, P, Z = E.loss_surface("threshold", B_LANDSCAPE)
    cs = ax1.contour(G, P, np.log10(Z + 1e-3), levels=14, linewidths=0.7, cmap="viridis")
    ax1.clabel(cs, cs.levels[::3], fmt=lambda v: f"{10**v:.2g}", fontsize=8)
    tr = E.sabotage_trajectories("threshold", B_LANDSCAPE)
    ax1.plot(tr["gd"][:, 0], tr["gd"][:, 1], label="gradient descent (lr 0.1)")
    ax1.plot(tr["adam"][:, 0], tr["adam"][:, 1], "--", label="Adam (lr 0.01)")
    for arr, c in ((tr["gd"], "C0"), (tr["adam"], "C1")):
        idx = [10, 25, 50, 100]  # recorded every 20 steps: steps 200, 500, 1000, 2000
        ax1.plot(arr[idx, 0], arr[idx, 1], "o", color=c, ms=4)
    ax1.plot([p["g0"]], [0], "ks", ms=6, label=r"start ($g_0$, $\psi = 0$)")
    ax1.plot([p["g_star"]], [-p["a"] * 0.5 / B_LANDSCAPE], "k*", ms=10, label="global minimum")
    ax1.set_xlabel("goal parameter $g$")
    ax1.set_ylabel(r"repair weight $\psi$")
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), fontsize=9, ncol=2)
    fig.subplots_adjust(bottom=0.38, wspace=0.3)
    print("final GD", tr["gd"][-1], "final Adam", tr["adam"][-1])
    for name in ("gd", "adam"):
        arr = tr[name]
        print(name, "g at steps 200/500/1000/2000:", [round(float(arr[k, 0]), 3) for k in (10, 25, 50, 100)])
    save(fig, "gradient_hacking_landscape", params=dict(p, b=B_LANDSCAPE, lr_gd=0.1, lr_adam=0.01, steps=2500))


if __name__ == "__main__":
    fig_landscape()
