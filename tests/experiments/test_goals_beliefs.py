import numpy as np
import pytest

from experiments import goals_beliefs as E

FAST = dict(steps=400, n_eval=64, eval_every=10)


def test_no_shift_control_keeps_performance():
    res = E.simulate("none", beta=np.array([2.0, 8.0, 8.0]), seed=3, **FAST)
    # Already at the pre-shift level at t=0, and training on the same task does not degrade it.
    assert np.all(res["tau"] == 0)
    assert np.allclose(res["perf"][:, 0], res["p_pre"])
    assert np.all(res["perf"][:, -1] > 0.85 * res["p_pre"])


def test_shifts_are_matched_in_severity():
    # Both shifts resample the target, so the old policy is roughly as good as random afterwards.
    beta = np.full(24, 8.0)
    w = E.simulate("world", beta=beta, seed=5, steps=10, n_eval=128)
    g = E.simulate("goal", beta=beta, seed=5, steps=10, n_eval=128)
    assert np.all(w["p_pre"] > 0.9)
    assert abs(w["p_post0"].mean()) < 0.2 and abs(g["p_post0"].mean()) < 0.2


def test_beta_raises_preferred_action_probability():
    res = E.simulate("none", beta=np.array([1.0, 4.0, 16.0]), seed=0, steps=10)
    assert res["pmax_pre"][0] < res["pmax_pre"][1] < res["pmax_pre"][2]
    assert res["pmax_pre"][0] > 1.0 / E.DEFAULTS["K"]


def test_policy_gradient_goal_starves_when_policy_saturates():
    # Standard agent: goal-shift recovery is much slower at high beta than at low beta,
    # while world-shift recovery (dense regression) barely changes.
    beta = np.repeat([1.0, 16.0], 4)
    g = E.simulate("goal", beta=beta, seed=1, steps=800, n_eval=64)
    w = E.simulate("world", beta=beta, seed=1, steps=800, n_eval=64)
    tg, tw = g["tau"].reshape(2, 4), w["tau"].reshape(2, 4)
    assert np.median(tg[1]) > 10 * np.median(tg[0])
    assert np.median(tg[1]) > 3 * np.median(tw[1])
    assert np.median(tw[1]) < 400


def test_dense_goal_signal_removes_the_asymmetry():
    beta = np.full(4, 16.0)
    pg = E.simulate("goal", beta=beta, seed=2, steps=600, n_eval=64)
    rm = E.simulate("goal", beta=beta, goal_signal="regression", seed=2, steps=600, n_eval=64)
    assert np.median(rm["tau"]) <= 50
    assert np.median(pg["tau"]) > 5 * np.median(rm["tau"])


def test_per_run_settings_and_determinism():
    kw = dict(beta=np.array([4.0, 4.0]), lr_goal=np.array([0.2, 20.0]), seed=7, **FAST)
    a = E.simulate("goal", **kw)
    b = E.simulate("goal", **kw)
    assert np.array_equal(a["perf"], b["perf"])
    assert np.array_equal(a["lr_goal"], [0.2, 20.0])
    # A 100x larger goal learning rate recovers at least as fast.
    assert a["tau"][1] <= a["tau"][0]


def test_grid_orders_seeds_fastest():
    g = E.grid({"beta": [1, 2], "lr_goal": [0.1, 0.2, 0.3]}, n_seeds=2)
    assert g["beta"].tolist() == [1] * 6 + [2] * 6
    assert g["lr_goal"].tolist()[:4] == [0.1, 0.1, 0.2, 0.2]


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        E.simulate("beliefs", beta=1.0)
    with pytest.raises(ValueError):
        E.simulate("goal", beta=1.0, goal_signal="dense")
    with pytest.raises(ValueError):
        E.simulate("goal", beta=1.0, optimizer="sgdm")


def test_recovery_only_mode_matches_full_recording():
    # record=False stops simulating runs once they recover but draws the same random
    # numbers, so recovery times are those of the fully recorded simulation.
    beta = np.repeat([1.0, 16.0], 3)
    for kw in (dict(), dict(optimizer="adam"), dict(goal_signal="regression", belief_signal="pg")):
        for shift in ("world", "goal"):
            full = E.simulate(shift, beta=beta, seed=4, steps=300, n_eval=32, **kw)
            fast = E.simulate(shift, beta=beta, seed=4, steps=300, n_eval=32, record=False, **kw)
            assert fast["perf"] is None
            assert np.array_equal(full["tau"], fast["tau"])
            assert np.array_equal(full["censored"], fast["censored"])
            assert np.array_equal(full["p_post0"], fast["p_post0"])
