import numpy as np

from experiments import offpolicy_imitation as E


def _bandit(rewards):
    """A one-state, one-step MDP whose action a pays rewards[a] deterministically."""
    A = len(rewards)
    P = np.zeros((2, A, 2))
    P[0, :, 1] = 1
    P[1, :, 1] = 1
    R = np.zeros((2, A, 2))
    R[0, :, 1] = rewards
    return {"P": P, "R": R, "H": 1, "mu": np.array([1.0, 0.0])}


def test_kl_regularised_closed_form_maximises_objective_and_limits():
    r = np.array([1.0, 0.3, 0.9, -0.5])
    mdp = _bandit(r)
    pib = np.tile(np.array([0.1, 0.6, 0.2, 0.1]), (2, 1))
    rng = np.random.default_rng(0)
    for beta in (0.05, 0.5, 5.0):
        pi = E.kl_soft(mdp["P"], mdp["R"], pib, 1, beta)[0, 0]
        obj = lambda p, b=beta: p @ r - b * np.sum(p * np.log(p / pib[0]))  # noqa: E731
        best = obj(pi)
        for _ in range(200):
            q = rng.dirichlet(np.ones(4))
            assert obj(q) <= best + 1e-9
    # beta -> infinity: cloning; beta -> 0: greedy within the support
    assert np.allclose(E.kl_soft(mdp["P"], mdp["R"], pib, 1, 1e4)[0, 0], pib[0], atol=1e-3)
    assert E.kl_soft(mdp["P"], mdp["R"], pib, 1, 1e-3)[0, 0, 0] > 0.999
    # an action outside the support is never chosen, however good
    pib0 = pib.copy()
    pib0[:, 0] = 0
    pib0 /= pib0.sum(1, keepdims=True)
    pi0 = E.kl_soft(mdp["P"], mdp["R"], pib0, 1, 1e-3)[0, 0]
    assert pi0[0] == 0 and pi0[2] > 0.999


def test_soft_bellman_policy_matches_evaluate_and_beats_one_step():
    mdp = E.chain_mdp()
    pib = E.chain_behaviour(mdp)
    beta = 0.3
    soft = E.kl_soft(mdp["P"], mdp["R"], pib, mdp["H"], beta)
    one = E.kl_onestep(mdp["P"], mdp["R"], pib, mdp["H"], beta)
    rs, ks = E.evaluate(mdp, soft, pib)
    ro, ko = E.evaluate(mdp, one, pib)
    # soft is the optimum of return - beta * KL in the true model
    assert rs - beta * ks >= ro - beta * ko - 1e-9
    _, vopt = E.optimal(mdp)
    assert rs <= vopt + 1e-9
    # at tiny beta with the true model, soft DP reaches the optimum (behaviour covers left/right)
    r_small = E.evaluate(mdp, E.kl_soft(mdp["P"], mdp["R"], pib, mdp["H"], 1e-3))
    assert abs(r_small - vopt) < 1e-3


def test_evaluate_matches_monte_carlo():
    mdp = E.chain_mdp(H=12)
    pib = E.chain_behaviour(mdp)
    rng = np.random.default_rng(1)
    data = E.sample(mdp, pib, 20000, rng)
    exact = E.evaluate(mdp, pib)
    mc = data["r"].sum(1)
    assert abs(mc.mean() - exact) < 4 * mc.std() / np.sqrt(len(mc))


def test_stitching_separates_bootstrapping_from_conditioning():
    st = E.stitching(seeds=range(3))
    m = dict(zip(st["names"], st["mean"]))
    assert m["Q-learning (support)"] == st["optimal"] == 10.0
    assert m["KL-regularised RL"] > 9.9
    for k in ("RCSL (g = max return)", "AWR, Monte Carlo", "filtered BC (top 50%)"):
        assert abs(m[k] - 6.0) < 1e-6
    assert m["BC"] < 8


def test_gambling_return_conditioning_picks_lucky_gamble():
    g = E.gambling(p_wins=np.array([0.05, 0.3]), seeds=range(3))
    rc = g["mean"]["RCSL (g = max return)"]
    awr_mc = g["mean"]["AWR, Monte Carlo"]
    q = g["mean"]["Q-learning"]
    assert abs(rc[0] - 0.5) < 1e-9 and abs(awr_mc[0] - 0.5) < 1e-6  # gamble, expected 10 * 0.05
    assert abs(q[0] - 1.0) < 1e-9  # the safe arm
    assert abs(q[1] - 3.0) < 1e-9 and abs(rc[1] - 3.0) < 1e-9  # when gambling is right, all agree


def test_naive_q_extrapolates_into_unseen_action_and_pessimism_fixes_it():
    mdp = E.chain_mdp()
    pib = E.chain_behaviour(mdp)
    rng = np.random.default_rng(0)
    data = E.sample(mdp, pib, 200, rng)
    S, A = mdp["P"].shape[:2]
    Phat, R, n_sa = E.empirical_model(data, S, A, mdp["R"])
    naive = E.q_learning(Phat, R, n_sa, mdp["H"])
    assert naive[0, 2, 2] == 1.0  # jumps into the trap from the start state
    assert E.evaluate(mdp, naive) == 0.0
    pess = E.q_learning(Phat, R, n_sa, mdp["H"], penalty=1.0, exclude_unseen=True)
    assert E.evaluate(mdp, pess) > 10 * E.evaluate(mdp, E.bc(data, S, A)) / 2


def test_compounding_error_is_quadratic_only_without_recovery():
    c = E.compounding(Hs=np.array([10, 100]), eps=0.001)
    irr, rec = c["irrecoverable"], c["trained recovery"]
    # irrecoverable: about eps H^2 / 2 while eps H << 1, never above eps H^2
    assert abs(irr[0] - 0.001 * 10 * 11 / 2) < 1e-3
    assert np.all(irr <= 0.001 * np.array([10, 100]) ** 2 + 1e-12)
    assert irr[1] / irr[0] > 60
    # trained recovery: linear
    assert rec[1] / rec[0] < 11
