import numpy as np

from experiments import gradient_hacking as E


def _run(kind, b, steps, **kw):
    p = E.SABOTAGE
    theta0 = np.array([[p["g0"], 0.0]])
    _, traj = E.optimize(E.sabotage_grad_fn(kind, b, **p), theta0, steps, record_every=steps, **kw)
    return traj[-1, 0]


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    theta = rng.uniform([-0.5, -3], [1.5, 1], size=(20, 2))
    for kind in ("smooth", "threshold"):
        g = E.sabotage_grad_fn(kind, 0.3)(theta, None)
        h = 1e-6
        for j in range(2):
            d = np.zeros(2)
            d[j] = h
            num = (E.sabotage_loss(*(theta + d).T, kind, 0.3) - E.sabotage_loss(*(theta - d).T, kind, 0.3)) / (2 * h)
            assert np.allclose(num, g[:, j], atol=1e-4)


def test_naive_sabotage_gives_no_first_order_resistance():
    # Proposition 2: at g0 the sabotage term has zero gradient, so the first step is the same
    # with and without sabotage.
    theta = np.array([[0.0, 0.0]])
    g_none = E.sabotage_grad_fn("none", 0.0)(theta, None)
    for kind in ("smooth", "threshold"):
        assert np.allclose(E.sabotage_grad_fn(kind, 0.0)(theta, None), g_none)


def test_unrepairable_sabotage_holds_at_predicted_equilibrium():
    p = E.SABOTAGE
    a2, al = p["a"] ** 2, p["alpha"]
    g_smooth = _run("smooth", 0.0, 2000, opt="sgd", lr=0.1)[0]
    g_thr = _run("threshold", 0.0, 2000, opt="sgd", lr=0.1)[0]
    assert abs(g_smooth - al * p["g_star"] / (al + a2)) < 1e-6
    assert abs(g_thr - (al * p["g_star"] + a2 * p["delta"]) / (al + a2)) < 1e-6


def test_repairable_sabotage_is_eventually_undone():
    # Proposition 3: with a repair channel every stationary point has g = g*.
    for kind in ("smooth", "threshold"):
        g, psi = _run(kind, 1.0, 4000, opt="sgd", lr=0.1)
        assert abs(g - 1.0) < 1e-3
        s, _ = E.sabotage_signal(np.array([g]), kind, 3.0, 0.0, 0.1, 0.5)
        assert abs(s[0] + psi) < 1e-3


def test_repair_time_scales_as_b_minus_two_for_gd_and_b_minus_one_for_adam():
    rs = E.repair_scaling(bs=(0.5, 0.25, 0.125), max_steps=6000)
    assert not rs["censored_gd"].any() and not rs["censored_adam"].any()
    assert -2.2 < E.fit_slope(rs["b"], rs["steps_gd"]) < -1.8
    assert -1.2 < E.fit_slope(rs["b"], rs["steps_adam"]) < -0.8
    assert np.allclose(rs["steps_gd"], rs["pred_gd"], rtol=0.1)


def test_coupled_rate_bounds():
    r = E.coupled_rates(np.array([0.01, 0.1, 1.0, 3.0]))
    assert np.all(r["lower"] <= r["lam_slow"] + 1e-12) and np.all(r["lam_slow"] <= r["upper"] + 1e-12)


def test_discrete_gd_shrinks_balancedness_by_exact_factor():
    u, v, c, lr = 2.0, 0.6, 0.8, 0.3
    e = u * v - c
    u2, v2 = E.balancedness_step(u, v, e, lr)
    assert np.isclose(u2**2 - v2**2, (u**2 - v**2) * (1 - lr**2 * e**2))


def test_dormant_storage_survives_sgd_but_not_adam_with_l2():
    out = E.dormant_storage(steps=600, n_seeds=2)
    runs = out["runs"]
    assert runs["SGD, lr 0.01"]["w_final"][0] == 1.0  # zero per-example gradient: untouched
    assert runs["SGD, lr 0.01"]["q_final"][0] > 0.999  # conserved up to O(lr^2)
    assert runs["Adam"]["w_final"][0] == 1.0
    assert runs["Adam"]["q_final"][0] < 0.97  # Adam breaks the conservation law at first order
    assert abs(runs["Adam + L2 1e-3"]["w_final"][0]) < 0.05  # sign-like decay of an unused weight
    assert np.isclose(runs["AdamW, wd 1e-3"]["w_final"][0], (1 - 1e-5) ** 600)
    for r in runs.values():
        assert abs(r["uv_final"] - 0.8) < 0.02  # every optimizer still fits the task


def test_exploration_rl_slow_supervised_fast():
    ex = E.exploration(p0s=(0.1, 0.01, 1e-3), n_seeds=8, max_steps=3000)
    assert np.allclose(ex["t_rl_mean_update"], ex["theory_rl"], rtol=0.15, atol=2)
    assert np.allclose(ex["t_sl"], ex["theory_sl"], atol=2)
    assert ex["t_rl_median"][-1] > 50 * ex["t_sl"][-1]
    assert np.all(np.diff(ex["t_rl_median"]) > 0)
