"""Figure for the paper "inductive-biases-for-goals": confound sweep for fitted ReLU rewards.

For the interior-goal and edge targets, the share of ReLU reward models (8 random
initialisations each) that would leave the training region in a large world, and the share
whose optimal 20-step rollout in the 15x15 grid ends outside it, as weight decay,
input scaling and the training-region size vary (goal_priors_sweep.py varies width and depth).
"""

from figures import goal_priors_sweep

CONFIGS = [
    ("weight decay 1e-2", {"wd": 1e-2}, 2),
    ("input scale x3", {"input_scale": 3.0}, 2),
    ("input scale x0.3", {"input_scale": 0.3}, 2),
    ("region 3x3", {}, 1),
    ("region 7x7", {}, 3),
]
NAME = "goal_priors_sweep2"

if __name__ == "__main__":
    goal_priors_sweep.main(CONFIGS, NAME)
