"""Tests for experiments/cap_align_corr.py (R20 toy model)."""

import numpy as np
import pytest

from experiments import cap_align_corr as exp

SMALL = {"n_models": 2000}


def test_seeded_and_deterministic():
    a = exp.simulate(seed=3, **SMALL)
    b = exp.simulate(seed=3, **SMALL)
    c = exp.simulate(seed=4, **SMALL)
    assert np.array_equal(a["M"], b["M"]) and np.array_equal(a["A"], b["A"])
    assert not np.array_equal(a["M"], c["M"])


def test_unknown_parameter_rejected():
    with pytest.raises(TypeError):
        exp.simulate(seed=0, not_a_param=1)


def test_no_sa_control_has_no_gaming_and_no_gap():
    sim = exp.simulate(seed=0, c_star=np.inf, **SMALL)
    assert not sim["sa"].any() and not sim["gaming"].any()
    r = exp.regime_stats(sim)
    # measured and true alignment differ only by independent noise
    assert abs(r["all"]["gap"]) < 0.05
    assert abs(r["all"]["rho_CM"] - r["all"]["rho_CA"]) < 0.05


def test_gaming_requires_sa_and_negative_disposition():
    sim = exp.simulate(seed=1, **SMALL)
    g = sim["gaming"]
    assert g.any()
    assert np.all(sim["sa"][g]) and np.all(sim["v"][g] < 0)
    # gaming models score well when measured: o_eval = 1 -> M = (1 + alpha C) + noise
    p = sim["params"]
    resid = sim["M"][g] - (1 + p["alpha"] * sim["C"][g])
    assert abs(resid.mean()) < 0.1


def test_perfect_goal_guarding_freezes_disposition():
    # with leak = 0 a model that games for the whole run keeps its initial goal
    sim = exp.simulate(seed=2, c_star=-1.0, sa_width=1e-6, **SMALL)  # SA from step 0
    neg = sim["v0"] < 0
    assert np.allclose(sim["v"][neg], sim["v0"][neg])
    # honest (v0 >= 0) models still move toward the target 1
    pos = sim["v0"] >= 0
    assert np.all(np.abs(1 - sim["v"][pos]) < np.abs(1 - sim["v0"][pos]))


def test_pre_sa_correlation_positive_and_measurement_valid():
    r = exp.regime_stats(exp.simulate(seed=0, **SMALL))
    assert r["below"]["rho_CA"] > 0.25
    assert r["below"]["validity"] > 0.7
    assert r["below"]["gap"] < 0.05


def test_decoupling_after_sa_relative_to_control():
    sa = exp.regime_stats(exp.simulate(seed=0, **SMALL))
    ctrl = exp.regime_stats(exp.simulate(seed=0, c_star=np.inf, **SMALL))
    # true alignment tracks capability less above the threshold than in the control
    assert sa["above"]["rho_CA"] < ctrl["above"]["rho_CA"] - 0.08
    # ... while the measured (Safetywashing-style) statistic does not drop
    assert sa["all"]["rho_CM"] >= ctrl["all"]["rho_CM"] - 0.02
    # the evaluation loses validity and a monitored/unmonitored gap opens
    assert sa["above"]["validity"] < ctrl["above"]["validity"] - 0.15
    assert sa["above"]["gap"] > 0.15


def test_leak_and_realistic_evals_close_the_gap():
    base = exp.regime_stats(exp.simulate(seed=0, **SMALL))
    leaky = exp.regime_stats(exp.simulate(seed=0, leak=1.0, **SMALL))
    honeypot = exp.regime_stats(exp.simulate(seed=0, eval_recognition=0.0, **SMALL))
    assert leaky["above"]["frac_gaming"] < 0.01 < base["above"]["frac_gaming"]
    assert abs(honeypot["above"]["gap"]) < 0.05
    # an unrecognised eval restores validity but not true alignment
    assert honeypot["above"]["validity"] > base["above"]["validity"] + 0.2
    assert honeypot["above"]["rho_CA"] == pytest.approx(base["above"]["rho_CA"])


def test_bin_stats_shapes_and_recall_drop():
    b = exp.bin_stats(exp.simulate(seed=0, **SMALL), n_bins=10)
    assert b["mean_A"].shape == (10,)
    assert b["recall"][0] > 0.7  # low-capability misaligned models get caught
    assert np.nanmax(b["recall"][6:]) < 0.1  # high-capability ones (all SA) do not
    assert b["frac_sa"][0] < 0.05 and b["frac_sa"][-1] > 0.95


def test_sweep_structure():
    sw = exp.sweep("leak", [0.0, 1.0], seeds=(0, 1), n_models=1000)
    assert sw["all"]["rho_CA"].shape == (2, 2)
    assert np.all(sw["all"]["rho_CA"][1] > sw["all"]["rho_CA"][0])
