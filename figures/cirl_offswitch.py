"""Figures for the post "cirl-uncertainty": the off-switch game with a misspecified human model."""

import sys

import numpy as np

from experiments import cirl_offswitch as E
from figures.figlib import plt, save


def _beta_label(b):
    return "∞" if np.isinf(b) else f"{b:g}"


def fig_regret():
    models = [(8.0, "robot assumes β = 8 (trusting)"), (1.0, "robot assumes β = 1 (sceptical)")]
    grids = [E.regret_grid(beta_model=bm, b_model=0.0, sigma=1.0) for bm, _ in models]
    vmax = max(float(g["regret"].max()) for g in grids)
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.8), sharey=True)
    for ax, g, (bm, title) in zip(axes, grids, models):
        im = ax.imshow(g["regret"], origin="lower", aspect="auto", vmin=0.0, vmax=vmax, cmap="viridis")
        ax.set_xticks(range(len(g["b_true"])), [f"{b:g}" for b in g["b_true"]])
        ax.set_yticks(range(len(g["beta_true"])), [_beta_label(b) for b in g["beta_true"]])
        ax.set_xlabel("true human bias b (utility units)")
        ax.set_title(title, fontsize=10)
        ax.grid(False)
        for i in range(g["regret"].shape[0]):
            for j in range(g["regret"].shape[1]):
                v = g["regret"][i, j]
                ax.text(j, i, f"{v:.3f}", ha="center", va="center", fontsize=7, color="white" if v < 0.6 * vmax else "black")
    axes[0].set_ylabel("true human rationality β")
    cb = fig.colorbar(im, ax=axes, fraction=0.03, pad=0.02)
    cb.set_label("mean regret per decision (utility units)")
    save(
        fig,
        "cirl_offswitch_regret",
        params={
            "models": [{"beta_model": bm, "b_model": 0.0} for bm, _ in models],
            "sigma": 1.0,
            "mu_grid": "201 values in [-1, 1]",
            "beta_true": [str(b) for b in grids[0]["beta_true"]],
            "b_true": grids[0]["b_true"].tolist(),
        },
    )
    return grids


def fig_incentive():
    c = E.incentive_curves(mu=0.3)
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.4))
    ax = axes[0]
    for beta in c["betas"]:
        if np.isinf(beta):  # black dashed: tells apart from the near-identical β = 16 curve
            ax.plot(c["sigmas"], c["incentive_vs_sigma"][beta], color="black", ls="--", lw=1.4, label="rational human (β = ∞)")
        else:
            ax.plot(c["sigmas"], c["incentive_vs_sigma"][beta], label=f"Boltzmann human, β = {beta:g}")
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("robot's posterior s.d. σ of U (utility units, log scale)")
    ax.set_ylabel("incentive to defer Δ (utility units)")
    ax.set_title("(a) deference vanishes as the posterior sharpens", fontsize=10)
    ax.legend(loc="upper left")
    ax = axes[1]
    for s in c["sigma_for_sb"]:
        ax.plot(c["s_bs"], c["incentive_vs_sb"][s], label=f"σ = {s:g}")
    ax.plot(c["s_bs"], np.full_like(c["s_bs"], -abs(c["mu"]) / 2), ls=":", color="0.3", label="limit −|μ|/2")
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xlabel("robot's s.d. over the human's bias, $s_b$ (utility units)")
    ax.set_ylabel("incentive to defer Δ (utility units)")
    ax.set_title("(b) uncertainty about the human model erodes deference", fontsize=10)
    ax.legend(loc="upper right")
    save(
        fig,
        "cirl_offswitch_incentive",
        params={
            "mu": c["mu"],
            "betas": [str(b) for b in c["betas"]],
            "sigma_for_sb": list(c["sigma_for_sb"]),
            "human_for_panel_b": "rational, bias b ~ N(0, s_b^2)",
        },
    )
    return c


def fig_learning():
    common = dict(u_true=-0.5, beta_true=2.0, b_true=1.0, beta_model=2.0, n_max=400, n_runs=200, seed=0)
    mis = E.sequential_learning(b_model=0.0, **common)
    ok = E.sequential_learning(b_model=1.0, **common)
    n = mis["n"]
    fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.4))
    ax = axes[0]
    for r, lab in ((ok, "correct human model (b = 1)"), (mis, "assumes unbiased human (b = 0)")):
        (line,) = ax.plot(n, r["post_mean"], label=lab)
        ax.fill_between(n, r["post_mean_q"][0], r["post_mean_q"][1], color=line.get_color(), alpha=0.2, lw=0)
    ax.axhline(common["u_true"], color="0.3", ls=":", lw=1, label="true utility U = −0.5")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("human decisions observed n (symlog)")
    ax.set_ylabel("posterior mean of U (10–90% of runs)")
    ax.set_title("(a) posterior", fontsize=10)
    ax = axes[1]
    for r in (ok, mis):
        ax.plot(n, r["p_wait"])
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("human decisions observed n (symlog)")
    ax.set_ylabel("share of runs in which R defers")
    ax.set_title("(b) deference", fontsize=10)
    ax = axes[2]
    for r in (ok, mis):
        ax.plot(n, r["true_payoff"])
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("human decisions observed n (symlog)")
    ax.set_ylabel("true expected payoff of R's move")
    ax.set_title("(c) outcome", fontsize=10)
    for a in axes:
        a.set_xlim(0, common["n_max"])
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.16))
    save(fig, "cirl_offswitch_learning", params=common | {"b_model": [1.0, 0.0], "prior": "N(0, 1)"})
    return mis, ok


def fig_learned():
    r = E.learned_human_model()
    ns = r["ns"]
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.4))
    ax = axes[0]
    ax.errorbar(ns, r["regret_mis"], yerr=r["regret_mis_se"], marker="o", capsize=3, label="learned, one global bias (misspecified)")
    ax.errorbar(ns, r["regret_spec"], yerr=r["regret_spec_se"], marker="s", capsize=3, label="learned, bias per context (well specified)")
    ax.axhline(r["regret_fixed_rational"], color="0.3", ls=":", lw=1, label="no learning: assumes β = 8, b = 0")
    ax.set_xscale("log")
    ax.set_xlabel("labelled human decisions in training N (log scale)")
    ax.set_ylabel("deployment regret per decision (utility units)")
    ax.set_title("(a) off-distribution: half of decisions in context 1", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.errorbar(ns, r["loss_mis"], yerr=r["loss_mis_se"], marker="o", capsize=3, label="one global bias")
    ax.errorbar(ns, r["loss_spec"], yerr=r["loss_spec_se"], marker="s", capsize=3, label="bias per context")
    ax.legend(fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("labelled human decisions in training N (log scale)")
    ax.set_ylabel("held-out log-loss (nats per decision)")
    ax.set_title("(b) in-distribution fit: 5% of decisions in context 1", fontsize=10)
    save(fig, "cirl_offswitch_learned", params=r["params"] | {"ns": ns.tolist()})
    return r


if __name__ == "__main__":
    np.set_printoptions(precision=4, suppress=True, linewidth=160)
    grids = fig_regret()
    for g in grids:
        print("regret beta_model", g["params"]["beta_model"])
        print(g["regret"])
        print("robot defer rate", g["robot_defer_rate"][0, 0])
    c = fig_incentive()
    for b, v in c["incentive_vs_sigma"].items():
        idx = [
            0,
            np.argmin(abs(c["sigmas"] - 0.1)),
            np.argmin(abs(c["sigmas"] - 0.3)),
            np.argmin(abs(c["sigmas"] - 1.0)),
            len(c["sigmas"]) - 1,
        ]
        print("beta", b, "sigmas", c["sigmas"][idx], "Delta", v[idx])
        zero = c["sigmas"][np.argmax(v > 0)] if np.any(v > 0) else None
        print("  first sigma with Delta>0:", zero)
    for s, v in c["incentive_vs_sb"].items():
        print("sigma", s, "s_b", c["s_bs"][[0, 10, 20, 40, 80]], "Delta", v[[0, 10, 20, 40, 80]])
        print("  s_b where Delta crosses 0:", c["s_bs"][np.argmax(v < 0)] if np.any(v < 0) else None)
    mis, ok = fig_learning()
    for nm, r in (("mis", mis), ("ok", ok)):
        for k in (0, 1, 2, 5, 10, 20, 50, 100, 400):
            print(
                nm,
                k,
                "mean",
                round(r["post_mean"][k], 3),
                "sd",
                round(r["post_sd"][k], 3),
                "wait",
                r["p_wait"][k],
                "act",
                r["p_act"][k],
                "off",
                r["p_off"][k],
                "payoff",
                round(r["true_payoff"][k], 3),
            )
        print(nm, "true values", r["true_values"], "limit", r["predicted_limit"])
    r = fig_learned()
    for k in ("regret_mis", "regret_mis_se", "regret_spec", "regret_spec_se", "loss_mis", "loss_spec", "betahat_mis", "bhat_mis"):
        print(k, r[k])
    print("fixed rational", r["regret_fixed_rational"])
    if "--numbers" not in sys.argv:
        raise SystemExit(0)
    # Robustness sweeps quoted in the post (not plotted): run with --numbers.
    for row in E.sequential_sweep():
        print("sweep", {k: round(v, 3) for k, v in row.items()})
    for p, v in E.train_share_sweep().items():
        print(
            "train share",
            p,
            "regret_mis",
            np.round(v["regret_mis"], 4),
            "regret_spec",
            np.round(v["regret_spec"], 4),
            "loss gap",
            np.round(v["loss_gap"], 4),
        )
