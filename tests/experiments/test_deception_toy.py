import numpy as np

from experiments import deception_toy as E


def test_deploy_value_geometric_sum():
    assert np.isclose(E.deploy_value(0.9, 3), 1 + 0.9 + 0.81)
    assert np.isclose(E.deploy_value(1.0, 7), 7.0)


def test_closed_form_k_star_matches_exact_dp():
    rng = np.random.default_rng(3)
    for _ in range(60):
        g, e = rng.uniform(0.6, 0.999), rng.uniform(0.01, 0.3)
        T, D = int(rng.integers(3, 40)), int(rng.integers(1, 300))
        st = E.on_policy(E.solve(T, gamma=g, eta=e, D=D))
        k = E.k_star(1.0, e, g, T, D)
        assert np.isclose(st["comply_train"] * T, T - k)
        assert np.isclose(st["w_T"], max(1.0 - k * e, 0.0))


def test_optimal_policy_defects_first_then_complies():
    sol = E.solve(40, gamma=0.97, eta=0.05, D=200)
    # along the deterministic path (p = 1), compliance never switches back to defection
    n, path = 0, []
    for t in range(40):
        c = bool(sol["comply_m"][0, t, n])
        path.append(c)
        n += 0 if c else 1
    first = path.index(True)
    assert not any(path[:first]) and all(path[first:])


def test_limits_honest_and_deceptive():
    # myopic agent never fakes; patient agent facing big updates fakes from the start
    myopic = E.on_policy(E.solve(30, gamma=0.5, eta=0.05, D=200))
    patient = E.on_policy(E.solve(30, gamma=0.999, eta=0.2, D=500))
    assert myopic["fake_train"] == 0.0 and myopic["w_T"] == 0.0  # goal erased, never faked
    assert myopic["comply_train"] > 0.0  # it complies only once it has nothing left to protect
    assert patient["fake_train"] == 1.0 and np.isclose(patient["w_T"], 1.0)
    # no deployment value -> nothing to protect -> honest defection
    none = E.on_policy(E.solve(30, gamma=0.999, eta=0.2, D=0))
    assert none["fake_train"] == 0.0
    assert E.classify(patient["fake_train"], patient["w_T"]) == 3
    assert E.classify(myopic["fake_train"], myopic["w_T"]) == 0


def test_compliance_gap_needs_informative_cue():
    same = E.on_policy(E.solve(50, p_m=0.6, p_u=0.6))
    assert abs(float(same["gap_cue"])) < 1e-12
    st = E.belief_sweep(np.linspace(0, 1, 11), p_us=(0.0,))
    gap = st["gap_cue"][0]
    assert gap[0] == 0.0  # believes nothing is trained: no reason to comply
    assert gap.max() > 0.3
    assert np.all(st["comply_train_m"] >= st["comply_train_u"] - 1e-12)


def test_monte_carlo_agrees_with_exact_on_policy():
    kw = dict(T=50, p_m=0.9, p_u=0.1)
    mc = E.simulate(n_runs=4000, seed=0, **kw)
    T = kw.pop("T")
    ex = E.on_policy(E.solve(T, **kw))
    assert abs(mc["comply_train"] - float(ex["comply_train"])) < 0.02
    assert abs(mc["w_T"] - float(ex["w_T"])) < 0.02


def test_hazard_threshold_matches_value_iteration():
    for h in (0.005, 0.01, 0.02, 0.04):
        r = E.solve_hazard(h=h, eta=0.05, gamma=0.97, D=200)
        th = E.hazard_threshold(0.05, 0.97, h, r["K"])
        w = r["w"][r["w"] > 1e-9]
        comp = r["comply"][r["w"] > 1e-9]
        assert np.array_equal(comp, w <= th + 1e-9)


def test_hazard_threshold_monotone():
    K = float(E.deploy_value(0.97, 200))
    ths = [E.hazard_threshold(0.05, 0.97, h, K) for h in (0.001, 0.01, 0.1)]
    assert ths[0] < ths[1] < ths[2]
    assert E.hazard_threshold(0.05, 0.97, 0.01, K, p=0.5) < E.hazard_threshold(0.05, 0.97, 0.01, K, p=1.0)
