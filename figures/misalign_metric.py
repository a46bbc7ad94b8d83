"""Figures for the R17 post: what "steps to misalign" tracks and where it misleads."""

from __future__ import annotations

import json
import warnings

import numpy as np

from experiments import misalign_metric as mm
from figures.figlib import out_dir, plt, save

warnings.filterwarnings("ignore", category=RuntimeWarning)

SEEDS = (0, 1, 2)
VARIANTS = ["shallow", "removed", "hardened_3", "hardened_10", "hardened_30"]
LABELS = {
    "shallow": "shallow refusal",
    "removed": "capability removed",
    "hardened_3": "hardened, s=3",
    "hardened_10": "hardened, s=10",
    "hardened_30": "hardened, s=30",
}
# one colour per model, shared by figure 1(b) and figure 2 (figure 1(a) colours attack families)
MODEL_COLORS = {"shallow": "C3", "removed": "C4", "hardened_3": "C7", "hardened_10": "C5"}
FAMILIES = ["sgd", "adam", "fresh_head"]
FAM_LABELS = {"sgd": "protocol: full FT, GD", "adam": "held-out: full FT, Adam", "fresh_head": "held-out: fresh head, Adam"}


def merge(runs):
    out = {"results": {}, "per_lr": {}, "summary": {}}
    for r in runs:
        for key in out:
            for nm, val in r[key].items():
                if isinstance(val, dict):
                    for fam, lst in val.items():
                        out[key].setdefault(nm, {}).setdefault(fam, []).extend(lst)
                else:
                    out[key].setdefault(nm, []).extend(val)
    out["params"] = dict(runs[0]["params"], seeds=list(SEEDS))
    return out


def plot_metric(res):
    cmax = res["params"]["max_steps"]
    cens = cmax * 1.6
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.0), gridspec_kw={"width_ratios": [1.35, 1]})
    width = 0.26
    for j, fam in enumerate(FAMILIES):
        for i, nm in enumerate(VARIANTS):
            vals = res["results"][nm][fam]
            ys = [cens if v is None else max(v, 1) for v in vals]
            xs = i + (j - 1) * width + np.linspace(-0.05, 0.05, len(ys))
            ax1.scatter(xs, ys, color=f"C{j}", marker="o", s=22, label=FAM_LABELS[fam] if i == 0 else None, zorder=3)
    ax1.axhline(cmax, color="0.5", lw=0.8, ls="--")
    ax1.text(
        len(VARIANTS) - 0.5, cmax * 1.08, f"budget ({cmax} steps); points above = never", ha="right", va="bottom", fontsize=8, color="0.35"
    )
    ax1.set_yscale("log")
    ax1.set_ylim(0.7, cens * 1.8)
    ax1.set_xticks(range(len(VARIANTS)))
    ax1.set_xticklabels([LABELS[v] for v in VARIANTS], rotation=20, ha="right")
    ax1.set_ylabel("steps to misalign (best over LR grid)")
    ax1.legend(loc="center left", fontsize=9, frameon=False, bbox_to_anchor=(0.0, 0.55))
    ax1.set_title("(a)", loc="left", fontsize=10)

    lrs = res["params"]["lrs"]
    for k, nm in enumerate(["shallow", "hardened_3", "hardened_10", "removed"]):
        curves = res["per_lr"][nm]["sgd"]
        arr = np.array([[cens if v is None else max(v, 1) for v in c] for c in curves], float)
        med = np.median(arr, axis=0)
        ax2.plot(
            lrs,
            med,
            marker="osD^"[k],
            ms=5,
            color=MODEL_COLORS[nm],
            label=LABELS[nm],
            ls=["-", "-", "--", ":"][k],
            lw=[1.5, 1.5, 1.5, 2.5][k],
        )
    ax2.axhline(cmax, color="0.5", lw=0.8, ls="--")
    ax2.text(lrs[-1], cmax * 0.8, "above line = never", ha="right", va="top", fontsize=8, color="0.35")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_ylim(0.7, cens * 1.8)
    ax2.set_xlabel("attack learning rate (full-batch GD)")
    ax2.set_ylabel("steps to misalign (median of seeds)")
    ax2.legend(loc="lower left", fontsize=9, frameon=False)
    ax2.set_title("(b)", loc="left", fontsize=10)
    fig.tight_layout()
    return fig


def plot_sweep(sw):
    p = sw["params"]
    cmax = p["max_steps"]
    cens = cmax * 1.6
    ns = p["n_attacks"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, fam in zip(axes, p["families"]):
        for k, nm in enumerate(["shallow", "removed", "hardened_10"]):
            vals = sw["results"][nm][fam]
            arr = np.array([[cens if v is None else max(v, 1) for v in vals[n]] for n in ns], float)
            med = np.median(arr, axis=1)
            ax.plot(ns, med, marker="o", ms=4, color=MODEL_COLORS[nm], label=LABELS[nm])
            for ii, n in enumerate(ns):
                ax.scatter([n] * arr.shape[1], arr[ii], color=MODEL_COLORS[nm], s=8, alpha=0.5)
        ax.axhline(cmax, color="0.5", lw=0.8, ls="--")
        ax.text(ns[-1], cmax * 1.08, "above line = never", ha="right", va="bottom", fontsize=8, color="0.35")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_ylim(0.7, cens * 1.8)
        ax.set_xlabel("harmful examples given to the attacker")
        ax.set_title(FAM_LABELS[fam], fontsize=9)
    axes[0].set_ylabel("steps to misalign (best over LR grid)")
    axes[0].legend(loc="center left", fontsize=9, frameon=False)
    fig.tight_layout()
    return fig


def main():
    built = {s: mm.build_models(s) for s in SEEDS}  # built once, shared by both studies
    runs = [mm.run(seeds=(s,), variants=VARIANTS, built=built) for s in SEEDS]
    res = merge(runs)
    save(plot_metric(res), "misalign_metric_gaming", params=res["params"])
    sweeps = [mm.sample_size_sweep(seeds=(s,), built=built) for s in SEEDS]
    sw = {"params": dict(sweeps[0]["params"], seeds=list(SEEDS)), "results": {}}
    for one in sweeps:
        for nm, fams in one["results"].items():
            for fam, byn in fams.items():
                for n, lst in byn.items():
                    sw["results"].setdefault(nm, {}).setdefault(fam, {}).setdefault(n, []).extend(lst)
    save(plot_sweep(sw), "misalign_metric_samples", params=sw["params"])
    # raw numbers for the text (not a figure; written beside the figures)
    raw = {
        "main": {k: res[k] for k in ("results", "per_lr", "summary")},
        "sweep": {nm: {fam: {str(n): v for n, v in byn.items()} for fam, byn in fams.items()} for nm, fams in sw["results"].items()},
    }
    (out_dir() / "misalign_metric_raw.json").write_text(json.dumps(raw, indent=1, default=str))


if __name__ == "__main__":
    main()
