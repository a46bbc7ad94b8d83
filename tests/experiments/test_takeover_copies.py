import numpy as np
import pytest

from experiments import takeover_copies as E


def test_active_params_inverts_6ND():
    # C = 6 N D with D = r N  =>  N = sqrt(C / (6 r)).
    N = E.active_params(6 * 20 * (70e9) ** 2, 20)
    assert N == pytest.approx(70e9, rel=1e-12)  # Chinchilla: 70B params at 20 tokens/param


def test_copies_hand_calculation():
    # C = 1.2e28, r = 20  =>  N = 1e13, 2N = 2e13 FLOP/token.
    # Peak = 1.2e28 / (86400 * 100 * 0.4) FLOP/s; tokens/s = peak * 0.2 / 2e13.
    # Human copy: 300 wpm * 1.2 tokens/word * 2 / 60 = 12 tokens/s.
    C, T, r, ut, ui, wpm, tpw, v = 1.2e28, 100.0, 20.0, 0.4, 0.2, 300.0, 1.2, 2.0
    peak = C / (86400 * T * ut)
    expected = peak * ui / (2 * 1e13) / 12.0
    got = E.copies(C, T, r, ut, ui, wpm, tpw, v)
    assert got == pytest.approx(expected, rel=1e-12)


def test_scaling_laws_of_the_formula():
    base = dict(C=1e27, T=180.0, r=50.0, u_train=0.4, u_inf=0.2, wpm=250.0, tokens_per_word=1.3, verbosity=3.0)
    c0 = E.copies(**base)
    # Copies grow as sqrt(C): 100x compute -> 10x copies.
    assert E.copies(**{**base, "C": 1e29}) == pytest.approx(10 * c0, rel=1e-12)
    # Halving duration doubles the cluster's throughput and the copies.
    assert E.copies(**{**base, "T": 90.0}) == pytest.approx(2 * c0, rel=1e-12)
    # Verbosity divides copies; overtraining (larger r) means a smaller model, more copies.
    assert E.copies(**{**base, "verbosity": 6.0}) == pytest.approx(c0 / 2, rel=1e-12)
    assert E.copies(**{**base, "r": 200.0}) == pytest.approx(2 * c0, rel=1e-12)
    # Using half the cluster halves the copies.
    assert E.copies(**base, reuse=0.5) == pytest.approx(c0 / 2, rel=1e-12)


def test_monte_carlo_is_seeded_and_ordered():
    a = E.monte_carlo(n=20_000, seed=3)
    b = E.monte_carlo(n=20_000, seed=3)
    c = E.monte_carlo(n=20_000, seed=4)
    assert np.array_equal(a["copies"], b["copies"])
    assert not np.array_equal(a["copies"], c["copies"])
    p = a["percentiles"]
    assert p[5] < p[25] < p[50] < p[75] < p[95]
    assert np.allclose(a["workers"], 3.0 * a["copies"])


def test_samples_respect_ranges():
    s = E.sample_inputs(10_000, seed=0)
    for name, (lo, hi, _) in E.DEFAULT_RANGES.items():
        assert s[name].min() >= lo * (1 - 1e-12)
        assert s[name].max() <= hi * (1 + 1e-12)


def test_variance_shares_sum_to_one():
    # log(copies) is linear in the logs of independent inputs, so shares sum to ~1.
    res = E.monte_carlo(n=50_000, seed=0)
    total = sum(res["shares"].values())
    assert total == pytest.approx(1.0, abs=0.02)
    # Compute spans three decades and enters as sqrt: it must be the largest single share.
    assert max(res["shares"], key=res["shares"].get) == "C"


def test_default_ranges_do_not_reach_several_hundred_million():
    # The headline finding: on sourced token-based ranges, Karnofsky's figure is out of reach;
    # it needs 1e30 FLOP of training compute plus favourable assumptions.
    res = E.monte_carlo(n=50_000, seed=0)
    assert res["p_ge_2e8"] < 0.01
    assert 1e5 < res["percentiles"][50] < 1e7
    k, _ = E.point_estimate(C=1e30, verbosity=1.0, u_inf=0.5, r=400.0)
    assert k > 2e8
