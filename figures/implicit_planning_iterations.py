"""Figure for the paper "implicit-planning": Guez et al.'s thinking-time criterion."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import implicit_planning as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

N_TRAIN, N_TEST, EPOCHS, SEED, K_TRAIN = 800, 250, 6, 0, 6
KS = list(range(1, 13))


def main():
    tr, te = E.standard_data(N_TRAIN, N_TEST, seed=SEED)
    P, _ = E.train("rec", tr, seed=SEED, epochs=EPOCHS, K=K_TRAIN)
    r = E.recurrent_sweep(P, tr, te, KS)
    vi = E.value_iteration_accuracy(te, KS)
    ood = E.make_dataset(N_TEST, SEED + 20_000, p_wall=0.4)
    ood_acc = [E.accuracy("rec", P, ood, k) for k in KS]
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 4.6))
    ax = axes[0]
    ax.plot(KS, r["acc_train"], "o-", ms=4, label="net, training mazes")
    ax.plot(KS, r["acc_test"], "o-", ms=4, label="net, held-out mazes")
    ax.plot(KS, ood_acc, "o--", ms=4, label="net, denser walls (p = 0.4)")
    ax.plot(KS, vi, "k:", marker=".", label="value iteration, k sweeps")
    ax.axvspan(K_TRAIN + 0.5, max(KS) + 0.5, color="0.9", zorder=0)
    ax.text(K_TRAIN + 0.8, 0.47, "beyond the\ntrained k", fontsize=8)
    ax.set_xlabel("internal iterations k")
    ax.set_ylabel("fraction of states with an optimal action")
    ax.set_title("(a) accuracy vs thinking time", loc="left", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=1)
    ax = axes[1]
    ax.plot(KS, r["r2_V"], "o-", ms=4, label="V* = −d (BFS distance)")
    ax.plot(KS, r["r2_manhattan"], "s-", ms=4, label="−m (Manhattan distance)")
    ax.plot(KS, r["r2_detour"], "^-", ms=4, label="detour d − m")
    ax.axvspan(K_TRAIN + 0.5, max(KS) + 0.5, color="0.9", zorder=0)
    ax.set_xlabel("internal iterations k")
    ax.set_ylabel("held-out probe R² of $h_k$")
    ax.set_title("(b) decodability vs iterations", loc="left", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=1)
    fig.tight_layout()
    summary = {k: np.round(v, 3).tolist() for k, v in r.items()}
    summary["value_iteration"] = np.round(vi, 3).tolist()
    summary["acc_ood"] = np.round(ood_acc, 3).tolist()
    for k, v in summary.items():
        print(k, v)
    save(
        fig,
        "implicit_planning_iterations",
        params={"n_train_mazes": N_TRAIN, "n_test_mazes": N_TEST, "epochs": EPOCHS, "seed": SEED, "k_train": K_TRAIN, "results": summary},
    )


if __name__ == "__main__":
    main()
