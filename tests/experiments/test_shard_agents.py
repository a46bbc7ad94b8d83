"""Tests for experiments/shard_agents.py (post: shard-theory-vs-brain-model)."""

import numpy as np

from experiments.shard_agents import (
    LEFT,
    RIGHT,
    CachedQ,
    LookaheadPlanner,
    ThoughtAssessor,
    button,
    revaluation,
)


def test_thought_assessor_revalues_instantly_cached_q_does_not():
    r = revaluation(seed=1, n_seeds=8, train_episodes=100, post_episodes=3)
    # before the switch both learners avoid the (aversive) salt end
    assert r["cached_q_salt_before_switch"] == 0.0
    assert r["thought_assessor_salt_before_switch"] == 0.0
    # immediately after the switch, with no new experience (k = 0)
    assert r["thought_assessor"][0] >= 0.875
    assert r["cached_q"][0] == 0.0


def test_revaluation_is_deterministic_given_seed():
    a = revaluation(seed=3, n_seeds=3, train_episodes=40, post_episodes=2)
    b = revaluation(seed=3, n_seeds=3, train_episodes=40, post_episodes=2)
    for k in ("cached_q", "thought_assessor"):
        np.testing.assert_array_equal(a[k], b[k])


def test_thought_assessor_choice_follows_current_weights():
    n = 5
    ta = ThoughtAssessor(n, np.random.default_rng(0), eps=0.0)
    # teach it the map and the innate features at both ends, by hand
    for s in range(1, n - 1):
        for a, s2 in ((LEFT, s - 1), (RIGHT, s + 1)):
            phi = np.array([1.0, 0.0]) if s2 == 0 else np.array([0.0, 1.0]) if s2 == n - 1 else np.zeros(2)
            ta.update(s, a, 0.0, phi, s2, s2 in (0, n - 1), None)
    assert ta.act(2, np.array([1.0, -1.0]), greedy=True) == LEFT
    assert ta.act(2, np.array([1.0, 2.0]), greedy=True) == RIGHT
    # a cached learner given the same experience has one scalar table: no such switch
    cq = CachedQ(n, np.random.default_rng(0), eps=0.0)
    cq.q[:, LEFT], cq.q[:, RIGHT] = 1.0, -1.0
    assert cq.act(2, np.array([1.0, 2.0]), greedy=True) == LEFT


def test_button_full_planner_seeks_button_after_one_press_reinforce_does_not():
    r = button(seed=2, n_seeds=4, exposures=(0, 1), depths=(1, None), phase1_episodes=60, phase2_episodes=20)
    assert list(r["planner_dinf"]) == [0.0, 1.0]
    assert r["reinforce"][1] == 0.0
    assert r["planner_d1"][1] == 0.0
    # sanity: with these numbers the button really is worth more to a planner
    assert r["discounted_value_button"] > r["discounted_value_task"]


def test_lookahead_depth_limits_reach():
    n = 11
    p = LookaheadPlanner(n, np.random.default_rng(0), depth=3, eps=0.0, known_dynamics=True)
    p.update(9, RIGHT, 2.0, 10, True)  # one button press seen
    p.update(1, LEFT, 1.0, 0, True)  # task seen
    assert p.act(3, greedy=True) == LEFT  # button is 7 steps away: out of reach at depth 3
    p_full = LookaheadPlanner(n, np.random.default_rng(0), depth=None, eps=0.0, known_dynamics=True)
    p_full.update(9, RIGHT, 2.0, 10, True)
    p_full.update(1, LEFT, 1.0, 0, True)
    assert p_full.act(3, greedy=True) == RIGHT


def test_planner_q_table_matches_numpy_reference():
    # The plain-Python plan must equal the vectorised value iteration it replaced.
    rng = np.random.default_rng(5)
    n = 9
    for depth in (1, 3, None):
        p = LookaheadPlanner(n, np.random.default_rng(0), depth=depth, known_dynamics=(depth != 3))
        for s in range(1, n - 1):
            for a in (LEFT, RIGHT):
                if rng.random() < 0.7:
                    s2 = s - 1 if a == LEFT else s + 1
                    p.update(s, a, float(rng.normal()), s2, s2 in (0, n - 1))
        known = p.next >= 0
        nxt = np.where(known, p.next, 0)
        term = known & ((nxt == 0) | (nxt == n - 1))
        lv, iters = (np.zeros(n), 2 * n) if depth is None else (p.v.copy(), depth - 1)
        for _ in range(iters + 1):
            q = np.where(known, p.r_hat + p.gamma * np.where(term, 0.0, lv[nxt]), 0.0)
            lv = q.max(axis=1)
        np.testing.assert_array_equal(np.array(p._q()), q)
