"""Figure for the paper "implicit-planning": is value decodable, selective and wall-aware?"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from experiments import implicit_planning as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

N_TRAIN, N_TEST, EPOCHS, SEED = 1000, 250, 8, 0
LAYERS = ["input", "h1", "h2", "logits"]


def main():
    tr, te = E.standard_data(N_TRAIN, N_TEST, seed=SEED)
    nets = {
        "imitation MLP": E.train("mlp", tr, seed=SEED, epochs=EPOCHS)[0],
        "imitation + value head": E.train("mlp", tr, seed=SEED, epochs=EPOCHS, aux=1.0)[0],
        "random init": E.init_params("mlp", np.random.default_rng(SEED + 1)),
    }
    pairs = E.edit_pairs(te, seed=SEED)
    probes, vtests, acc = {}, {}, {}
    for name, P in nets.items():
        probes[name] = E.probe_layers("mlp", P, tr, te, seed=SEED)
        vtests[name] = E.value_tests("mlp", P, tr, te, pairs=pairs)
        acc[name] = E.accuracy("mlp", P, te)
    heur = E.heuristic_tests(te)
    fig, axs = plt.subplots(2, 2, figsize=(7.6, 6.6))
    axes = [axs[0, 0], axs[0, 1], axs[1, 0]]
    x = np.arange(len(LAYERS))
    colours = {name: f"C{i}" for i, name in enumerate(probes)}
    ax = axes[0]
    for name, pr in probes.items():
        ax.plot(x, pr["V"], "o-", color=colours[name])
        ax.plot(x, pr["control"], "s--", color=colours[name], ms=4, lw=1)
    ax.plot(x, probes["imitation MLP"]["shuffled"], "x:", color="k", lw=1)
    ax.set_xticks(x, LAYERS)
    ax.set_xlabel("layer")
    ax.set_ylabel("held-out probe R²")
    ax.set_title("(a) V* probe vs controls", loc="left", fontsize=10)
    ax = axes[1]
    w = 0.27
    for i, (name, pr) in enumerate(probes.items()):
        ax.bar(np.arange(3) + (i - 1) * w, [pr["V"][2], pr["manhattan"][2], pr["detour"][2]], w, color=colours[name])
    ax.axhline(heur["r2"], color="k", ls=":", lw=1)
    ax.text(2.45, heur["r2"] + 0.02, "Manhattan as a\nV* predictor", fontsize=8, ha="right")
    ax.set_xticks(np.arange(3), ["V* = −d", "−m\n(Manhattan)", "detour\nd − m"])
    ax.set_xlabel("probe target at h2")
    ax.set_ylabel("held-out probe R² at h2")
    ax.set_title("(b) what the value-like direction tracks", loc="left", fontsize=10)
    ax = axes[2]
    for i, (name, vt) in enumerate(vtests.items()):
        ax.bar(np.arange(2) + (i - 1) * w, [vt[0]["edit_slope"], vt[1]["edit_slope"]], w, color=colours[name])
        ax.plot(np.arange(2) + (i - 1) * w, [vt[0]["id_slope"], vt[1]["id_slope"]], "_", color="k", ms=14, mew=1.8)
    ax.axhline(1.0, color="k", ls="--", lw=1)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.text(1.5, 0.95, "V* itself (slope 1)", fontsize=8, ha="right", va="top")
    ax.text(1.5, 0.07, "wall-blind heuristic (slope 0)", fontsize=8, ha="right")
    ax.set_xticks(np.arange(2), ["probe on h1", "probe on h2"])
    ax.set_ylim(-0.1, 1.1)
    ax.set_ylabel("slope of ΔV̂ on ΔV*\n(one-wall edits)")
    ax.set_title("(c) counterfactual edit test", loc="left", fontsize=10)
    lg = axs[1, 1]
    lg.axis("off")
    handles = [Patch(color=colours[n], label=n) for n in probes]
    handles += [
        Line2D([], [], color="0.3", marker="o", ls="-", label="(a) probe for V*"),
        Line2D([], [], color="0.3", marker="s", ms=4, ls="--", lw=1, label="(a) control task"),
        Line2D([], [], color="k", marker="x", ls=":", lw=1, label="(a) shuffled V* (imitation MLP)"),
        Line2D(
            [], [], color="k", marker="_", ms=14, mew=1.8, ls="none", label="(c) same probe's slope across\n     ordinary held-out states"
        ),
    ]
    lg.legend(handles=handles, loc="center left", fontsize=9)
    fig.tight_layout()
    summary = {
        name: {
            "acc_test": round(acc[name], 4),
            **{
                f"r2_{t}": np.round(probes[name][t], 3).tolist() for t in ("V", "control", "shuffled", "manhattan", "detour", "selectivity")
            },
            "value_tests": [{k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()} for row in vtests[name]],
        }
        for name in nets
    }
    summary["manhattan_heuristic"] = {k: round(v, 3) for k, v in heur.items()}
    summary["noise_surrogates"] = {
        str(r): {k: round(v, 3) for k, v in E.noisy_value_tests(te, r, seed=SEED).items()} for r in (0.2, 0.6, 0.9)
    }
    summary["edit_pairs"] = {"n": int(len(pairs["dV"])), "n_changed": int((pairs["dV"] != 0).sum())}
    for k, v in summary.items():
        print(k, v)
    save(
        fig,
        "implicit_planning_probes",
        params={"n_train_mazes": N_TRAIN, "n_test_mazes": N_TEST, "epochs": EPOCHS, "seed": SEED, "results": summary},
    )


if __name__ == "__main__":
    main()
