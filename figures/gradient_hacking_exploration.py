"""Figure for the paper "gradient-hacking": exploration hacking versus supervised elicitation."""

import numpy as np

from experiments import gradient_hacking as E
from figures.figlib import plt, save

P0S = (0.3, 0.1, 0.03, 0.01, 3e-3, 1e-3, 3e-4)
N_SEEDS, N_SAMPLES, LR, MAX_STEPS, SEED = 32, 8, 1.0, 20000, 0


def main():
    ex = E.exploration(p0s=P0S, n_seeds=N_SEEDS, n_samples=N_SAMPLES, lr=LR, max_steps=MAX_STEPS, seed=SEED)
    p0 = ex["p0"]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ax.loglog(p0, ex["t_rl_median"], "o-", label=f"REINFORCE, {N_SAMPLES} samples/step (median of {N_SEEDS})")
    ax.fill_between(p0, ex["t_rl_q25"], ex["t_rl_q75"], alpha=0.2)
    ax.loglog(p0, ex["t_rl_mean_update"], "s", mfc="none", label="REINFORCE, expected update")
    ax.loglog(p0, ex["theory_rl"], "k:", label="policy-gradient flow, Prop. 6")
    ax.loglog(p0, ex["t_sl"], "^-", label="supervised cross-entropy on demonstrations")
    ax.loglog(p0, ex["theory_sl"], "k--", lw=1, label="supervised flow, Prop. 6")
    ax.set_xlabel("initial probability $p_0$ of the rewarded action")
    ax.set_ylabel(r"steps until $p \geq 1/2$ (lr 1)")
    ax.invert_xaxis()
    ax.legend(loc="upper left", fontsize=9)
    for k in ("p0", "t_rl_median", "t_rl_q25", "t_rl_q75", "t_rl_mean_update", "theory_rl", "t_sl", "theory_sl", "first_hit_median"):
        print(k, np.round(ex[k], 2).tolist())
    print("censored", ex["censored"].sum(axis=1).tolist())
    save(
        fig,
        "gradient_hacking_exploration",
        params=dict(p0s=list(P0S), n_seeds=N_SEEDS, n_samples=N_SAMPLES, lr=LR, max_steps=MAX_STEPS, seed=SEED),
    )


if __name__ == "__main__":
    main()
