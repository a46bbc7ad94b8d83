import numpy as np
import pytest

from experiments import optimization_bits as E


def test_closed_forms_for_selection_on_the_score():
    n = np.array([1, 2, 10, 1000])
    bits = E.score_bits_best_of_n(n)
    # (H_n - 1)/ln 2: zero at n = 1, 0.721 at n = 2, ~log2 n - 0.61 for large n, always <= log2 n.
    assert bits[0] == pytest.approx(0.0, abs=1e-12)
    assert bits[1] == pytest.approx(0.5 / np.log(2))
    assert bits[3] == pytest.approx(np.log2(1000) - 0.61, abs=0.01)
    assert np.all(bits <= np.log2(n) + 1e-12)
    kl = E.kl_bits_best_of_n(n)
    assert np.all(kl <= bits + 1e-12) and np.all(kl >= 0)
    assert E.score_bits_threshold(0.125) == pytest.approx(3.0)


def test_rho_one_gives_score_bits_and_monte_carlo_agrees():
    r = E.goal_bits_best_of_n([2, 16], 1.0)
    assert np.allclose(r["goal_bits"], r["score_bits"])
    mc = E.goal_bits_best_of_n_mc(16, 1.0, trials=20000, seed=0)
    assert mc["goal_bits"] == pytest.approx(float(E.score_bits_best_of_n(16)), abs=4 * mc["stderr"])


@pytest.mark.parametrize("kw", [dict(), dict(error="t", error_df=3.0), dict(goal="t", goal_df=3.0)])
def test_quadrature_matches_monte_carlo(kw):
    q = E.goal_bits_best_of_n([20], 0.5, n_s=900, n_z=700, **kw)["goal_bits"][0]
    mc = E.goal_bits_best_of_n_mc(20, 0.5, trials=6000, seed=1, **kw)
    assert q == pytest.approx(mc["goal_bits"], abs=4 * mc["stderr"] + 0.02)


def test_goal_bits_are_bounded_by_score_bits_and_ordered_in_rho():
    n = 2.0 ** np.arange(1, 14)
    prev = None
    for rho in (0.9, 0.5, 0.2, 0.05):
        r = E.goal_bits_best_of_n(n, rho, n_s=900, n_z=700)
        assert np.all(r["goal_bits"] <= r["score_bits"] + 1e-6)
        assert np.all(np.diff(r["goal_bits"]) > 0)  # Gaussian: more selection never hurts
        if prev is not None:
            assert np.all(r["goal_bits"] < prev)
        prev = r["goal_bits"]


def test_small_rho_is_linear_in_rho():
    n = np.array([1000.0])
    slope = E.small_rho_slope()
    m = E.expected_max_normal(n)[0]
    assert m == pytest.approx(3.2414, abs=1e-3)
    for rho in (0.01, 0.03):
        bits = E.goal_bits_best_of_n(n, rho, n_s=900, n_z=700)["goal_bits"][0]
        assert bits == pytest.approx(rho * m * slope, rel=0.06)


def test_heavy_tailed_error_makes_goal_bits_rise_then_fall():
    n = 2.0 ** np.arange(1, 21)
    heavy = E.goal_bits_best_of_n(n, 0.5, error="t", error_df=3.0, n_s=900, n_z=700)["goal_bits"]
    peak = int(np.argmax(heavy))
    assert 0 < peak < len(n) - 5
    assert heavy[-1] < 0.2 * heavy[peak]
    light = E.goal_bits_best_of_n(n, 0.5, n_s=900, n_z=700)["goal_bits"]
    assert light[-1] > 3 * heavy[-1]
    # A heavy-tailed goal behind a light-tailed error: nearly all score bits land on the goal.
    hg = E.goal_bits_best_of_n(n, 0.5, goal="t", goal_df=3.0, n_s=900, n_z=700)
    assert hg["goal_bits"][-1] > 0.9 * hg["score_bits"][-1]


def test_generations_compound_with_fresh_diversity_and_saturate_with_collapse():
    fresh = E.generations(0.5, 0.5, 10, "fresh")
    coll = E.generations(0.5, 0.5, 10, "collapse")
    assert fresh["goal_bits"][0] == pytest.approx(0.0, abs=1e-9)
    assert np.all(np.diff(fresh["goal_bits"]) > 0)
    # Fresh diversity: bits on the score outrun the selection budget (learner extrapolates).
    assert fresh["score_bits"][-1] > 2 * fresh["budget_bits"][-1]
    # Collapse: gains stall; late generations add almost nothing.
    assert coll["goal_bits"][-1] - coll["goal_bits"][-3] < 0.05
    assert coll["score_bits"][-1] < 0.5 * coll["budget_bits"][-1]
    # First round of truncation moves the goal mean by rho * phi(0)/q.
    assert fresh["goal_mean"][1] == pytest.approx(0.5 * 0.3989423 / 0.5, rel=1e-6)


@pytest.mark.parametrize("variant", ["fresh", "collapse"])
def test_generations_match_monte_carlo(variant):
    exact = E.generations(0.5, 0.5, 4, variant)["goal_bits"]
    mc = E.generations_mc(0.5, 0.5, 4, variant, samples=60_000, seed=3)["goal_bits"]
    assert np.allclose(exact, mc, atol=0.08)
