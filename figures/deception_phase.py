"""Figure for the paper "deceptive-alignment": phase diagram of the training game."""

import numpy as np
from matplotlib import patheffects as pe
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from experiments import deception_toy as E
from figures.figlib import plt, save

W0 = 1.0
T_A, D_A = 50, 200
GAMMA_B, ETA_B = 0.97, 0.05
HORIZONS = np.geomspace(5, 1000, 50)  # effective horizon 1/(1-gamma)
ETAS = np.linspace(0.005, 0.2, 50)
TS = np.arange(5, 121, 5)
DS = np.linspace(0, 400, 41)


def main():
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    cmap = ListedColormap(["#BBBBBB", cycle[0], cycle[2], cycle[1]])
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], cmap.N)
    gammas = 1.0 - 1.0 / HORIZONS
    a = E.phase_grid(gammas, ETAS, T=T_A, D=D_A, w0=W0)
    b = E.horizon_grid(TS, DS, gamma=GAMMA_B, eta=ETA_B, w0=W0)
    fig, axes = plt.subplots(1, 2, figsize=(7.4, 3.7))
    ax = axes[0]
    ax.pcolormesh(HORIZONS, ETAS, a["phase"], cmap=cmap, norm=norm, shading="nearest", rasterized=True)
    cs = ax.contour(HORIZONS, ETAS, a["w_T"], levels=[0.25, 0.5, 0.75], colors="black", linewidths=0.7)
    ax.clabel(cs, fmt=lambda v: f"{v:g}", fontsize=8)
    # Proposition 1 boundary for deceptive compliance from the first step: w0 = eta gamma^T K_D
    K = E.deploy_value(gammas, D_A)
    ax.plot(HORIZONS, W0 / (gammas**T_A * K), color="white", linestyle="--", linewidth=1.5, label=r"Prop. 1: $w_0 = \eta\,\gamma^{T} K_D$")
    ax.set_xscale("log")
    ax.set_ylim(ETAS[0], ETAS[-1])
    ax.set_xlabel("effective horizon 1/(1 − γ) (steps)")
    ax.set_ylabel("update size η\n(goal strength lost per update)")
    ax.set_title("(a)  T = 50, D = 200", fontsize=10, loc="left")
    ax = axes[1]
    ax.pcolormesh(DS, TS, b["phase"], cmap=cmap, norm=norm, shading="nearest", rasterized=True)
    cs = ax.contour(DS, TS, b["w_T"], levels=[0.25, 0.5, 0.75], colors="black", linewidths=0.7)
    ax.clabel(cs, fmt=lambda v: f"{v:g}", fontsize=8)
    Tline = np.log(W0 / (ETA_B * E.deploy_value(GAMMA_B, DS[1:]))) / np.log(GAMMA_B)
    ax.plot(DS[1:], Tline, color="white", linestyle="--", linewidth=1.5, label=r"Prop. 1: $w_0 = \eta\,\gamma^{T} K_D$")
    ax.set_ylim(TS[0], TS[-1])
    ax.set_xlabel("deployment length D (steps)")
    ax.set_ylabel("training steps remaining T")
    ax.set_title(f"(b)  γ = {GAMMA_B}, η = {ETA_B}", fontsize=10, loc="left")
    handles = [Patch(color=cmap(i), label=E.PHASES[i]) for i in range(4)]
    handles += [
        Line2D([], [], color="black", linewidth=0.7, label="contours: $w_T$"),
        Line2D([], [], color="white", linestyle="--", linewidth=1.5, label=r"Prop. 1: $w_0 = \eta\,\gamma^{T} K_D$"),
    ]
    leg = fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=9, bbox_to_anchor=(0.5, -0.01))
    leg.legend_handles[-1].set_path_effects([pe.Stroke(linewidth=3.0, foreground="0.35"), pe.Normal()])
    fig.subplots_adjust(bottom=0.29, wspace=0.32)
    counts_a = np.bincount(a["phase"].ravel(), minlength=4)
    counts_b = np.bincount(b["phase"].ravel(), minlength=4)
    print("panel a phase counts", dict(zip(E.PHASES, counts_a.tolist())))
    print("panel b phase counts", dict(zip(E.PHASES, counts_b.tolist())))
    save(
        fig,
        "deception_phase",
        params={
            "w0": W0,
            "panel_a": {
                "T": T_A,
                "D": D_A,
                "horizons": [float(HORIZONS[0]), float(HORIZONS[-1]), len(HORIZONS)],
                "etas": [float(ETAS[0]), float(ETAS[-1]), len(ETAS)],
                "p": 1.0,
            },
            "panel_b": {"gamma": GAMMA_B, "eta": ETA_B, "Ts": TS.tolist(), "Ds": [0, 400, len(DS)], "p": 1.0},
            "phases": E.PHASES,
            "phase_counts_a": counts_a.tolist(),
            "phase_counts_b": counts_b.tolist(),
        },
    )


if __name__ == "__main__":
    main()
