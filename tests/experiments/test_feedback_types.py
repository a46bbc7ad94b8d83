import numpy as np

from experiments import feedback_types as E


def _theta(seed=0):
    return E.true_theta(np.random.default_rng(seed))


def test_true_theta_unit_norm_and_hidden_weight():
    th = _theta()
    assert np.isclose(np.linalg.norm(th), 1.0)
    assert th[0] == -0.5


def test_choice_fit_recovers_theta_with_many_comparisons():
    th = _theta(1)
    rng = np.random.default_rng(2)
    data = E.simulate("comparison", "benign", 4000, th, rng)
    est = E.fit("comparison", data)
    cos = est @ th / np.linalg.norm(est)
    assert cos > 0.99
    # Boltzmann fit with the true beta recovers the scale too
    assert 0.8 < np.linalg.norm(est) < 1.25


def test_partial_observability_zeroes_hidden_weight():
    th = _theta(3)
    rng = np.random.default_rng(4)
    est = E.fit("comparison", E.simulate("comparison", "partial_obs", 4000, th, rng))
    assert abs(est[0]) < 0.1
    assert E.evaluate(est, th, rng)["err"] > 0.08


def test_salient_bias_inflates_feature_one():
    th = _theta(5)
    rng = np.random.default_rng(6)
    est = E.fit("demonstration", E.simulate("demonstration", "salient_bias", 1500, th, rng))
    assert est[1] - th[1] > 0.3


def test_comparisons_invariant_to_rating_offsets_but_ratings_hurt_by_anchoring():
    sw = E.drift_sweep(anchors=(0.0, 0.8), drifts=(0.0,), minutes=60, seeds=6)
    rating, comp = sw["regret"][0, :, 0], sw["regret"][1, :, 0]
    assert rating[1] > 3 * rating[0]
    assert np.isclose(comp[0], comp[1])


def test_assistance_reduces_regret_and_regret_falls_with_budget():
    r = E.run(types=("comparison",), conditions=("partial_obs", "assisted"), budgets_min=(10, 120), seeds=4)
    assert r["regret"][0, 1, 1] < 0.5 * r["regret"][0, 0, 1]
    assert r["regret"][0, 1, 1] < r["regret"][0, 1, 0]


def test_evaluate_perfect_estimate_has_zero_regret_and_seeded_runs_repeat():
    th = _theta(7)
    ev = E.evaluate(2.0 * th, th, np.random.default_rng(0))
    assert ev["regret"] == 0.0 and abs(ev["err"]) < 1e-12
    a = E.run(types=("rating",), conditions=("benign",), budgets_min=(10,), seeds=2)
    b = E.run(types=("rating",), conditions=("benign",), budgets_min=(10,), seeds=2)
    assert np.array_equal(a["regret"], b["regret"])


def test_normalised_regret_equals_one_minus_cos_for_gaussian_options():
    # For isotropic Gaussian options, E[regret]/E[best - random] = 1 - cos(theta_hat, theta).
    th = _theta(11)
    tilde = th.copy()
    tilde[0] = 0.0  # the hidden-feature estimate of Proposition 2
    ev = E.evaluate(tilde, th, np.random.default_rng(12), n_eval=40000)
    assert abs(ev["err"] - (1 - np.sqrt(1 - th[0] ** 2))) < 1e-12
    assert abs(ev["regret"] - ev["err"]) < 0.01


def test_strong_anchoring_is_an_efficiency_loss_not_a_bias():
    kw = dict(types=("rating",), conditions=("drift_anchor",), seeds=4, base_seed=1, anchor=0.8, drift_sd=0.0)
    small = E.run(budgets_min=(60,), **kw)["regret"][0, 0, 0]
    large = E.run(budgets_min=(480,), **kw)["regret"][0, 0, 0]
    assert large < 0.4 * small


def test_assistance_shrinks_hidden_weight_by_the_reveal_fraction():
    ratios = E.hidden_weight_ratio("rating", n=20000, draws=3, base_seed=20)
    assert 0.72 < ratios.mean() < 0.88
    # with every query revealed, nothing is lost
    full = E.hidden_weight_ratio("rating", n=20000, draws=3, base_seed=20, p_reveal=1.0)
    assert abs(full.mean() - 1.0) < 0.06


def test_anchoring_budgets_shape_and_comparisons_beat_strong_anchoring():
    a = E.anchoring_budgets(budgets_min=(60, 240), seeds=3)
    assert a["regret"].shape == (2, 2)
    assert np.all(a["regret"][0] > 2 * a["regret"][1])
