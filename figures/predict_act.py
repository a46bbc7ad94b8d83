"""Figures for the post "predict-and-act-incentives" (request R16)."""

import numpy as np

from experiments import predict_act as E
from figures.figlib import plt, save


def fig_forecast():
    r = E.forecast_regimes()
    fps = r["fixed_points"]
    opt_lo = E.local_optima(0.0)
    fig, axes = plt.subplots(1, 3, figsize=(11.0, 3.5), sharey=True)
    titles = {
        "retrain": "(a) pure predictor, retrained",
        "agent": "(b) agent rewarded for accuracy",
        "counterfactual": "(c) counterfactual oracle",
    }
    for ax, key in zip(axes, ("retrain", "agent", "counterfactual")):
        traj = r[key]
        for i, q0 in enumerate(r["q0s"]):
            ax.plot(np.arange(traj.shape[1]), traj[i], color=f"C{i % 6}", lw=1.3, label=f"start q = {q0:g}" if key == "retrain" else None)
        for fp in fps:
            ax.axhline(fp["q"], color="0.35", lw=0.9, ls="-" if fp["stable"] else ":")
        for o in opt_lo:
            ax.axhline(o["q"], color="k", lw=0.9, ls="--")
        if key == "counterfactual":
            ax.axhline(r["params"]["p_hidden"], color="C2", lw=1.2, ls="-.")
        ax.set_title(titles[key], fontsize=9.5)
        ax.set_xlabel("training updates" if key != "retrain" else "retraining rounds")
    axes[0].set_ylabel("announced forecast q = P(event)")
    handles, labels = axes[0].get_legend_handles_labels()
    from matplotlib.lines import Line2D

    handles += [
        Line2D([], [], color="0.35", lw=0.9),
        Line2D([], [], color="0.35", lw=0.9, ls=":"),
        Line2D([], [], color="k", lw=0.9, ls="--"),
        Line2D([], [], color="C2", lw=1.2, ls="-."),
    ]
    labels += [
        "stable self-fulfilling forecast q = g(q)",
        "unstable fixed point",
        "performative optima (min expected log loss)",
        "event rate when nobody reads the forecast",
    ]
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8, bbox_to_anchor=(0.5, -0.13))
    save(fig, "predict_act_forecast", params=r["params"] | {"q0s": r["q0s"]})
    return r


def fig_incentives():
    s = E.outcome_reward_sweep()
    p = E.predictability_sweep()
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.6))
    ax = axes[0]
    al = s["alphas"]
    jit = 0.02
    for j in range(s["agent_q"].shape[1]):
        ax.scatter(
            al + jit * (j - 1), s["agent_q"][:, j], color="C0", s=18, label="agent (accuracy + α·outcome in reward)" if j == 0 else None
        )
        ax.scatter(
            al + jit * (j - 1), s["retrain_q"][:, j], color="C1", marker="s", s=18, label="pure predictor (retrained)" if j == 0 else None
        )
    a_fine = np.linspace(0, 2, 41)
    lo, hi = [], []
    for a in a_fine:
        opts = E.local_optima(a)
        lo.append(min(o["q"] for o in opts) if min(o["q"] for o in opts) < 0.5 else np.nan)
        hi.append(max(o["q"] for o in opts))
    ax.plot(a_fine, lo, color="C3", ls="--", lw=1, label="local optima of the agent's objective")
    ax.plot(a_fine, hi, color="C3", ls="--", lw=1)
    ax.axhline(E.fixed_points()[0]["q"], color="0.35", lw=0.9, label="lower stable self-fulfilling forecast")
    ax.set_xlabel("weight α on the event happening (reward units per event)")
    ax.set_ylabel("final forecast q (start q = 0.3)")
    ax.set_title("(a) outcome reward pulls the forecast across equilibria", fontsize=9.5)
    ax.legend(fontsize=8, loc="center left")
    ax = axes[1]
    lams = p["lams"]
    for key, lab, mk in (
        ("stopgrad", "prediction loss kept off the action's gradient", "s"),
        ("in_reward", "prediction loss inside the action's reward", "o"),
        ("population", "stop-gradient inner loop, outer-loop selection", "^"),
    ):
        m = p[key].mean(axis=1)
        lo_, hi_ = p[key].min(axis=1), p[key].max(axis=1)
        ax.errorbar(lams, m, yerr=[np.maximum(0, m - lo_), np.maximum(0, hi_ - m)], marker=mk, ms=4, capsize=2, lw=1.2, label=lab)
    ax.axvline(p["threshold"], color="0.35", ls=":", lw=1, label=f"analytic switch λ* = {p['threshold']:.2f}")
    ax.set_xlabel("weight λ on prediction log loss (reward units per nat)")
    ax.set_ylabel("final P(choose the risky task)")
    ax.set_title("(b) prediction loss in the objective buys predictability", fontsize=9.5)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1)
    save(fig, "predict_act_incentives", params={"outcome_sweep": s["params"], "predictability": p["params"]})
    return s, p


def fig_rcsl():
    o = E.rcsl_bandit()
    w = E.rcsl_sweep()
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.5))
    ax = axes[0]
    tg = sorted(o["targets"])
    ax.plot(tg, [o["targets"][t]["achieved"] for t in tg], "o-", label="condition on observed return (RCSL / DT)")
    lb = sorted(o["labels"])
    ax.plot(lb, [o["labels"][t]["achieved"] for t in lb], "s-", label="condition on expected-return label (ESPER-like)")
    ax.plot([0, 10], [0, 10], color="0.35", ls=":", lw=1, label="achieved = requested")
    ax.set_xlabel("requested return (conditioning value)")
    ax.set_ylabel("expected return actually achieved")
    ax.set_ylim(-0.2, 3.0)
    ax.set_title(f"(a) long shot pays {o['params']['payoff']:g} w.p. {o['params']['p_win']:g}", fontsize=9.5)
    ax.legend(fontsize=8, loc="upper left")
    ax = axes[1]
    pw = w["p_wins"]
    for key, lab, mk in (
        ("rcsl_max", "RCSL conditioned on the best logged return", "o"),
        ("esper", "conditioned on the best expected-return label", "s"),
    ):
        m = w[key].mean(axis=1)
        ax.errorbar(
            pw,
            m,
            yerr=[np.maximum(0, m - w[key].min(axis=1)), np.maximum(0, w[key].max(axis=1) - m)],
            marker=mk,
            ms=4,
            capsize=2,
            lw=1.2,
            label=lab,
        )
    ax.plot(pw, w["optimal"], color="0.35", ls="--", lw=2.5, alpha=0.6, label="optimal policy", zorder=0)
    ax.set_xscale("log")
    ax.set_xlabel("win probability of the long shot (payoff 10; log scale)")
    ax.set_ylabel("expected return achieved")
    ax.set_title("(b) luck is read as skill until the gamble is actually good", fontsize=9.5)
    ax.legend(fontsize=8)
    save(fig, "predict_act_rcsl", params={"bandit": o["params"], "sweep": w["params"]})
    return o, w


if __name__ == "__main__":
    np.set_printoptions(precision=3, suppress=True, linewidth=160)
    r = fig_forecast()
    print("fixed points", r["fixed_points"])
    print("optima", E.local_optima(0.0), "global", r["optimum"])
    for k in ("retrain", "agent", "counterfactual"):
        print(k, "final", r[k][:, -1])
    print("counterfactual q_final", np.array(r["counterfactual_final"]), "g(q_final)", E.response(np.array(r["counterfactual_final"])))
    s, p = fig_incentives()
    print("alphas", s["alphas"])
    print("agent q", s["agent_q"])
    print("agent gap", s["agent_gap"])
    print("agent outcome rate", E.response(s["agent_q"]))
    print("retrain q", s["retrain_q"])
    for a, lo in zip(s["alphas"], s["local_optima"]):
        print("alpha", a, [(round(x["q"], 3), round(x["q"] - x["g"], 3)) for x in lo])
    print("lams", p["lams"], "threshold", p["threshold"])
    for k in ("stopgrad", "in_reward", "population"):
        print(k, p[k])
    o, w = fig_rcsl()
    print("targets", {k: (v["achieved"], v["count"], v["policy"]) for k, v in o["targets"].items()})
    print("labels", {k: (v["achieved"], v["policy"]) for k, v in o["labels"].items()})
    print("cluster means", o["cluster_means"])
    print("p_wins", w["p_wins"])
    print("rcsl", w["rcsl_max"].mean(1))
    print("esper", w["esper"].mean(1))
