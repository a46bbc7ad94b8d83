"""Figure armstrong_nfl_regret for the post "armstrong-impossibility-in-practice".

(a) regret of a robot that optimises each exact decomposition of the same
human policy; (b) regret over all exact fits as normative assumptions are
added. Also prints the numbers quoted in the post, including the
two-environment identification check.
"""

import os

# Small dense linear algebra: threaded BLAS only adds contention on a shared 2-core build machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import armstrong_nfl as m  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

SEEDS = tuple(range(20))


def regret_figure():
    out = m.run(seeds=SEEDS)
    s = out["summary"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.0, 4.6), gridspec_kw={"width_ratios": [1.15, 1]})

    rows = [
        ("true pair\n$(p_H, R_H)$", s["pairs"]["true (p_H, R_H)"]),
        ("rational planner,\nR = log π / β", s["pairs"]["rational (p_rat, R_pi)"]),
        ("usual IRL fit\n(rational, state R)", s["standard_irl"]),
        ("imitate the\nhuman", s["imitation"]),
        ("indifferent planner\n(robot acts at random)", s["pairs"]["indifferent (p_pi, any R)"]),
        ("anti-rational,\nR = −log π / β", s["pairs"]["anti-rational (-p_rat, -R_pi)"]),
        ("anti-human\n$(-p_H, -R_H)$", s["pairs"]["anti-human (-p_H, -R_H)"]),
    ]
    y = np.arange(len(rows))[::-1]
    rng = np.random.default_rng(0)
    for yi, (_label, v) in zip(y, rows):
        ax1.barh(yi, v.mean(), color="C0", alpha=0.35, height=0.6)
        ax1.scatter(v, yi + rng.uniform(-0.18, 0.18, size=v.size), s=9, color="C0", zorder=3)
    # Shaping ambiguity inside the true planner: per-seed [min, max] over potentials.
    ys = y.min() - 1
    for k, (lo, hi) in enumerate(zip(s["shaping_min"], s["shaping_max"])):
        off = -0.25 + 0.5 * k / max(1, len(s["shaping_min"]) - 1)
        ax1.plot([lo, hi], [ys + off, ys + off], color="C1", lw=1.0)
    ax1.set_yticks(list(y) + [ys])
    ax1.set_yticklabels([r[0] for r in rows] + ["true planner,\nshaped R(s, a)"], fontsize=9.5)
    ax1.set_xlim(-0.02, 1.05)
    ax1.set_xlabel("normalised regret of the robot (0 = optimal, 1 = worst)")
    ax1.set_title("(a)", fontsize=11, loc="left")

    levels = ["L0\nnone", "L1\nsoft\nplanner", "L2\nstate-\nonly R", "L3\nnot anti-\nrational", "L4\nλ\nknown", "L5\nγ\nknown"]
    mean = [s["pairs"]["indifferent (p_pi, any R)"].mean()] + [s["ladder_mean"][lv].mean() for lv in m.LEVELS]
    mx = [1.0] + [s["ladder_max"][lv].mean() for lv in m.LEVELS]
    x = np.arange(len(levels))
    ax2.plot(x, mx, marker="o", color="C3", label="worst exact fit")
    ax2.plot(x, mean, marker="s", color="C0", label="average over exact fits")
    nh = ["any"] + [str(int(np.median(s["ladder_n"][lv]))) for lv in m.LEVELS]
    for xi, (yv, n) in enumerate(zip(mx, nh)):
        ax2.annotate(f"{n}", (xi, yv), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=9.5)
    ax2.set_xticks(x)
    ax2.set_xticklabels(levels, fontsize=9.5)
    ax2.set_xlabel("assumptions (cumulative, left to right)")
    ax2.set_ylim(-0.05, 1.12)
    ax2.set_ylabel("normalised regret (mean of 20 seeds)")
    ax2.set_title("(b)", fontsize=11, loc="left")
    ax2.legend(loc="upper right", bbox_to_anchor=(1.0, 0.85), fontsize=9)
    fig.tight_layout()
    save(fig, "armstrong_nfl_regret", params=out["params"])
    return out


if __name__ == "__main__":
    out = regret_figure()
    s = out["summary"]
    for n, v in s["pairs"].items():
        print(f"{n:32s} mean {v.mean():.3f} sd {v.std():.3f} min {v.min():.3f} max {v.max():.3f}")
    for k in ("imitation", "standard_irl", "shaping_min", "shaping_max"):
        v = s[k]
        print(f"{k:32s} mean {v.mean():.3f} sd {v.std():.3f} min {v.min():.3f} max {v.max():.3f}")
    for lv in m.LEVELS:
        print(
            f"{lv:45s} n {np.unique(s['ladder_n'][lv])} mean {s['ladder_mean'][lv].mean():.3f} "
            f"max {s['ladder_max'][lv].mean():.3f} (max over seeds {s['ladder_max'][lv].max():.3f})"
        )
    single = {g: [] for g in m.GAMMA_GRID}
    joint = {g: [] for g in m.GAMMA_GRID}
    for seed in SEEDS:
        o = m.two_environment_identification(seed)
        for g in m.GAMMA_GRID:
            single[g].append(o["single_env_residual"][g])
            joint[g].append(o["two_env_residual"][g])
    for g in m.GAMMA_GRID:
        print(
            f"discount {g}: one-env residual max {max(single[g]):.2e}; two-env residual "
            f"min {min(joint[g]):.2e} mean {np.mean(joint[g]):.2e} max {max(joint[g]):.2e}"
        )
