"""Figure for the post "papers-to-replicate": a CPU-sized grokking replication."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # tiny matrices: one thread is fastest


from experiments import replication_entry as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

SEEDS = (0, 1, 2)
WDS = (1.0, 0.0)


def main():
    res = E.run(seeds=SEEDS, weight_decays=WDS)
    s = res["steps"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, wd in enumerate(WDS):
        c = colors[i]
        for j in range(len(SEEDS)):
            ax1.plot(s, res["train_acc"][i, j], color=c, lw=0.8, ls=":", alpha=0.7)
            ax1.plot(s, res["test_acc"][i, j], color=c, lw=1.2, alpha=0.85)
            ax2.plot(s, res["fourier_conc"][i, j], color=c, lw=1.2, alpha=0.85)
        ax1.plot([], [], color=c, lw=1.2, label=f"test, weight decay {wd:g}")
        ax1.plot([], [], color=c, lw=0.8, ls=":", label=f"train, weight decay {wd:g}")
        ax2.plot([], [], color=c, lw=1.2, label=f"weight decay {wd:g}")
    ax1.set_xlabel("full-batch AdamW step")
    ax1.set_ylabel("accuracy (fraction of pairs)")
    ax1.set_ylim(-0.02, 1.02)
    ax1.legend(loc="center right", fontsize=9)
    ax1.set_title("(a)", loc="left", fontsize=10)
    p = res["params"]["p"]
    ax2.set_xlabel("full-batch AdamW step")
    ax2.set_ylabel("single-frequency share of\nembedding power (0–1)")
    ax2.set_ylim(0, 1.02)
    ax2.legend(loc="lower right", fontsize=9)
    ax2.set_title("(b)", loc="left", fontsize=10)
    fig.tight_layout()
    params = {k: v for k, v in res["params"].items()}
    params["modulus"] = p
    save(fig, "replication_entry_grokking", params=params)


if __name__ == "__main__":
    main()
