"""Figures for the post "goals-vs-beliefs-under-sgd": recovery after goal and world shifts."""

import numpy as np

from experiments import goals_beliefs as E
from figures.figlib import plt, save

SEED = 0
N_SEEDS = 12
STEPS = 3000


def _xticks(ax, tab):
    betas = tab["axes"]["beta"]
    ax.set_xscale("log", base=2)
    ax.set_xticks(betas, [f"{b:g}\n{p:.2f}" for b, p in zip(betas, tab["pmax_pre"])])
    ax.minorticks_off()
    ax.set_xlabel("inverse temperature β  (below: mean probability of preferred action)")


def _ratio_line(ax, tab, label, **style):
    b = tab["axes"]["beta"]
    med = tab["log10_ratio_median"]
    (line,) = ax.plot(b, med, marker="o", label=label, **style)
    ax.fill_between(b, tab["log10_ratio_q25"], tab["log10_ratio_q75"], color=line.get_color(), alpha=0.15)
    cens = tab["censored_goal"] > 0
    if cens.any():  # censored goal runs: the ratio is a lower bound
        ax.plot(b[cens], med[cens], marker="^", markersize=10, linestyle="none", markerfacecolor="none", color=line.get_color())
    return line


def _report(name, tab):
    print(f"{name}: tau_world={tab['tau_world'].tolist()} tau_goal={tab['tau_goal'].tolist()}")
    print(
        f"   log10 ratio median={np.round(tab['log10_ratio_median'], 2).tolist()} "
        f"q25={np.round(tab['log10_ratio_q25'], 2).tolist()} q75={np.round(tab['log10_ratio_q75'], 2).tolist()}"
    )
    print(
        f"   censored goal={np.round(tab['censored_goal'], 2).tolist()} world={np.round(tab['censored_world'], 2).tolist()}"
        f" pmax={np.round(tab['pmax_pre'], 3).tolist()} p_pre={np.round(tab['p_pre'], 3).tolist()}"
    )


def fig_ratio():
    runs = [
        (dict(lr_ratio=1.0), "SGD, goal lr = belief lr", {}),
        (dict(lr_ratio=10.0), "SGD, goal lr = 10 × belief lr", {"linestyle": "--"}),
        (dict(lr_ratio=100.0), "SGD, goal lr = 100 × belief lr", {"linestyle": ":"}),
        (dict(optimizer="adam"), "Adam, equal lr", {}),
        (dict(optimizer="adam", lr_ratio=10.0), "Adam, goal lr = 10 × belief lr", {"linestyle": "--"}),
    ]
    sig_runs = [
        ("standard", "goal: policy gradient, beliefs: regression"),
        ("reward-model", "goal: reward regression, beliefs: regression"),
        ("model-free", "goal: policy gradient, beliefs: policy gradient"),
        ("inverted", "goal: reward regression, beliefs: policy gradient"),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.2), sharey=True)
    tabs = {}
    for kw, label, style in runs:
        tab = E.beta_sweep(**kw, n_seeds=N_SEEDS, steps=STEPS, seed=SEED)
        tabs[label] = tab
        _report(label, tab)
        _ratio_line(axes[0], tab, label, **style)
    for key, label in sig_runs:
        tab = tabs["SGD, goal lr = belief lr"] if key == "standard" else E.beta_sweep(signals=key, n_seeds=N_SEEDS, steps=STEPS, seed=SEED)
        _report(label, tab)
        _ratio_line(axes[1], tab, label)
    for ax in axes:
        ax.axhline(0.0, color="black", linewidth=0.8)
        _xticks(ax, tabs["SGD, goal lr = belief lr"])
        ax.legend(loc="upper left", fontsize=8)
    axes[0].set_ylabel("log10(goal-shift steps / world-shift steps)")
    axes[0].set_title("(a)", fontsize=10, loc="left")
    axes[1].set_title("(b)", fontsize=10, loc="left")
    axes[0].set_ylim(-1.8, 1.8)
    save(
        fig,
        "goals_beliefs_ratio",
        params={
            "betas": E.BETAS,
            "n_seeds": N_SEEDS,
            "steps": STEPS,
            "seed": SEED,
            "defaults": E.DEFAULTS,
            "adam_lr_belief": 0.03,
            "runs": [dict(kw, label=label) for kw, label, _ in runs],
            "signals": {k: E.SIGNALS[k] for k, _ in sig_runs},
            "summary": "median and IQR over seeds of log10(tau_goal/tau_world); triangles: some goal runs censored at `steps`",
        },
    )


def fig_confounds():
    dims = (2, 5, 20)
    noises = (0.1, 0.3, 1.0)
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 3.8))
    tabs = []
    for d in dims:
        tab = E.confound_sweep(d, beta=8.0, noises=noises, n_seeds=N_SEEDS, steps=STEPS, seed=SEED)
        tabs.append(tab)
        _report(f"d={d} (belief params {tab['belief_params']})", tab)
        x = np.asarray(noises)
        med = tab["log10_ratio_median"]
        err = np.vstack([med - tab["log10_ratio_q25"], tab["log10_ratio_q75"] - med])
        axes[0].errorbar(
            x * (1 + 0.04 * (dims.index(d) - 1)),
            med,
            yerr=err,
            marker="o",
            capsize=3,
            label=f"d = {d} ({tab['belief_params']} belief parameters)",
        )
    axes[0].set_xscale("log")
    axes[0].set_xticks(noises, [f"{n:g}" for n in noises])
    axes[0].minorticks_off()
    axes[0].axhline(0.0, color="black", linewidth=0.8)
    axes[0].set_xlabel("outcome noise = reward noise σ (outcome units)")
    axes[0].set_ylabel("log10(goal-shift steps / world-shift steps)")
    axes[0].set_title("(a)", fontsize=10, loc="left")
    axes[0].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    i = noises.index(0.3)
    counts = [t["belief_params"] for t in tabs]
    axes[1].plot(counts, [t["tau_world"][i] for t in tabs], marker="o", label="world shift (beliefs must change)")
    axes[1].plot(counts, [t["tau_goal"][i] for t in tabs], marker="s", label="goal shift (3 goal parameters)")
    axes[1].set_xscale("log")
    axes[1].set_yscale("log")
    axes[1].set_yticks([50, 100, 200, 500, 1000], ["50", "100", "200", "500", "1000"])
    axes[1].set_ylim(40, 1500)
    axes[1].set_xticks(counts, [str(c) for c in counts])
    axes[1].minorticks_off()
    axes[1].set_xlabel("number of belief parameters K·m·d")
    axes[1].set_ylabel("median steps to recover 90%")
    axes[1].set_title("(b)", fontsize=10, loc="left")
    axes[1].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    save(
        fig,
        "goals_beliefs_confounds",
        params={
            "beta": 8.0,
            "dims": list(dims),
            "noises": list(noises),
            "n_seeds": N_SEEDS,
            "steps": STEPS,
            "seed": SEED,
            "defaults": E.DEFAULTS,
        },
    )


def fig_curves():
    betas = [2.0, 16.0]
    n = 24
    beta = np.repeat(betas, n)
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 3.6), sharey=True)
    # One simulation per shift holds the runs for both panels.
    sims = {shift: E.simulate(shift, beta=beta, steps=STEPS, seed=SEED + 1) for shift in ("world", "goal")}
    for ax, b in zip(axes, betas):
        for shift, label in (("world", "world shift"), ("goal", "goal shift")):
            res = sims[shift]
            sel = res["beta"] == b
            rel = res["perf"][sel] / res["p_pre"][sel, None]
            med = np.median(rel, axis=0)
            (line,) = ax.plot(res["steps"], med, label=label)
            ax.fill_between(
                res["steps"], np.quantile(rel, 0.25, axis=0), np.quantile(rel, 0.75, axis=0), color=line.get_color(), alpha=0.15
            )
        ax.axhline(0.9, color="black", linewidth=0.8, linestyle=":")
        ax.set_xscale("symlog", linthresh=10)
        ax.set_xlim(0, STEPS)
        ax.set_xlabel("SGD steps after the shift")
        ax.set_title(f"β = {b:g}", fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel("performance / pre-shift performance")
    save(
        fig,
        "goals_beliefs_curves",
        params={
            "betas": betas,
            "runs_per_beta": n,
            "steps": STEPS,
            "seed": SEED + 1,
            "defaults": E.DEFAULTS,
            "agent": "standard (goal: policy gradient, beliefs: regression), SGD, equal lr",
        },
    )


if __name__ == "__main__":
    fig_curves()
    fig_ratio()
    fig_confounds()
