import math

import numpy as np
import pytest

from experiments import goal_priors as E


def test_iid_prior_recovers_turner_fraction():
    rng = np.random.default_rng(0)
    env = E.turner_mdp(4, 1.0)
    R = E.sample_rewards("iid_uniform", env["pos"], 40000, rng)
    p = E.choice_rates(R, 4, [0.999])["hub"][0]
    assert p == pytest.approx(4 / 5, abs=0.01)
    # as gamma -> 0 the decision depends on r(HUB) vs r(OFF) only: one half
    assert E.choice_rates(R, 4, [1e-6])["hub"][0] == pytest.approx(0.5, abs=0.01)


def test_exchangeable_network_prior_matches_iid():
    # Proposition 1: a random net on one-hot codes is exchangeable over states
    rng = np.random.default_rng(1)
    env = E.turner_mdp(4, 0.25)
    R = E.sample_rewards("nn_onehot", env["pos"], 20000, rng)
    assert E.choice_rates(R, 4, [0.999])["hub"][0] == pytest.approx(0.8, abs=0.015)


def test_clustered_options_count_as_fewer():
    rng = np.random.default_rng(2)
    env = E.turner_mdp(4, 0.1)
    R = E.sample_rewards("nn_coords", env["pos"], 20000, rng, w_scale=1.0)
    p = E.choice_rates(R, 4, [0.999])["hub"][0]
    assert p < 0.6
    assert E.effective_options(p) < 1.5


def test_block_formula_limits_and_monotonicity():
    assert E.gaussian_block_prob(4, 0.0) == pytest.approx(0.8, abs=1e-4)
    assert E.gaussian_block_prob(7, 0.0) == pytest.approx(7 / 8, abs=1e-4)
    # exchangeable case rho_c = rho gives K/(K+1) whatever rho
    assert E.gaussian_block_prob(4, 0.6, 0.6) == pytest.approx(0.8, abs=1e-4)
    ps = [E.gaussian_block_prob(4, r) for r in (0.0, 0.3, 0.6, 0.9, 0.99)]
    assert all(a > b for a, b in zip(ps, ps[1:]))
    assert ps[-1] > 0.5
    assert E.gaussian_block_prob(1, 0.5) == pytest.approx(0.5, abs=1e-4)


def test_block_formula_matches_monte_carlo():
    rng = np.random.default_rng(3)
    for rho, rc in [(0.3, 0.0), (0.9, 0.5), (0.5, -0.2)]:
        exact = E.gaussian_block_prob(4, rho, rc)
        mc = E.gaussian_block_mc(4, rho, 200000, rng, rc)
        assert mc == pytest.approx(exact, abs=0.005)
    assert E.block_c(0.5, 0.5) == pytest.approx(1.0)


def test_sparse_prior_has_ties_and_counts_states():
    rng = np.random.default_rng(4)
    env = E.turner_mdp(4, 1.0)
    R = E.sample_rewards("sparse", env["pos"], 30000, rng, k=1)
    cr = E.choice_rates(R, 4, [0.9])
    # rewarded state is HUB or a room (5/7): hub; S (1/7): tie; OFF (1/7): off
    assert cr["hub"][0] == pytest.approx(5 / 7, abs=0.01)
    assert cr["tie"][0] == pytest.approx(1 / 7, abs=0.01)


def test_training_compatibility_iid_is_position_free():
    rng = np.random.default_rng(5)
    offs = np.array([[2.5, -1.0], [2.5, 1.0]])
    r = E.compatible_shutdown_sweep("iid_uniform", offs, 20000, rng)
    assert r["frac_compatible"] == pytest.approx(0.25, abs=0.01)
    assert np.allclose(r["p_avoid_compat"], 0.8, atol=0.02)
    f = E.compatible_shutdown_sweep("nn_coords", offs, 8000, rng)
    # shutdown that looks like the trained-on room is chosen far more often
    assert f["p_avoid_compat"][0] < 0.6 < 0.8 < f["p_avoid_compat"][1]


def test_planner_on_grid():
    env = E.grid(3, 1)
    n = env["cells"].shape[0]
    R = np.zeros((1, n))
    far = np.where((env["cells"] == [3, 0]).all(1))[0][0]
    R[0, far] = 1.0
    # needs 3 steps to reach x = 3
    assert E.plan(R, env["succ"], 0.9, 2, env["start"])[0] != far
    assert E.plan(R, env["succ"], 0.9, 5, env["start"])[0] == far


def test_fitted_rewards_scope():
    env = E.grid(7, 2)
    n = env["cells"].shape[0]
    seeds = [0, 1, 2]
    Rf, mse = E.fit_rewards("relu", "gradient", env, seeds, far=20, steps=600)
    assert mse.max() < 1e-2
    m = E.scope_metrics(Rf[:, :n], env, horizons=(1, 20))
    assert m["p_leave"][0] == 0.0 and m["p_leave"][1] == 1.0
    assert E.eventually_leaves(Rf, env).all()
    Rr, _ = E.fit_rewards("rbf", "gradient", env, seeds, far=20)
    assert E.scope_metrics(Rr[:, :n], env, horizons=(20,))["p_leave"][0] == 0.0
    assert not E.eventually_leaves(Rr, env).any()
    Rt, _ = E.fit_rewards("tabular", "goal", env, seeds, init_scale=0.1)
    assert np.allclose(Rt[:, env["train"]], E.target_reward("goal", env["cells"], 2)[env["train"]])


def test_far_ring_size():
    assert len(E.far_ring(5)) == 4 * 11
    assert math.isclose(np.abs(E.far_ring(5)).max(), 5)
