"""Figure for the paper "deceptive-alignment": how far shortcuts get on the weight-change probe."""

from experiments import weight_change_probe as P
from figures.figlib import plt, save

KS = (2, 3, 4, 6, 8)
N = 300
D_FEAT = 3
SEED = 0


def main():
    fig, axes = plt.subplots(1, 2, figsize=(7.4, 3.9), sharey=True)
    tables = {}
    for ax, critic, tag in zip(axes, ("consistent", "independent"), ("(a)", "(b)")):
        rows = P.baseline_table(KS, n=N, d=D_FEAT, seed=SEED, critic=critic)
        tables[critic] = rows
        names = list(rows[0]["acc"])
        markers = ("o", "s", "^", "D")
        for nm, mk in zip(names, markers):
            ax.plot(KS, [r["acc"][nm] for r in rows], marker=mk, label=nm)
        ax.plot(KS, [1.0 / k for k in KS], color="black", linestyle=":", label="chance 1/K")
        ax.set_xticks(KS)
        ax.set_xlabel("number of actions K")
        ax.set_ylim(0, 1.03)
        title = "critic consistent: V = Σ π(a) Q(a)" if critic == "consistent" else "V drawn independently"
        ax.set_title(f"{tag}  {title}", fontsize=10, loc="left")
        for r in rows:
            print(
                critic,
                "K",
                r["K"],
                {k: round(v, 3) for k, v in r["acc"].items()},
                "disagree E/F",
                r["disagree_euclid_fisher"],
                "E/KL",
                r["disagree_euclid_kl"],
                "F/KL",
                r["disagree_fisher_kl"],
            )
    axes[0].set_ylabel("accuracy of the shortcut\n(Euclidean metric)")
    axes[0].legend(fontsize=9, loc="upper center", bbox_to_anchor=(1.05, -0.2), ncol=2)
    fig.subplots_adjust(bottom=0.36, wspace=0.1)
    save(
        fig,
        "deception_probe",
        params={
            "Ks": list(KS),
            "n_per_K": N,
            "d": D_FEAT,
            "seed": SEED,
            "metric": "euclid",
            "alpha": 0.1,
            "margin": 0.05,
            "theta": "U(-1.5,1.5) one decimal",
            "phi": "integers in [-2,2]",
            "Q": "integers in [-5,5]",
            "results": {
                c: [
                    dict(
                        K=r["K"],
                        acc=r["acc"],
                        disagree_euclid_fisher=r["disagree_euclid_fisher"],
                        disagree_euclid_kl=r["disagree_euclid_kl"],
                    )
                    for r in rows
                ]
                for c, rows in tables.items()
            },
        },
    )


if __name__ == "__main__":
    main()
