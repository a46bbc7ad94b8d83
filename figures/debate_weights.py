"""Figure for the post "debate-on-weights": judge accuracy vs verification budget and tool reliability."""

import numpy as np

from experiments import debate_weights as E
from figures.figlib import plt, save


def main():
    budgets = E.BUDGETS
    fig, axes = plt.subplots(2, 2, figsize=(10.4, 7.4))
    (ax_a, ax_b), (ax_c, ax_d) = axes
    base = E.judge_accuracy(budgets)

    def beh(ax):
        ax.plot(budgets, base["behaviour"], color="black", ls="--", lw=1.6, label="behaviour only")

    # (a) noisy but honest tool
    beh(ax_a)
    eps_list = [0.0, 0.2, 0.35, 0.45, 0.5]
    for eps in eps_list:
        r = E.judge_accuracy(budgets, eps=eps)
        ax_a.plot(budgets, r["white_box"], marker="o", ms=3, label=f"white box, ε = {eps:g}")
    ax_a.set_title("(a) noisy tool: read error ε", fontsize=10, loc="left")

    # (b) tool fooled by the dishonest debater
    beh(ax_b)
    phi_list = [0.0, 0.2, 0.5, 0.8]
    for phi in phi_list:
        r = E.judge_accuracy(budgets, phi=phi)
        ax_b.plot(budgets, r["white_box"], marker="o", ms=3, label=f"white box, φ = {phi:g}")
    ax_b.set_title("(b) tool fooled by dishonest side w.p. φ", fontsize=10, loc="left")

    # (c) obfuscated evidence spread over m units
    beh(ax_c)
    m_list = [2, 16, 128, 1024]
    for m in m_list:
        r = E.judge_accuracy(budgets, m=m, obfuscated=True)
        ax_c.plot(budgets, r["white_box"], marker="o", ms=3, label=f"white box, m = {m}")
    ax_c.set_title("(c) flaw hidden among m units", fontsize=10, loc="left")

    for ax in (ax_a, ax_b, ax_c):
        ax.set_xscale("log")
        ax.set_ylim(0.0, 1.42)
        ax.set_yticks([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.axhline(0.5, color="0.5", lw=0.8)
        ax.set_xlabel("judge's verification budget b (checks per debate)")
        ax.set_ylabel("judge accuracy")
        ax.legend(loc="upper center", fontsize=7.2, ncol=2, columnspacing=1.0, handlelength=1.6)

    # (d) gain of white box over behaviour, budget x read error
    eps_grid = np.round(np.linspace(0.0, 0.5, 6), 3)
    gain = np.array([E.judge_accuracy(budgets, eps=e)["white_box"] - base["behaviour"] for e in eps_grid])
    vmax = float(np.max(np.abs(gain)))
    im = ax_d.imshow(gain, origin="lower", aspect="auto", cmap="PuOr", vmin=-vmax, vmax=vmax)
    ax_d.set_xticks(range(len(budgets)), [str(b) for b in budgets], rotation=60)
    ax_d.set_yticks(range(len(eps_grid)), [f"{e:.2f}" for e in eps_grid])
    ax_d.set_xlabel("judge's verification budget b (checks per debate)")
    ax_d.set_ylabel("tool read-error rate ε")
    ax_d.grid(False)
    ax_d.set_title("(d) accuracy gain of white box over behaviour", fontsize=10, loc="left")
    cb = fig.colorbar(im, ax=ax_d, fraction=0.05, pad=0.02)
    cb.set_label("white-box minus behaviour-only accuracy")
    fig.tight_layout()
    p = dict(E.DEFAULTS)
    p.update(
        budgets=budgets.tolist(),
        eps_list=eps_list,
        phi_list=phi_list,
        m_list=m_list,
        eps_grid=eps_grid.tolist(),
        lab_trigger_rate="2**-k_z",
    )
    save(fig, "debate_weights", params=p)
    return base


if __name__ == "__main__":
    main()
