"""Figure for the paper "offpolicy-rl-vs-imitation" (request R14): compounding error of cloning."""

from experiments import offpolicy_imitation as E
from figures.figlib import plt, save


def main():
    eps = 0.01
    c = E.compounding(eps=eps)
    H = c["Hs"]
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    for k, col in (("irrecoverable", "C3"), ("untrained recovery", "C1"), ("trained recovery", "C0")):
        ax.plot(H, c[k], color=col, marker="o", ms=3, lw=1.5, label=f"cloned policy, {k}")
    ax.plot(H, eps * H**2, color="k", ls="--", lw=1, label=r"$\epsilon H^2$ (Ross–Bagnell bound)")
    ax.plot(H, eps * H, color="k", ls=":", lw=1, label=r"$\epsilon H$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 2e3)
    ax.set_xlabel("horizon H (steps)")
    ax.set_ylabel("regret vs expert (reward units)")
    ax.legend(fontsize=8)
    save(fig, "offpolicy_imitation_compounding", params={"eps": eps, "Hs": H.tolist()})


if __name__ == "__main__":
    main()
