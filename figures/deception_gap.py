"""Figure for the paper "deceptive-alignment": the compliance gap and the end of training."""

import numpy as np
from matplotlib.lines import Line2D

from experiments import deception_toy as E
from figures.figlib import plt, save

P_MS = np.linspace(0.0, 1.0, 41)
P_US = (0.0, 0.25)
BASE = dict(T=50, D=200, gamma=0.97, eta=0.05, mu=0.5, w0=1.0)
GAMMAS_C = (0.95, 0.97, 0.99)
ETA_C, D_C = 0.05, 200


def main():
    st = E.belief_sweep(P_MS, p_us=P_US, **BASE)
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 3.7))
    ax = axes[0]
    for j, pu in enumerate(P_US):
        ls = "-" if j == 0 else "--"
        ax.plot(P_MS, st["comply_train_m"][j], color="C0", linestyle=ls, label="monitored cue" if j == 0 else None)
        ax.plot(P_MS, st["comply_train_u"][j], color="C1", linestyle=ls, label="unmonitored cue" if j == 0 else None)
    ax.set_xlabel(r"belief $p_m$ (monitored cue)")
    ax.set_ylabel("training steps complied (fraction)")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("(a)", fontsize=10, loc="left")
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.24))
    ax = axes[1]
    for j, pu in enumerate(P_US):
        ls = "-" if j == 0 else "--"
        ax.plot(P_MS, st["gap_cue"][j], color="C2", linestyle=ls, label="compliance gap" if j == 0 else None)
        ax.plot(P_MS, st["w_T"][j], color="C4", linestyle=ls, label="goal kept, $w_T$" if j == 0 else None)
    ax.set_xlabel(r"belief $p_m$ (monitored cue)")
    ax.set_ylabel("gap (fraction) / goal strength")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("(b)", fontsize=10, loc="left")
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.24))
    ax = axes[2]
    rem = np.geomspace(1, 2000, 200)  # expected remaining training 1/h
    for g in GAMMAS_C:
        K = float(E.deploy_value(g, D_C))
        ax.plot(rem, E.hazard_threshold(ETA_C, g, 1.0 / rem, K), label=f"γ = {g:g}")
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("expected remaining\n" r"training $1/h$ (steps)")
    ax.set_ylabel("largest goal strength\n" r"that fakes, $\theta$")
    ax.set_title(f"(c)  η = {ETA_C}, D = {D_C}", fontsize=10, loc="left")
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.34))
    style = [
        Line2D([], [], color="black", linestyle="-", label=r"(a), (b): $p_u = 0$"),
        Line2D([], [], color="black", linestyle="--", label=r"(a), (b): $p_u = 0.25$"),
    ]
    fig.legend(handles=style, loc="lower center", ncol=2, fontsize=9, bbox_to_anchor=(0.5, 0.0))
    fig.subplots_adjust(wspace=0.62, bottom=0.42)
    i = int(np.argmax(st["gap_cue"][0]))
    print(
        "max gap p_u=0:",
        float(st["gap_cue"][0][i]),
        "at p_m",
        float(P_MS[i]),
        "comply m/u",
        float(st["comply_train_m"][0][i]),
        float(st["comply_train_u"][0][i]),
        "w_T",
        float(st["w_T"][0][i]),
    )
    i1 = int(np.argmax(st["gap_cue"][1]))
    print("max gap p_u=0.25:", float(st["gap_cue"][1][i1]), "at p_m", float(P_MS[i1]), "w_T", float(st["w_T"][1][i1]))
    for k in (0, 10, 20, 30, 40):
        print(
            f"p_m={P_MS[k]:.3f}",
            {
                f"pu={pu}": (
                    round(float(st["comply_train_m"][j][k]), 3),
                    round(float(st["comply_train_u"][j][k]), 3),
                    round(float(st["gap_cue"][j][k]), 3),
                    round(float(st["w_T"][j][k]), 3),
                )
                for j, pu in enumerate(P_US)
            },
        )
    for g in GAMMAS_C:
        K = float(E.deploy_value(g, D_C))
        print("gamma", g, "theta at 1/h=10,100,1000:", [round(float(E.hazard_threshold(ETA_C, g, 1 / r, K)), 3) for r in (10, 100, 1000)])
    save(
        fig,
        "deception_gap",
        params=dict(BASE, p_ms=[0.0, 1.0, len(P_MS)], p_us=list(P_US), panel_c=dict(gammas=list(GAMMAS_C), eta=ETA_C, D=D_C, p=1.0)),
    )


if __name__ == "__main__":
    main()
