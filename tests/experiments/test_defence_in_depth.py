import numpy as np
import pytest

from experiments import defence_in_depth as E


def test_zero_correlation_gives_the_product_and_full_correlation_the_minimum():
    q = np.array([0.2, 0.5, 0.7, 0.4])
    assert E.p_all_miss_one_factor(q, 0.0) == pytest.approx(np.prod(q), rel=1e-6)
    assert E.p_all_miss_one_factor(q, 1.0) == pytest.approx(q.min())
    # Near-comonotone latent factor approaches min(q).
    assert E.p_all_miss_one_factor(q, 0.999) == pytest.approx(q.min(), abs=0.02)


def test_single_layer_marginals_are_preserved():
    for q in (0.05, 0.3, 0.8):
        for a, b in ((0.0, 0.0), (0.6, 0.0), (0.5, 0.7)):
            L = E.make_layers([q], a, b, 0)
            assert E.p_all_miss(L) == pytest.approx(q, abs=1e-6)


def test_quadrature_matches_monte_carlo_for_two_family_model():
    L = E.pipeline_layers(a_global=0.5, b_family=0.6)
    exact = E.p_all_miss(L)
    mc = E.p_all_miss_mc(L, n=200_000, seed=3)
    assert abs(exact - mc["p"]) < 4 * mc["se"] + 1e-4
    # and it is far above the independence product
    assert exact > 5 * E.p_all_miss_independent(L)


def test_all_miss_probability_increases_with_correlation():
    q = np.full(6, 0.5)
    ps = [E.p_all_miss_one_factor(q, r) for r in (0.0, 0.2, 0.4, 0.6, 0.8, 0.95)]
    assert np.all(np.diff(ps) > 0)


def test_effective_layers_saturate_under_correlation():
    out = E.sweep_k_rho(q=0.5, rhos=(0.0, 0.6), k_max=12)
    assert np.allclose(out["k_eff"][0], out["k"])  # independent: K_eff = K
    assert out["k_eff"][1, -1] < 4.0  # rho = 0.6: 12 layers act like < 4
    assert np.all(np.diff(out["k_eff"][1]) > 0)  # but still increasing


def test_mixture_matches_pairwise_but_has_a_floor():
    q, rho = 0.5, 0.3
    pi = E.mixture_pi_matching_pairwise(q, rho)
    assert 0 < pi < q
    p2_copula = E.pairwise_joint_miss(q, rho)
    assert E.p_all_miss_mixture([q, q], pi) == pytest.approx(p2_copula, abs=1e-9)
    many = E.p_all_miss_mixture(np.full(40, q), pi)
    assert many == pytest.approx(pi, rel=1e-6)
    assert E.p_all_miss_one_factor(np.full(40, q), rho) < pi


def test_diverse_layers_beat_more_of_the_same():
    out = E.diversify_vs_stack(n_base=3, n_add=3, q=0.5, a_global=0.4, b_behav=0.8)
    assert out["stack"][0] == pytest.approx(out["diversify"][0])
    assert np.all(out["diversify"][1:] < out["stack"][1:])
    assert np.all(out["independent"] <= out["diversify"] + 1e-12)


def test_marginal_value_ratio_goes_to_one_when_all_correlation_is_global():
    g = E.marginal_value_grid(n_base=3, q=0.5, rho_within=0.64, a_grid=np.sqrt(np.array([0.0, 0.5, 1.0]) * 0.64))
    assert g["ratio"][0] > g["ratio"][1] > 1.0
    assert g["ratio"][-1] == pytest.approx(1.0, abs=0.01)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError):
        E.make_layers([0.0, 0.5], 0.1)
    with pytest.raises(ValueError):
        E.make_layers([0.5], 0.9, 0.9)
    with pytest.raises(ValueError):
        E.p_all_miss_mixture([0.2, 0.5], 0.3)


def test_catch_before_success_heterogeneity_raises_loss():
    # Independent layers: no per-model heterogeneity, so the values agree.
    L0 = E.make_layers([0.5, 0.6, 0.5], 0.0, 0.0, 0)
    r0 = E.catch_before_success(L0, p_success=0.5, n_models=5_000, seed=1)
    assert r0["p_loss"] == pytest.approx(r0["p_loss_independent"], abs=1e-9)
    # One-shot attacks, all layers at runtime: loss = P(all layers miss once).
    L = E.pipeline_layers(a_global=0.5, b_family=0.6)
    r1 = E.catch_before_success(L, p_success=1.0, n_models=40_000, seed=2)
    assert r1["p_loss"] == pytest.approx(E.p_all_miss(L), abs=4 * r1["p_loss_se"] + 1e-3)
    # Correlated layers with pre-deployment gates: positive dependence between the
    # gate miss and the runtime miss, plus Jensen, put the true loss above the
    # average-rate value, which is itself above the independence value.
    r = E.catch_before_success(L, p_success=0.5, n_models=20_000, seed=2, per_model=E.pipeline_per_model())
    assert r["p_loss"] > r["p_loss_average_model"] > r["p_loss_independent"]
    assert r["c_rt_mean_mc"] == pytest.approx(r["c_rt_bar"], abs=0.01)
