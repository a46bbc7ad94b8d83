"""Figures for the kitchen-sink alignment strategy post (R06).

Three figures from experiments/defence_in_depth.py:

* defence_in_depth_k_rho: P(every layer misses) and the effective number of
  independent layers, for K equal layers (miss probability 0.5 each) under a
  one-factor Gaussian copula with latent correlation rho, plus the two-type
  mixture model matched to the same pairwise joint miss probability.
* defence_in_depth_diversify: adding behavioural layers to a behavioural stack
  versus adding white-box layers that share only the global factor.
* defence_in_depth_pipeline: the illustrative seven-layer pipeline (guessed miss
  probabilities) as the cross-family correlation varies, and the probability
  that repeated attacks are caught before one succeeds.
"""

from __future__ import annotations

from experiments import defence_in_depth as exp
from figures.figlib import plt, save


def fig_k_rho() -> None:
    q, rhos, k_max = 0.5, (0.0, 0.3, 0.6, 0.9), 12
    r = exp.sweep_k_rho(q=q, rhos=rhos, k_max=k_max)
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.6))
    ax = axes[0]
    for j, rho in enumerate(rhos):
        ax.semilogy(r["k"], r["p_all"][j], "o-", color=f"C{j}", ms=3.5, label=f"Gaussian copula, ρ = {rho:g}")
        if rho > 0:
            ax.semilogy(
                r["k"], r["p_mix"][j], "--", color=f"C{j}", lw=1.2, label=f"two-type mixture, same pairwise (π = {r['pi_matched'][j]:.2f})"
            )
    ax.set_xlabel("number of layers K (each misses with probability 0.5)")
    ax.set_ylabel("P(every layer misses)")
    ax.set_ylim(1e-4, 1.0)
    ax.legend(loc="lower left", fontsize=7.5)
    ax.set_title("(a)", loc="left")
    ax = axes[1]
    for j, rho in enumerate(rhos):
        ax.plot(r["k"], r["k_eff"][j], "o-", color=f"C{j}", ms=3.5, label=f"ρ = {rho:g}")
    ax.set_xlabel("number of layers K")
    ax.set_ylabel("effective independent layers")
    ax.legend(loc="upper left")
    ax.set_title("(b)", loc="left")
    fig.tight_layout()
    save(
        fig,
        "defence_in_depth_k_rho",
        params={"q": q, "rhos": list(rhos), "k_max": k_max, "model": "one-factor Gaussian copula; mixture matched on pairwise joint miss"},
    )


def fig_diversify() -> None:
    kw = dict(n_base=4, n_add=6, q=0.5, a_global=0.5, b_behav=0.75, b_white=0.0)
    d = exp.diversify_vs_stack(**kw)
    g = exp.marginal_value_grid(n_base=4, q=0.5, rho_within=0.81)
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.6))
    ax = axes[0]
    ax.semilogy(d["m"], d["stack"], "o-", color="C0", ms=3.5, label="add behavioural layers")
    ax.semilogy(d["m"], d["diversify"], "s-", color="C2", ms=3.5, label="add white-box layers")
    ax.semilogy(d["m"], d["independent"], ":", color="0.4", label="independence (naive product)")
    ax.set_xlabel("layers added to a stack of 4 behavioural layers")
    ax.set_ylabel("P(every layer misses)")
    ax.legend(loc="lower left")
    ax.set_title("(a)", loc="left")
    ax = axes[1]
    ax.plot(g["global_share"], g["ratio"], "o-", color="C3", ms=3.5)
    ax.axhline(1.0, color="0.4", ls=":", lw=1.0)
    ax.set_xlabel("share of within-behavioural correlation that is global (a² / ρ_within)")
    ax.set_ylabel("ratio of P(every layer misses):\n+1 behavioural vs +1 white-box")
    ax.set_title("(b)", loc="left")
    fig.tight_layout()
    params = dict(kw)
    params.update({"panel_b": {"n_base": 4, "q": 0.5, "rho_within": 0.81}})
    save(fig, "defence_in_depth_diversify", params=params)


def fig_pipeline() -> None:
    b_family, p_success = 0.6, 0.5
    s = exp.pipeline_sensitivity(b_family=b_family)
    c = exp.catch_before_success_sweep(b_family=b_family, p_success=p_success, n_models=10_000, seed=0)
    x = s["rho_across"]
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.6))
    ax = axes[0]
    ax.semilogy(x, s["p_factor"], "o-", color="C0", ms=3.5, label="all 7 layers (factor model)")
    ax.semilogy(x, s["p_behavioural"], "^--", color="C1", ms=3.5, label="5 behavioural layers only")
    ax.semilogy(x, s["p_whitebox"], "s--", color="C2", ms=3.5, label="2 white-box layers only")
    ax.axhline(s["p_independent"], color="0.4", ls=":", label="all 7, independence")
    ax.set_xlabel("cross-family latent correlation a²  (within-family = a² + 0.36)")
    ax.set_ylabel("P(every layer misses one attempt)")
    ax.set_ylim(0.005, 0.8)
    ticks = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.legend(loc="lower right", fontsize=8, bbox_to_anchor=(1.0, 0.3))
    ax.set_title("(a)", loc="left")
    ax = axes[1]
    ax.plot(x, c["p_loss"], "o-", color="C0", ms=3.5, label="correlated layers, per-model skill")
    ax.plot(x, c["p_loss_average_model"], "^--", color="C1", ms=3.5, label="same average rates, no heterogeneity")
    ax.plot(x, c["p_loss_independent"], ":", color="0.4", label="independent layers")
    ax.set_xlabel("cross-family latent correlation a²")
    ax.set_ylabel("P(an attack succeeds before any is caught)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("(b)", loc="left")
    fig.tight_layout()
    save(
        fig,
        "defence_in_depth_pipeline",
        params={
            "pipeline": [list(p) for p in exp.PIPELINE],
            "b_family": b_family,
            "stages": "pre = once per model (pre-deployment), run = every attempt",
            "a_global": [float(v) for v in s["a_global"]],
            "p_success": p_success,
            "n_models": 10_000,
            "seed": 0,
        },
    )


if __name__ == "__main__":
    fig_k_rho()
    fig_diversify()
    fig_pipeline()
