"""Figure armstrong_nfl_bias for the post "armstrong-impossibility-in-practice".

Downstream cost of the bias ambiguities (myopia, loss aversion) under the usual
IRL assumption, swept over the simulated human's discount and the distractor's
value; prints the numbers quoted in the post.
"""

import os

# Small dense linear algebra: threaded BLAS only adds contention on a shared 2-core build machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import armstrong_nfl as m  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

SEEDS = tuple(range(20))


def bias_figure():
    gammas = (0.3, 0.5, 0.7)
    distractors = (0.3, 0.5, 0.7, 0.9)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    table = {}
    for i, g in enumerate(gammas):
        irl = []
        imit = []
        for d in distractors:
            c = m.bias_sweep_cell(g, d, seeds=SEEDS)
            irl.append(c["standard_irl"])
            imit.append(c["imitation"])
            table[(g, d)] = (c["standard_irl"].mean(), c["standard_irl"].max(), c["imitation"].mean())
        irl = np.array(irl)
        imit = np.array(imit)
        ax.errorbar(
            np.array(distractors) + 0.01 * (i - 1),
            irl.mean(axis=1),
            yerr=irl.std(axis=1),
            marker="o",
            capsize=3,
            color=f"C{i}",
            label=f"usual IRL fit, human discount {g}",
        )
        ax.plot(distractors, imit.mean(axis=1), ls="--", color=f"C{i}", alpha=0.7, label=f"imitation, human discount {g}")
    ax.set_xlabel("value of the distractor cell (goal = 1)")
    ax.set_ylabel("normalised regret (mean ± sd, 20 seeds)")
    ax.set_xticks(distractors)
    ax.legend(fontsize=9, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    ax.set_ylim(-0.02, 0.32)
    save(
        fig,
        "armstrong_nfl_bias",
        params={"gammas_h": gammas, "distractors": distractors, "seeds": list(SEEDS), "human": m.HUMAN, "gamma_eval": m.GAMMA_EVAL},
    )
    return table


if __name__ == "__main__":
    table = bias_figure()
    for (g, d), (mi, ma, im) in table.items():
        print(f"gamma_h {g} distractor {d}: usual IRL mean {mi:.3f} max {ma:.3f}; imitation mean {im:.3f}")
