"""Figures for the post shard-theory-vs-brain-model (experiments/shard_agents.py)."""

import numpy as np

from experiments.shard_agents import button, revaluation
from figures.figlib import plt, save


def revaluation_figure():
    r = revaluation()
    fig, ax = plt.subplots()
    labels = {
        "cached_q": "cached values (tabular Q-learning)",
        "thought_assessor": "learned feature predictors + current innate weights",
    }
    for name in r["names"]:
        ax.plot(r["k"], 100 * r[name], label=labels[name])
    ax.set_xlabel("learning episodes in the new (salt-deprived) state")
    ax.set_ylabel("seeds whose first choice is salt (%)")
    ax.set_ylim(-3, 103)
    ax.legend(loc="center right", bbox_to_anchor=(1.0, 0.7))
    save(fig, "shard_revaluation", params=r["params"])


def button_figure():
    known = button(known_dynamics=True)
    learned = button(known_dynamics=False)
    labels = {
        "reinforce": "REINFORCE (policy gradient)",
        "planner_d1": "TD critic + 1-step lookahead",
        "planner_d3": "TD critic + 3-step lookahead",
        "planner_d6": "TD critic + 6-step lookahead",
        "planner_dinf": "full planning on learned reward model",
    }
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    x = np.arange(len(known["exposures"]))
    markers = {"reinforce": "o", "planner_d1": "s", "planner_d3": "^", "planner_d6": "D", "planner_dinf": "v"}
    sizes = {"reinforce": 9, "planner_d1": 7, "planner_d3": 4, "planner_d6": 5, "planner_dinf": 5}
    for i, name in enumerate(known["names"]):
        (line,) = ax.plot(x, 100 * known[name], marker=markers[name], markersize=sizes[name], label=labels[name], linestyle="-", alpha=0.9)
        if name in ("planner_d6", "planner_dinf"):
            ax.plot(
                x, 100 * learned[name], marker="x", linestyle=":", color=line.get_color(), label=labels[name] + ", map learned by exploring"
            )
    ax.set_xticks(x, [str(m) for m in known["exposures"]])
    ax.set_xlabel("button presses experienced during phase 2 (count)")
    ax.set_ylabel("seeds whose greedy policy goes to the button (%)")
    ax.set_ylim(-3, 103)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8)
    params = dict(known_dynamics_run=known["params"], learned_dynamics_run=learned["params"])
    save(fig, "shard_button", params=params)


if __name__ == "__main__":
    revaluation_figure()
    button_figure()
