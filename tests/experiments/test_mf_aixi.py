import numpy as np

from experiments import mf_aixi as E


def test_automata_enumeration_and_prior():
    pr = E.policy_prior(3, max_states=3)
    assert pr["n_machines"] == 2 + 2**2 * 2**4 + 2**3 * 3**6
    assert np.isclose(pr["w"].sum(), 1.0)
    # Kraft: the unnormalised 2^-len weights sum to at most 1 (a semimeasure before normalising)
    assert pr["w_unnormalised_total"] < 1.0
    # the two constant policies are the simplest programs and carry the most prior mass
    const = [np.all(t == 0) or np.all(t == 1) for t in pr["tables"]]
    assert set(np.argsort(-pr["w"])[:2]) == set(np.flatnonzero(const))
    # a running-parity machine is in the class
    env = E.make_env("rule", H=3, f=lambda o: int(np.sum(o) % 2))
    assert np.isclose(E.expected_return(env, pr["tables"]).max(), 1.0)


def test_all_policies_respect_causality():
    tabs = E.all_policies(2)
    assert tabs.shape == (2**6, 4, 2)
    O = E.obs_sequences(2)
    same_first = O[:, 0][:, None] == O[:, 0][None, :]
    # a_1 may depend only on o_1
    for t in tabs[:50]:
        a1 = t[:, 0]
        assert np.all((a1[:, None] == a1[None, :]) | ~same_first)


def test_gamble_conditioning_confuses_luck_with_skill():
    sw = E.gamble_sweep([0.3, 0.75], [0.6, 1.0], ns=(1, np.inf))
    assert np.allclose(sw["bayes"], [0.6, 0.75])
    # c = 1: always gambles, whatever q (expected return q)
    assert np.allclose(sw["mf"][:, 1, :], [[0.3, 0.75], [0.3, 0.75]])
    # c = 0.6, n -> inf: always safe (expected return 0.6), wrong when q > 0.6
    assert np.allclose(sw["mf"][1, 0], [0.6, 0.6])
    assert np.allclose(sw["p_gamble"][1, 0], 0.0)
    # c = 0.6, n = 1: a prior-weighted blend strictly between the two
    assert 0.5 < sw["mf"][0, 0, 0] < 0.6 and 0.6 < sw["mf"][0, 0, 1] < 0.75


def test_prior_persists_without_sharpening():
    sh = E.sharpness_sweep([0, 1, 16, 64])
    for key in ("cue", "parity"):
        v = sh[key]["value"]
        assert v[1] < 0.6  # one conditioned success barely moves the simplicity prior
        assert v[2] > 0.95 and v[3] > 0.999
        assert np.all(np.diff(v) >= -1e-12)
        assert np.isclose(sh[key]["mass_opt"][0], sh[key]["prior_mass_opt"])


def test_online_agents():
    res = E.learning_curves(episodes=200, seeds=12, seed=1)
    S = res["settings"]
    last = lambda key, lab: S[key]["curves"][lab][-40:].mean()  # noqa: E731
    # cue: sharpened MF and Bayes both learn to copy; n = 1 stays near the prior mixture
    assert last("cue", "MF, n = 16") > 0.9 and last("cue", "Bayes, truth in class") > 0.99
    assert last("cue", "MF, n = 1") < 0.65
    # gamble with q < 0.6: MF (target 1) gambles, the Bayes agent takes the safe arm
    assert last("gamble q=0.35", "MF, n = 16") < 0.4
    assert np.isclose(last("gamble q=0.35", "Bayes, truth in class"), 0.6)
    # gamble with q > 0.6: myopic Bayes never tries the gamble; MF does
    assert np.isclose(last("gamble q=0.75", "Bayes, truth in class"), 0.6)
    assert last("gamble q=0.75", "MF, n = 16") > 0.74
    # parity: Bayes needs the rule in its class; MF needs it only in its policy class
    assert last("parity", "Bayes, truth in class") > 0.99
    assert abs(last("parity", "Bayes, parity not in class") - 0.5) < 0.06
    assert last("parity", "MF, n = 16") > 0.8
