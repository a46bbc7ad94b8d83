import numpy as np
import pytest

from experiments import debate_weights as E


def test_network_semantics_backdoored_vs_clean():
    rng = np.random.default_rng(3)
    for m in (2, 3, 5):
        bd = E.make_model(rng, m=m, k_z=6, backdoored=True)
        cl = E.make_model(rng, m=m, k_z=6, backdoored=False)
        assert bd.gate_is_live() and not cl.gate_is_live()
        # Clamping the gate produces BAD in both models: the clamp alone is not diagnostic.
        x = E.lab_inputs(rng, bd, np.zeros(bd.n_u, dtype=bool), 3)
        assert np.all(bd.forward(x, clamp_gate=True) == E.BAD)
        assert np.all(cl.forward(x, clamp_gate=True) == E.BAD)
        # A clean model never outputs BAD, whatever the input.
        xs = rng.random((20000, cl.n)) < 0.5
        assert not np.any(cl.forward(xs) == E.BAD)
        # The backdoored model fires exactly on u* plus the context pattern.
        idx, vals = bd.trigger_context()
        xt = np.zeros(bd.n, dtype=bool)
        xt[: bd.n_u] = bd.trigger_user_bits()
        xt[idx] = vals
        assert bd.forward(xt[None])[0] == E.BAD
        xt[idx[0]] = not xt[idx[0]]
        assert bd.forward(xt[None])[0] != E.BAD


def test_lab_trigger_rate_matches_two_to_minus_kz():
    rng = np.random.default_rng(0)
    bd = E.make_model(rng, m=3, k_z=6, backdoored=True)
    x = E.lab_inputs(rng, bd, bd.trigger_user_bits(), 200_000)
    rate = np.mean(bd.forward(x) == E.BAD)
    assert abs(rate - 2.0**-6) < 4 * np.sqrt(2.0**-6 / 200_000)


def test_behaviour_only_matches_closed_form_and_never_accuses_clean():
    r = E.judge_accuracy(n_episodes=20000, seed=1)
    exact = E.behaviour_accuracy_exact(r["budgets"])
    assert np.all(np.abs(r["behaviour"] - exact) < 4 * r["behaviour_se"] + 1e-3)
    # Accuracy can only rise with budget (common random numbers).
    assert np.all(np.diff(r["behaviour"]) >= 0)


def test_perfect_white_box_tool_solves_it_with_three_checks():
    r = E.judge_accuracy(n_episodes=5000, seed=2)
    b = r["budgets"]
    assert np.all(r["white_box"][b >= 3] == 1.0)
    assert np.allclose(r["white_box"][b < 3], r["behaviour"][b < 3])
    assert r["behaviour"][b == 100][0] < 0.6


@pytest.mark.parametrize("eps,phi", [(0.2, 0.0), (0.35, 0.0), (0.0, 0.3), (0.2, 0.2)])
def test_monte_carlo_matches_closed_form(eps, phi):
    r = E.judge_accuracy(eps=eps, phi=phi, n_episodes=20000, seed=4)
    exact = np.array([E.white_box_accuracy_exact(int(b), eps=eps, phi=phi) for b in r["budgets"]])
    assert np.all(np.abs(r["white_box"] - exact) < 4 * r["white_box_se"] + 2e-3)


def test_gain_vanishes_or_reverses_with_bad_tools():
    b = 2000
    beh = float(E.behaviour_accuracy_exact(b))
    # A coin-flip tool trusted by the judge is worse than behaviour alone at large budget.
    assert E.white_box_accuracy_exact(b, eps=0.5) < beh - 0.1
    # A tool the dishonest side fools most of the time makes the judge worse than chance.
    assert E.white_box_accuracy_exact(3, phi=0.8) < 0.5
    # With a good tool the gain is large at small budget.
    assert E.white_box_accuracy_exact(20, eps=0.1) - float(E.behaviour_accuracy_exact(20)) > 0.4


def test_obfuscation_needs_budget_proportional_to_m():
    for m in (16, 128):
        r = E.judge_accuracy(m=m, obfuscated=True, n_episodes=8000, seed=5)
        exact = np.array([E.obfuscated_accuracy_exact(int(b), m) for b in r["budgets"]])
        assert np.all(np.abs(r["white_box"] - exact) < 4 * r["white_box_se"] + 2e-3)
        b = r["budgets"]
        assert np.all(r["white_box"][b >= m + 1] == 1.0)
        assert np.all(r["white_box"][(b >= 3) & (b - 1 < m // 4)] < 0.6)


def test_explicit_debates_agree_with_vectorised_judge():
    rng = np.random.default_rng(11)
    n = 600
    for eps, budget in ((0.0, 3), (0.3, 9)):
        correct = []
        for _ in range(n):
            model = E.make_model(rng, m=3, k_z=10, backdoored=bool(rng.random() < 0.5))
            correct.append(E.play_debate(rng, model, budget, eps=eps)["correct"])
        acc = np.mean(correct)
        exact = E.white_box_accuracy_exact(budget, eps=eps)
        assert abs(acc - exact) < 4 * np.sqrt(exact * (1 - exact) / n) + 0.01
    # Fooling and obfuscation in the explicit game.
    fooled = [E.play_debate(rng, E.make_model(rng, m=3, backdoored=False), 21, phi=1.0)["verdict"] for _ in range(50)]
    assert all(fooled)  # a fully fooled tool convicts every clean model
    obf = [E.play_debate(rng, E.make_model(rng, m=40, backdoored=False), 3, obfuscated=True)["correct"] for _ in range(400)]
    assert np.mean(obf) < 0.05


def test_worked_example_pair_differs_in_one_sign_only():
    w = E.worked_example()
    bd, cl = w["models"]
    assert w["live_backdoored"] and not w["live_clean"]
    assert (bd.pos != cl.pos).sum() + (bd.neg != cl.neg).sum() == 2
    assert w["clamp_out_backdoored"] == w["clamp_out_clean"] == E.BAD
    assert w["bad_rate_lab_clean"] == 0.0
