import numpy as np
import pytest

from experiments import concept_localization as E


def test_closed_forms_limits():
    S = 100
    # binomial: exactly-one probability matches a direct sum
    a = 0.004
    assert E.p_exactly_one(a, S) == pytest.approx(S * a * (1 - a) ** (S - 1))
    # for a << 1/S almost every responsive unit looks like a single-concept cell
    assert E.single_given_responsive(1e-5, S) > 0.999
    # for a >> 1/S almost none do
    assert E.single_given_responsive(0.05, S) < 0.05
    # the exactly-one fraction of all units peaks at a = 1/S
    grid = np.geomspace(1e-4, 0.5, 2001)
    peak = grid[np.argmax(E.p_exactly_one(grid, S))]
    assert peak == pytest.approx(1 / S, rel=0.02)


def test_screen_matches_closed_form_homogeneous():
    rng = np.random.default_rng(0)
    pop = E.make_population("homogeneous", 5000, rng, a=0.01)
    r = E.screen(pop, rng, n_units=100, S=100, n_sessions=60)
    assert r["frac_responsive"] == pytest.approx(float(E.p_responsive(0.01, 100)), abs=0.03)
    assert r["frac_single"] == pytest.approx(float(E.p_exactly_one(0.01, 100)), abs=0.03)
    assert r["a_hat"] == pytest.approx(0.01, rel=0.1)


def test_detection_bias_inflates_only_heterogeneous_codes():
    rng = np.random.default_rng(1)
    two = E.make_population("two-pop", 20000, rng)
    hom = E.make_population("homogeneous", 20000, rng, a=two.mean())
    two_b = E.screen(two, rng, n_sessions=30, beta=1.0)["a_hat"]
    hom_b = E.screen(hom, rng, n_sessions=30, beta=1.0)["a_hat"]
    # size-biased sampling: E[a^2]/E[a] for the two-population code (about 0.0175)
    expected = (two**2).mean() / two.mean()
    assert two_b == pytest.approx(expected, rel=0.15)
    assert two_b > 4 * two.mean()
    assert hom_b == pytest.approx(hom.mean(), rel=0.15)


def test_multiunits_raise_apparent_sparsity():
    rng = np.random.default_rng(2)
    pop = E.make_population("homogeneous", 5000, rng, a=0.002)
    single = E.screen(pop, rng, n_sessions=40, multi=1)["a_hat"]
    triple = E.screen(pop, rng, n_sessions=40, multi=3)["a_hat"]
    assert triple == pytest.approx(1 - (1 - 0.002) ** 3, rel=0.15)
    assert triple > 2.5 * single


def test_info_share():
    assert E.info_share_topk(1, 50, 0.0) == pytest.approx(1 / 50)
    assert E.info_share_topk(50, 50, 0.3) == pytest.approx(1.0)
    # with correlated noise the best unit's share tends to rho
    assert E.info_share_topk(1, 1e9, 0.2) == pytest.approx(0.2, rel=1e-3)
    sim = E.info_share_sim(10, 0.1, k=1, n_trials=6000, seed=3)
    assert sim["share"] == pytest.approx(float(E.info_share_topk(1, 10, 0.1)), rel=0.15)


def test_unit_measures_on_identity_basis_is_fully_localized():
    rng = np.random.default_rng(4)
    X = E.sample_features(rng, 3000, 8, 0.2)
    m = E.unit_measures(np.eye(8), X, X)
    assert m["frac_single"] == 1.0
    assert np.allclose(m["share_top1"], 1.0)
    assert np.allclose(m["treves_rolls"], 1 / 8)


def test_toy_learns_and_dictionary_localizes_better():
    r = E.network_vs_dictionary(p_grid=(0.1,), seeds=(0,), steps=600, sae_steps=600)
    # the network beats the trivial predictor that outputs the mean (0.1 * 20 * (1/3 - 0.1/4))
    assert r["loss"][0, 0] < 0.1 * 20 * (1 / 3 - 0.1 / 4)
    assert r["sae_share1"][0, 0] > r["nrn_share1"][0, 0]
    assert r["sae_frac_single_all"][0, 0] > r["nrn_frac_single_all"][0, 0]
