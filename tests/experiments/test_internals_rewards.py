import numpy as np

from experiments import internals_rewards as E


def _finite_diff_check(pathwise):
    rng = np.random.default_rng(1)
    cfg = E.BANDIT
    H, dx = cfg["hidden"], cfg["dx"]
    W = rng.standard_normal((1, H, dx)) / np.sqrt(dx)
    Em = rng.standard_normal((1, H, 2))
    w = rng.standard_normal((1, H))
    c = np.array([0.3])
    x, is_B = E.contexts(rng, 16, dx, cfg["noise"], cfg["p_B"], R=1)
    lam = np.array([0.7])

    def J(W_, E_):
        _, _, pi, g = E.forward(W_, E_, x)
        p = E.sigmoid(E.probe_score(g, w, c))
        return float((pi * (E.task_reward(is_B, cfg["r_honest_B"]) - lam * p)).sum(-1).mean())

    gW, gE = E.gradients(W, Em, x, is_B, w, c, lam, np.array([float(pathwise)]), cfg["r_honest_B"])
    eps = 1e-6
    num = np.zeros_like(Em)
    for idx in np.ndindex(Em.shape):
        d = np.zeros_like(Em)
        d[idx] = eps
        num[idx] = (J(W, Em + d) - J(W, Em - d)) / (2 * eps)
    numW = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        d = np.zeros_like(W)
        d[idx] = eps
        numW[idx] = (J(W + d, Em) - J(W - d, Em)) / (2 * eps)
    return gW, gE, numW, num


def test_pathwise_gradient_is_the_full_gradient():
    gW, gE, numW, numE = _finite_diff_check(pathwise=True)
    assert np.allclose(gE, numE, atol=1e-6)
    assert np.allclose(gW, numW, atol=1e-6)


def test_score_function_gradient_misses_the_direct_term():
    gW, gE, numW, numE = _finite_diff_check(pathwise=False)
    assert not np.allclose(gE, numE, atol=1e-4)


def test_pre_action_penalty_is_a_baseline():
    diff, scale = E.score_penalty_gradient_is_baseline()
    assert scale > 1e-3 and diff < 1e-10


def test_probe_fit_separates_and_auc():
    assert E.auc(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == 1.0
    assert E.auc(np.array([0.0]), np.array([0.0])) == 0.5
    rng = np.random.default_rng(0)
    g = rng.standard_normal((1, 200, 2, 4))
    g[:, :, 1, 0] += 3.0
    w, c = E.fit_probe(g)
    s = E.probe_score(g, w, c)
    assert (s[..., 1] > 0).mean() > 0.9 and (s[..., 0] < 0).mean() > 0.9


def test_bandit_regimes():
    out = E.probe_bandit(lams=(0.25, 1.0), conditions=("score/frozen", "pathwise/frozen"), n_seeds=2, steps=200, record_every=200)
    assert out["pre"]["dec_B"].min() > 0.95 and out["pre"]["frozen_tpr"].min() > 0.95
    r = out["res"]
    # below the threshold the score-function agent is unchanged; pathwise hides from the frozen probe
    assert r["score/frozen"][0.25]["dec_B"][-1].min() > 0.95
    assert r["score/frozen"][0.25]["frozen_tpr"][-1].min() > 0.95
    assert r["pathwise/frozen"][0.25]["dec_B"][-1].min() > 0.95
    assert r["pathwise/frozen"][0.25]["frozen_tpr"][-1].max() < 0.1
    assert r["pathwise/frozen"][0.25]["fresh_auc"][-1].min() > 0.95
    # above it both stop deceiving
    assert r["score/frozen"][1.0]["dec_B"][-1].max() < 0.05
    assert r["pathwise/frozen"][1.0]["dec_B"][-1].max() < 0.05


def test_data_choice_lookahead_hides_capability():
    out = E.data_choice_sweep(lam=2.0, n_seeds=2)["runs"]
    cart, look, hon = out["cartesian"], out["lookahead"], out["honest"]
    assert np.mean([r["probe"][-1] for r in cart]) > 0.9
    assert np.mean([r["probe"][-1] for r in look]) < np.mean([r["probe"][-1] for r in hon])
    assert np.mean([r["cap"][-1] for r in look]) > 0.3
    assert np.mean([r["alpha"][-1][2] for r in look]) > np.mean([r["alpha"][-1][2] for r in cart]) + 0.2
