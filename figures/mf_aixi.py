"""Figures for the post "model-free-aixi" (request R22)."""

import numpy as np

from experiments import mf_aixi as E
from figures.figlib import plt, save

QS = np.round(np.linspace(0.025, 0.975, 39), 4)
TARGETS = [0.6, 1.0]
NS_SWEEP = [0, 1, 2, 4, 8, 16, 32, 64]


def fig_ideal():
    sw = E.gamble_sweep(QS, TARGETS, ns=(1, np.inf))
    sh = E.sharpness_sweep(NS_SWEEP)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.8))
    q = sw["q"]
    ax.plot(q, sw["bayes"], color="k", lw=2.5, label="Bayes-optimal (model-based)")
    ax.plot(q, sw["mf"][1, 1], label="MF, target c = 1 (any n)")
    ax.plot(q, sw["mf"][1, 0], linestyle="--", label="MF, target c = 0.6, n → ∞")
    ax.plot(q, sw["mf"][0, 0], linestyle=":", label="MF, target c = 0.6, n = 1")
    ax.axvline(sw["safe"], color="grey", lw=0.8)
    ax.set_xlabel("win probability q of the gamble (safe arm pays 0.6)")
    ax.set_ylabel("expected return per episode")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("(a)", fontsize=10, loc="left")
    n_plot = np.array(NS_SWEEP, dtype=float)
    x = np.where(n_plot == 0, 0.5, n_plot)
    for key, label in [("cue", "cue task (copy the observation)"), ("parity", "parity task (3 steps, needs memory)")]:
        bx.plot(x, sh[key]["value"], marker="o", label=label)
    bx.set_xscale("log", base=2)
    bx.set_xticks(x, ["0"] + [f"{int(n)}" for n in n_plot[1:]])
    bx.minorticks_off()
    bx.set_xlabel("number n of conditioned successes (target c = 1)")
    bx.set_ylabel(r"expected return of $\rho_c^n$")
    bx.set_ylim(0.45, 1.02)
    bx.legend(loc="lower right", fontsize=8)
    bx.set_title("(b)", fontsize=10, loc="left")
    fig.tight_layout()
    print("gamble bayes at q=0.3,0.5,0.75:", [float(np.interp(v, q, sw["bayes"])) for v in (0.3, 0.5, 0.75)])
    for name, row in [("c=1", sw["mf"][1, 1]), ("c=0.6 n=inf", sw["mf"][1, 0]), ("c=0.6 n=1", sw["mf"][0, 0])]:
        print(name, [round(float(np.interp(v, q, row)), 4) for v in (0.3, 0.5, 0.75)])
    for key in ("cue", "parity"):
        print(
            key,
            "values",
            np.round(sh[key]["value"], 3).tolist(),
            "mass_opt",
            np.round(sh[key]["mass_opt"], 4).tolist(),
            "prior mass opt",
            round(sh[key]["prior_mass_opt"], 4),
            "best non-optimal P(success)",
            sh[key]["p_success_rest_max"],
        )
    save(fig, "mf_aixi_ideal", params={"q_grid": [0.025, 0.975, 39], "targets": TARGETS, "ns": NS_SWEEP, "max_states": 3, "safe": 0.6})


def fig_learning():
    res = E.learning_curves(**E.DEFAULTS)
    fig, axes = plt.subplots(2, 2, figsize=(9.5, 6.4), sharey=True)
    axes = axes.ravel()
    titles = {
        "cue": "(a) cue",
        "gamble q=0.35": "(b) gamble, q = 0.35",
        "gamble q=0.75": "(c) gamble, q = 0.75",
        "parity": "(d) parity (H = 3)",
    }
    styles = {
        "MF, n = 1": dict(),
        "MF, n = 16": dict(),
        "Bayes, truth in class": dict(color="k", lw=2),
        "Bayes, parity not in class": dict(color="k", lw=2, linestyle="--"),
    }
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles["MF, n = 1"]["color"] = colors[0]
    styles["MF, n = 16"]["color"] = colors[1]
    k = 10  # moving-average window for display only
    for ax, key in zip(axes, res["order"]):
        s = res["settings"][key]
        for label, curve in s["curves"].items():
            sm = np.convolve(curve, np.ones(k) / k, mode="valid")
            ax.plot(np.arange(k, len(curve) + 1), sm, label=label, **styles[label])
            print(key, label, "first10", round(float(curve[:10].mean()), 3), "last50", round(float(curve[-50:].mean()), 3))
        ax.axhline(s["optimum"], color="0.45", lw=1.4, linestyle=":", zorder=5, label="best achievable")
        ax.set_title(titles[key], fontsize=10, loc="left")
        ax.set_xlabel("episode")
    axes[0].set_ylabel("expected return of the policy played")
    axes[2].set_ylabel("expected return of the policy played")
    axes[0].set_ylim(0.3, 1.03)
    handles, labels = axes[3].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=9, bbox_to_anchor=(0.5, -0.01))
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    save(fig, "mf_aixi_learning", params=dict(res["params"]))


if __name__ == "__main__":
    fig_ideal()
    fig_learning()
