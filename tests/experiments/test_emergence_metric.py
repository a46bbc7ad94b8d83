"""Tests for experiments/emergence_metric.py."""

import numpy as np
import pytest
from scipy.special import expit

from experiments import emergence_metric as m


def test_exact_match_is_power_of_token_accuracy_and_log_is_linear_in_logprob():
    x = np.linspace(0, 6, 61)
    e = m.expected_metrics(x, "smooth", ks=(1, 5, 20))
    np.testing.assert_allclose(e["em"][1], e["acc"])
    np.testing.assert_allclose(e["em"][20], e["acc"] ** 20)
    # log exact match = k * mean log-probability when items are identical
    np.testing.assert_allclose(np.log(e["em"][20]), 20 * e["logprob"], rtol=1e-10)


def test_scenarios_agree_at_top_of_ladder_and_differ_below():
    thr = m.item_thresholds(500, seed=1)
    top = [m.expected_metrics([6.0], s, thresholds=thr)["acc"][0] for s in m.SCENARIOS]
    assert max(top) - min(top) < 1e-3
    mid = [m.expected_metrics([3.0], s, thresholds=thr)["acc"][0] for s in m.SCENARIOS]
    assert mid[0] > 0.6 and mid[1] < 0.15  # smooth is far ahead of the jump scenario before x_c


def test_jump_is_a_step_in_the_continuous_metric_smooth_is_not():
    x = m.ladder()
    step_jump, where = m.largest_step(x, m.expected_metrics(x, "jump")["logprob"])
    step_smooth, _ = m.largest_step(x, m.expected_metrics(x, "smooth")["logprob"])
    assert 3.75 < where < 4.5
    assert step_jump > 1.5 > step_smooth


def test_measured_metrics_converge_to_expected_and_are_seeded():
    x = np.array([2.0, 4.0])
    a = m.measured_metrics(x, "smooth", k=5, n_items=20000, seed=3)
    e = m.expected_metrics(x, "smooth", ks=(5,))
    np.testing.assert_allclose(a["acc"], e["acc"], atol=0.01)
    np.testing.assert_allclose(a["em"], e["em"][5], atol=0.015)
    b = m.measured_metrics(x, "smooth", k=5, n_items=20000, seed=3)
    np.testing.assert_array_equal(a["em"], b["em"])


def test_finite_items_read_small_exact_match_as_zero():
    r = m.measured_metrics(m.ladder(), "smooth", k=20, n_items=200, seed=0)
    e = m.expected_metrics(m.ladder(), "smooth", ks=(20,))
    tiny = e["em"][20] < 1e-4
    assert tiny.any() and np.all(r["em"][tiny] == 0)


def test_fit_logit_line_recovers_exact_line():
    x = np.linspace(0, 3, 5)
    c0, c1 = m.fit_logit_line(x, expit(-1.0 + 0.7 * x))
    assert c0 == pytest.approx(-1.0) and c1 == pytest.approx(0.7)


def test_forecast_from_continuous_metric_works_for_smooth_and_fails_for_jump():
    smooth = m.forecast("smooth", k=20, n_items=5000, seed=0)
    jump = m.forecast("jump", k=20, n_items=5000, seed=0)
    beyond = smooth["x"] >= 3.75
    assert np.all(np.abs(smooth["surprise"][beyond]) < 0.3)
    after = jump["x"] >= 4.5
    assert np.all(jump["surprise"][after] > 5)  # more than five orders of magnitude under-forecast
    assert jump["coef"][1] == pytest.approx(m.DEFAULTS["b_weak"], abs=0.05)


def test_overdispersion_is_one_for_identical_items_and_large_for_item_steps():
    sm = m.seed_sweep("smooth", range(5))
    it = m.seed_sweep("items", range(5))
    x = sm["x"]
    mid = (x >= 3.75) & (x <= 4.5)
    assert np.all(np.abs(np.nanmean(sm["overdispersion"], axis=0) - 1) < 0.3)
    assert np.all(np.nanmean(it["overdispersion"][:, mid], axis=0) > 5)


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        m.token_logits([1.0], "nonsense")
    with pytest.raises(ValueError):
        m.token_logits([1.0], "items")
