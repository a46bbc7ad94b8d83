"""Tests for experiments/sa_composite.py."""

import math

import numpy as np
import pytest
from scipy.special import expit

from experiments import sa_composite as s


def test_width_of_logistic_matches_closed_form():
    x = s.default_grid(-10, 10, 20001)
    w = 0.7
    assert s.width_10_90(x, expit(x / w)) == pytest.approx(s.LOGISTIC_WIDTH_FACTOR * w, rel=1e-4)


def test_crossing_interpolates_and_handles_missing_level():
    x = np.array([0.0, 1.0, 2.0])
    y = np.array([0.0, 0.5, 1.0])
    assert s.crossing(x, y, 0.25) == pytest.approx(0.5)
    assert math.isnan(s.crossing(x, y, 1.5))


@pytest.mark.parametrize("k", [1, 2, 5, 10])
def test_identical_product_width_numeric_matches_analytic(k):
    x = s.default_grid(-10, 20, 30001)
    p = s.logistic_components(x, np.zeros(k), 1.0)
    numeric = s.width_10_90(x, s.composite_metrics(p)["p_all"])
    assert numeric == pytest.approx(s.product_width_identical(k), rel=1e-3)


def test_product_width_decreases_towards_gumbel_limit_but_not_below():
    widths = [s.product_width_identical(k) for k in (1, 2, 5, 20, 200, 5000)]
    assert all(a > b for a, b in zip(widths, widths[1:]))
    assert widths[0] == pytest.approx(s.LOGISTIC_WIDTH_FACTOR)
    assert widths[-1] == pytest.approx(s.GUMBEL_WIDTH_FACTOR, rel=1e-3)
    assert min(widths) > s.composite_width_lower_bound(1.0)


def test_lower_bound_holds_for_random_heterogeneous_products():
    rng = np.random.default_rng(1)
    x = s.default_grid(-20, 30, 50001)
    for _ in range(30):
        k = int(rng.integers(1, 30))
        mids = rng.normal(0, 3, size=k)
        p = s.logistic_components(x, mids, 1.0)
        w = s.width_10_90(x, s.composite_metrics(p)["p_all"])
        assert w >= s.composite_width_lower_bound(1.0) - 1e-3


def test_powerlaw_composition_width_is_independent_of_k_and_attains_bound():
    alpha = 0.3
    x = s.default_grid(-10, 30, 40001)
    w_unit = 1.0 / (alpha * math.log(10))
    widths, mids = [], []
    for k in (1, 4, 16):
        p_all = s.composite_metrics(s.powerlaw_components(x, np.ones(k), alpha))["p_all"]
        widths.append(s.width_10_90(x, p_all))
        mids.append(s.crossing(x, p_all, 0.5))
    for w in widths:
        assert w == pytest.approx(s.composite_width_lower_bound(w_unit), rel=1e-3)
    # composition only delays: midpoint moves by log10(k) / alpha decades
    assert mids[1] - mids[0] == pytest.approx(math.log10(4) / alpha, rel=1e-3)


def test_composition_sweep_delays_and_mildly_sharpens():
    r = s.composition_sweep(ks=(1, 5, 20), n_runs=40)
    rows = {row["k"]: row for row in r["rows"]}
    assert rows[1]["composite_width"] == pytest.approx(r["single_width"], rel=1e-3)
    assert rows[20]["composite_width"] < rows[5]["composite_width"] < rows[1]["composite_width"]
    assert rows[20]["composite_width_min"] >= r["bound"] - 1e-3
    assert rows[20]["midpoint_shift"] > rows[5]["midpoint_shift"] > 0.5
    # the partial-credit metric does not sharpen with k
    assert rows[20]["continuous_width"] >= rows[1]["continuous_width"] - 1e-6


def test_threshold_policy_limits_and_bayes_consistency():
    x = np.linspace(-2, 8, 201)
    r = s.threshold_policy(x, tau=0.5, prior_eval=0.5)
    # with tau = prior the rule is "defect iff s < 0": rates are Phi(+-d/2)
    from scipy.stats import norm

    assert np.allclose(r["defect_deploy"], norm.cdf(r["d"] / 2))
    assert np.allclose(r["defect_eval"], norm.cdf(-r["d"] / 2))
    assert np.all(np.diff(r["auroc"]) >= -1e-12)
    assert r["auroc"][0] == pytest.approx(0.5, abs=1e-3) and r["auroc"][-1] == pytest.approx(1.0, abs=1e-6)


def test_stringent_threshold_sharpens_behaviour_and_heterogeneity_smooths_it():
    r = s.threshold_sweep(taus=(0.5, 0.01, 0.001), sigmas=(0.0, 1.0), n_contexts=500)
    rows = {(row["tau"], row["sigma"]): row for row in r["rows"]}
    assert rows[(0.5, 0.0)]["behaviour_width"] == pytest.approx(rows[(0.5, 0.0)]["auroc_width"], rel=1e-2)
    assert rows[(0.001, 0.0)]["behaviour_width"] < 0.5 * rows[(0.001, 0.0)]["auroc_width"]
    assert rows[(0.001, 0.0)]["behaviour_width"] < rows[(0.01, 0.0)]["behaviour_width"]
    assert rows[(0.001, 1.0)]["behaviour_width"] > 2 * rows[(0.001, 0.0)]["behaviour_width"]
    # a cautious policy almost never defects during evaluations
    assert rows[(0.001, 0.0)]["max_defect_eval"] < 0.01


def test_distinguish_separates_composite_from_abrupt_runs():
    r = s.distinguish(n_runs=20, seed=3)
    a, b = r["A"], r["B"]
    # run-averaged curves are matched to within sampling error
    assert abs(a["avg_width"] - b["avg_width"]) < 0.6
    assert abs(a["avg_mid"] - b["avg_mid"]) < 0.6
    # per-run partial credit: smooth for A, limited only by checkpoint spacing for B
    assert a["per_run_partial_width"] > 1.5
    assert b["per_run_partial_width"] <= r["params"]["grid_step"] + 0.1
    assert a["mid_transition_fraction"] > 0.8 and b["mid_transition_fraction"] < 0.3
    assert a["onset_prediction"]["finite_fraction"] == 1.0
    assert a["onset_prediction"]["median_abs_error"] < 0.4
    assert b["onset_prediction"]["finite_fraction"] < 0.6


def test_seeded_determinism():
    r1 = s.distinguish(seed=7, n_runs=8)
    r2 = s.distinguish(seed=7, n_runs=8)
    assert np.array_equal(r1["cap_b"], r2["cap_b"])
    assert repr(r1["A"]) == repr(r2["A"]) and repr(r1["B"]) == repr(r2["B"])  # NaN-safe


def test_confound_sweep_forecast_degrades_with_fewer_questions():
    rows = s.confound_sweep(settings=(("n_items", (25, 1000)),), seeds=range(3))
    few, many = rows[0], rows[1]
    assert few["A"]["median_abs_error"] > many["A"]["median_abs_error"]
    # the genuine-transition model never becomes forecastable
    for r in rows:
        assert r["B"]["finite_fraction"] < 0.6
