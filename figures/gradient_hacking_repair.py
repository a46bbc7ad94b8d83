"""Figure for the paper "gradient-hacking": protection time against repair gain."""

import numpy as np

from experiments import gradient_hacking as E
from figures.figlib import plt, save

BS = (1.0, 0.5, 0.25, 0.125)


def fig_repair():
    rs = E.repair_scaling(bs=BS, max_steps=5000)
    p = rs["params"]
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(7.6, 4.4))
    for j, b in enumerate(rs["b"]):
        if b in (1.0, 0.25, 0.125):
            (l,) = ax0.plot(rs["t_gd"], rs["frac_gd"][:, j], label=f"GD, $b$ = {b:g}")
            ax0.plot(rs["t_adam"], rs["frac_adam"][:, j], "--", color=l.get_color(), label=f"Adam, $b$ = {b:g}")
    f0 = p["alpha"] / (p["alpha"] + p["a"] ** 2)
    ax0.axhline(f0, color="grey", lw=0.8, ls=":", label="equilibrium without repair")
    ax0.set_xscale("log")
    ax0.set_xlabel("training step")
    ax0.set_ylabel("fraction of the way from $g_0$ to $g^*$")
    ax0.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=9)
    ax0.set_title("(a)", loc="left", fontsize=10)
    ax1.set_title("(b)", loc="left", fontsize=10)
    ax1.loglog(rs["b"], rs["steps_gd"], "o-", label=f"GD (lr 0.1), slope {E.fit_slope(rs['b'], rs['steps_gd']):.2f}")
    ax1.loglog(rs["b"], rs["pred_gd"], "k:", label="gradient-flow prediction (Prop. 4)")
    ax1.loglog(rs["b"], rs["steps_adam"], "s--", label=f"Adam (lr 0.01), slope {E.fit_slope(rs['b'], rs['steps_adam']):.2f}")
    ax1.set_xticks(list(BS))
    ax1.set_xticklabels([f"{b:g}" for b in BS])
    ax1.minorticks_off()
    ax1.set_xlabel("repair gain $b$")
    ax1.set_ylabel("steps until $g$ is halfway to $g^*$")
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=9)
    fig.subplots_adjust(bottom=0.38, wspace=0.35)
    print("b", rs["b"].tolist())
    print("steps_gd", rs["steps_gd"].tolist(), "pred", np.round(rs["pred_gd"], 1).tolist())
    print("steps_adam", rs["steps_adam"].tolist())
    print("slopes", E.fit_slope(rs["b"], rs["steps_gd"]), E.fit_slope(rs["b"], rs["steps_adam"]))
    save(fig, "gradient_hacking_repair", params=dict(p, bs=list(BS), lr_gd=0.1, lr_adam=0.01, max_steps=5000, kind="smooth"))


if __name__ == "__main__":
    fig_repair()
