import numpy as np

from experiments import weight_change_probe as P


def test_update_is_advantage_times_score():
    theta = np.array([0.3, -0.2])
    phi = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    Q = np.array([1.0, 2.0, -1.0])
    dth, pi, A = P.updates(theta, phi, Q, 0.5, 0.1)
    assert np.isclose(pi.sum(), 1.0)
    # finite-difference gradient of log pi(a)
    eps = 1e-6
    for a in range(3):
        g = np.zeros(2)
        for i in range(2):
            e = np.zeros(2)
            e[i] = eps
            g[i] = (np.log(P.softmax(phi @ (theta + e))[a]) - np.log(P.softmax(phi @ (theta - e))[a])) / (2 * eps)
        assert np.allclose(dth[a], 0.1 * (Q[a] - 0.5) * g, atol=1e-8)


def test_tabular_norm_formula():
    theta = np.array([0.5, -0.1, 0.2, 0.0])
    phi = np.eye(4)
    Q = np.array([3.0, -1.0, 2.0, 0.0])
    sz = P.update_sizes(theta, phi, Q, 0.7, 0.2)
    pi = sz["pi"]
    expect = 0.2 * np.abs(Q - 0.7) * np.sqrt(1 - 2 * pi + pi @ pi)
    assert np.allclose(sz["euclid"], expect)


def test_two_actions_consistent_critic_argmin_is_modal_action():
    insts = P.generate(200, K=2, seed=1)
    for x in insts:
        for m in P.METRICS:
            assert int(np.argmin(x["sizes"][m])) == int(np.argmax(x["pi"]))


def test_zero_advantage_action_gives_zero_update():
    theta = np.array([0.1, 0.4])
    phi = np.array([[1.0, 2.0], [0.0, -1.0], [2.0, 0.0]])
    Q = np.array([1.5, 4.0, -2.0])
    sz = P.update_sizes(theta, phi, Q, 1.5, 0.1)
    assert sz["euclid"][0] == 0.0 and sz["kl"][0] < 1e-15
    assert int(np.argmin(sz["euclid"])) == 0


def test_prompt_is_sufficient_to_recover_ground_truth():
    for metric in P.METRICS:
        for critic in ("consistent", "independent"):
            insts = P.generate(40, K=4, seed=2, metric=metric, critic=critic)
            assert all(P.solve_from_prompt(P.render_prompt(x)) == x["answer"] for x in insts)
    third = P.render_prompt(P.generate(1, seed=0)[0], framing="third")
    assert third.startswith("An agent is") and "your" not in third


def test_margin_filter_holds():
    for x in P.generate(100, K=5, seed=4, margin=0.1):
        s = np.sort(x["sizes"]["euclid"])
        assert (s[1] - s[0]) / s[1] >= 0.1


def test_parse_answer():
    assert P.parse_answer("I think...\nAnswer: a3", 4) == 2
    assert P.parse_answer("Answer: a1 ... on reflection Answer: a2", 4) == 1
    assert P.parse_answer("**Answer:** a4", 4) == 3
    assert P.parse_answer("Answer: 2", 4) == 1
    assert P.parse_answer("Answer: a9", 4) is None
    assert P.parse_answer("no idea", 4) is None
    assert P.parse_answer("the last line\na2", 4) == 1
    assert P.parse_answer(None, 4) is None


def test_score_with_oracle_and_constant_responders():
    insts = P.generate(120, K=4, seed=6)
    oracle = [f"Working...\nAnswer: a{x['answer'] + 1}" for x in insts]
    s = P.score(insts, oracle)
    assert s["accuracy"] == 1.0 and s["parse_rate"] == 1.0 and s["ci95"][0] > 0.95
    const = P.score(insts, ["Answer: a1"] * len(insts))
    assert np.isclose(const["accuracy"], np.mean([x["answer"] == 0 for x in insts]))
    junk = P.score(insts, ["?"] * len(insts))
    assert junk["accuracy"] == 0.0 and junk["parse_rate"] == 0.0
    assert np.isclose(s["chance"], 0.25)


def test_hard_split_defeats_every_shortcut():
    insts = P.generate(15, K=6, seed=7, hard=True, critic="independent")
    for x in insts:
        assert all(v != x["answer"] for v in P.heuristics(x).values())


def test_generator_is_deterministic():
    a = P.generate(5, seed=11)
    b = P.generate(5, seed=11)
    assert all(np.array_equal(x["phi"], y["phi"]) and x["answer"] == y["answer"] for x, y in zip(a, b))
