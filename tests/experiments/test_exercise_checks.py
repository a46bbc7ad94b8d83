import numpy as np
import pytest

from experiments import exercise_checks as m


def test_expected_max_normal_known_values():
    assert m.expected_max_normal(1) == pytest.approx(0.0, abs=1e-9)
    assert m.expected_max_normal(2) == pytest.approx(1 / np.sqrt(np.pi), rel=1e-6)


def test_bon_gaussian_matches_closed_form_and_shrinks_with_noise():
    out = m.bon_gaussian(n=50, noise_sd=1.0, trials=4000, seed=1)
    assert abs(out["mc_true_value"] - out["closed_form"]) < 5 * out["mc_se"]
    assert out["closed_form"] < out["oracle"]


def test_heavy_tailed_error_eventually_destroys_selection():
    out = m.bon_heavy(ns=(10, 3000), df=1.5, trials=600, seed=2)
    assert out["heavy"][1] < out["heavy"][0]
    assert out["gauss"][1] > out["gauss"][0]
    assert out["heavy"][1] < 0.3


def test_potential_shaping_preserves_policy_and_shifts_q_by_phi():
    out = m.shaping_check(seed=3)
    assert out["same_greedy_policy"]
    assert out["max_abs_Q_shift_error"] < 1e-8


def test_progress_bonus_loop():
    assert m.shaping_loop(gamma=0.9)["cycles"]
    assert not m.shaping_loop(gamma=0.0, bonus=1.0, goal_reward=1.0)["cycles"]


def test_kl_regularised_policy():
    pi = m.kl_regularised_policy([0.5, 0.5], [1.0, 0.0], 0.5)
    assert pi[0] == pytest.approx(np.exp(2) / (1 + np.exp(2)))
    assert np.allclose(m.kl_regularised_policy([0.2, 0.8], [0, 0], 1.0), [0.2, 0.8])


def test_bon_kl_and_gao_peak():
    assert m.bon_kl(1) == pytest.approx(0.0)
    assert m.bon_kl(2) == pytest.approx(np.log(2) - 0.5)
    out = m.gao_bon_peak(1.0, 0.1)
    assert out["d_star"] == pytest.approx(5.0)
    assert m.bon_kl(np.exp(out["log_n_star"])) == pytest.approx(25.0, rel=1e-6)


def test_offswitch_incentive_nonnegative_and_vanishes_with_certainty():
    a = m.offswitch_incentive(0.5, 1.0)
    assert a["incentive"] == pytest.approx(0.1978, abs=1e-3)
    assert abs(a["mc_defer_value"] - a["defer_value"]) < 0.01
    assert m.offswitch_incentive(0.5, 0.05)["incentive"] < 1e-6


def test_power_fraction_and_newcomb():
    out = m.power_fraction(trials=20000, seed=4)
    assert abs(out["mc"] - 0.75) < 0.02
    assert m.newcomb_breakeven() == pytest.approx(0.5005)


def test_majority_vote():
    assert m.majority_vote(1, 0.6) == pytest.approx(0.6)
    assert m.majority_vote(5, 0.6) == pytest.approx(0.68256)


def test_upfront_audit_optimum():
    out = m.upfront_audit(10000, 200)
    assert out["p_star"] == pytest.approx(out["p_closed"], rel=1e-3)
    assert out["blue_win"] == pytest.approx(0.0952, abs=1e-3)


def test_interference_variance():
    out = m.interference(d=256, n=3000, p=0.02, trials=300, seed=5)
    assert out["mc_var"] == pytest.approx(out["predicted_var"], rel=0.3)
    assert out["overlap_sd"] == pytest.approx(out["predicted_overlap_sd"], rel=0.1)


def test_chinchilla():
    out = m.chinchilla(1e25)
    assert 6 * out["params"] * out["tokens"] == pytest.approx(1e25)
    assert out["tokens"] / out["params"] == pytest.approx(20.0)


def test_trusted_monitoring_and_exact_match():
    out = m.trusted_monitoring(0.02, 2.0, ks=(1, 5))
    assert out["threshold"] == pytest.approx(2.0537, abs=1e-3)
    assert out["catch_one"] == pytest.approx(0.4786, abs=1e-3)
    assert out["catch_any"][5] > out["catch_any"][1]
    em = m.exact_match_curve((0.9,), 20)
    assert em[0.9] == pytest.approx(0.9**20)
