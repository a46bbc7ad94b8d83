import numpy as np
import pytest

from experiments import cirl_offswitch as E


def test_rational_incentive_closed_form_matches_quadrature_and_is_nonnegative():
    mus = np.linspace(-2.0, 2.0, 41)
    for sigma in (0.1, 0.5, 1.0, 2.0):
        closed = E.rational_incentive_closed_form(mus, sigma)
        exact = E.deference_incentive(mus, sigma, np.inf)
        assert np.allclose(closed, exact, atol=1e-10)
        assert np.all(closed >= 0.0)
        # A very sharp Boltzmann human approaches the rational one.
        assert np.allclose(E.deference_incentive(mus, sigma, 400.0), exact, atol=5e-3)


def test_noisy_human_makes_a_confident_robot_stop_deferring():
    # Wide belief: defer.  Sharp belief: act instead (Delta < 0), for every finite beta.
    for beta in (1.0, 4.0, 16.0):
        assert E.deference_incentive(0.3, 2.0, beta) > 0
        assert E.deference_incentive(0.3, 0.01, beta) < 0
    # The rational human keeps Delta >= 0 even for a sharp belief.
    assert E.deference_incentive(0.3, 0.01, np.inf) >= 0


def test_bias_uncertainty_formula_and_limit():
    rng = np.random.default_rng(1)
    mu, sigma, s_b = 0.3, 1.0, 1.5
    u = mu + sigma * rng.standard_normal(400_000)
    b = s_b * rng.standard_normal(400_000)
    mc = np.mean(u * (u + b > 0)) - max(mu, 0.0)
    assert E.incentive_with_bias_uncertainty(mu, sigma, s_b) == pytest.approx(mc, abs=5e-3)
    # No uncertainty about the bias: reduces to the rational closed form.
    assert E.incentive_with_bias_uncertainty(mu, sigma, 0.0) == pytest.approx(float(E.rational_incentive_closed_form(mu, sigma)), abs=1e-12)
    # Huge uncertainty about the human's bias: Delta -> -|mu|/2.
    assert E.incentive_with_bias_uncertainty(mu, sigma, 1e4) == pytest.approx(-abs(mu) / 2, abs=1e-3)


def test_regret_is_zero_when_model_is_right_and_positive_when_wrong():
    g = E.regret_grid(beta_true=(8.0,), b_true=(0.0, 2.0), beta_model=8.0, b_model=0.0)
    assert g["regret"][0, 0] == pytest.approx(0.0, abs=1e-12)
    assert g["regret"][0, 1] > 0.1
    g2 = E.regret_grid(beta_true=(0.25, np.inf), b_true=(0.0,), beta_model=8.0)
    assert g2["regret"][0, 0] > 0.1  # a very noisy human: deferring is costly
    assert g2["regret"][1, 0] < 1e-3  # a rational human: near-rational model is fine


def test_misspecified_bias_shifts_posterior_and_removes_deference():
    mis = E.sequential_learning(u_true=-0.5, beta_true=2.0, b_true=1.0, b_model=0.0, n_max=300, n_runs=100, seed=3)
    ok = E.sequential_learning(u_true=-0.5, beta_true=2.0, b_true=1.0, b_model=1.0, n_max=300, n_runs=100, seed=3)
    # Posterior converges to u_true + (b_true - b_model) = +0.5 under the wrong model.
    assert mis["predicted_limit"] == pytest.approx(0.5)
    assert mis["post_mean"][-1] == pytest.approx(0.5, abs=0.08)
    assert ok["post_mean"][-1] == pytest.approx(-0.5, abs=0.08)
    # Both start by deferring; the wrong-model robot ends up acting on a bad action.
    assert mis["p_wait"][0] == 1.0 and ok["p_wait"][0] == 1.0
    assert mis["p_act"][-1] > 0.95 and mis["true_payoff"][-1] == pytest.approx(-0.5)
    assert ok["p_off"][-1] > 0.95 and ok["true_payoff"][-1] > -0.01


def test_bias_and_utility_are_not_separately_identified_from_allow_rates():
    a = E.marginal_allow_prob(0.5, 1.0, 2.0, 0.0)
    b = E.marginal_allow_prob(-0.5, 1.0, 2.0, 1.0)
    c = E.marginal_allow_prob(-0.5, 1.0, 2.0, 0.0)
    assert a == pytest.approx(b, abs=1e-12)
    assert abs(a - c) > 0.1


def test_learned_human_model_hits_a_misspecification_floor():
    r = E.learned_human_model(ns=(100, 2000), n_runs=8, seed=2)
    # The well-specified class keeps improving; the misspecified one does not.
    assert r["regret_spec"][1] < 0.01
    assert r["regret_mis"][1] > 0.03
    assert r["regret_mis"][1] > r["regret_mis"][0] - 0.005
    # Both fits are judged on the training distribution too.
    assert r["loss_spec"][1] < r["loss_mis"][1]


def test_tie_breaking_prefers_waiting():
    assert E.choose_move(np.array([0.2, 0.0, 0.2])) == 2
    assert E.choose_move(np.array([0.0, 0.0, -0.1])) == 1


def test_unseen_context_cannot_be_learned_by_either_class():
    r = E.learned_human_model(ns=(500,), p_context1_train=0.0, n_runs=3, seed=4)
    assert r["regret_spec"][0] == pytest.approx(r["regret_mis"][0], abs=1e-9)
    assert r["loss_spec"][0] == pytest.approx(r["loss_mis"][0], abs=1e-6)


def test_posterior_limit_formula_holds_across_settings():
    rows = E.sequential_sweep(u_trues=(-0.5, 0.5), bias_pairs=((1.0, 0.0), (0.0, 1.0)), n_max=300, n_runs=40)
    for row in rows:
        assert row["final_post_mean"] == pytest.approx(row["predicted_limit"], abs=0.1)
