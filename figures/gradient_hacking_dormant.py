"""Figure for the paper "gradient-hacking": storage in flat directions under different optimizers."""

from experiments import gradient_hacking as E
from figures.figlib import plt, save

STEPS, N_SEEDS, SEED = 3000, 8, 0


def main():
    out = E.dormant_storage(steps=STEPS, n_seeds=N_SEEDS, seed=SEED)
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(7.6, 4.2), sharey=True)
    styles = ["-", "--", "-", ":", "-", "-.", "--"]
    for (label, r), ls in zip(out["runs"].items(), styles):
        ax0.plot(r["t"], r["q"], ls, label=label)
        ax1.plot(r["t"], r["w"], ls, label=label)
        print(
            f"{label:18s} q/q0 final {tuple(round(x, 4) for x in r['q_final'])}  w/w0 final "
            f"{tuple(round(x, 4) for x in r['w_final'])}  uv {r['uv_final']:.4f}  loss {r['loss_final']:.2e}"
        )
    ax0.set_title(r"(a)  $q = u^2 - v^2$, shown as $q / q_0$", loc="left", fontsize=10)
    ax1.set_title(r"(b)  unused weight $w$, shown as $w / w_0$", loc="left", fontsize=10)
    ax0.set_xlabel("training step")
    ax1.set_xlabel("training step")
    ax0.set_ylabel("fraction retained\n(mean of 8 runs)")
    ax0.set_ylim(-0.05, 1.25)
    ax0.legend(loc="upper center", bbox_to_anchor=(1.05, -0.2), ncol=4, fontsize=9)
    fig.subplots_adjust(bottom=0.33, wspace=0.08)
    save(fig, "gradient_hacking_dormant", params=dict(out["params"], steps=STEPS, n_seeds=N_SEEDS, seed=SEED))


if __name__ == "__main__":
    main()
