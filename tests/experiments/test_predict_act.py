import numpy as np

from experiments import predict_act as E


def test_fixed_points_and_stability():
    fps = E.fixed_points()
    assert len(fps) == 3
    lo, mid, hi = fps
    assert lo["stable"] and hi["stable"] and not mid["stable"]
    assert abs(mid["q"] - 0.5) < 1e-6
    for fp in fps:
        assert abs(E.response(fp["q"]) - fp["q"]) < 1e-6
    # the response map is symmetric about 1/2, so the stable points are too
    assert abs(lo["q"] + hi["q"] - 1.0) < 1e-6


def test_performative_optimum_is_more_extreme_and_miscalibrated():
    fp_lo = E.fixed_points()[0]["q"]
    opts = E.local_optima(0.0)
    assert len(opts) == 2
    lo = opts[0]
    # the accuracy-maximising forecast is below the self-fulfilling one ...
    assert lo["q"] < fp_lo - 0.03
    # ... it is not calibrated (the event happens more often than forecast) ...
    assert lo["g"] - lo["q"] > 0.02
    # ... and yet it has lower expected log loss than the calibrated fixed point.
    assert E.performative_risk(lo["q"]) < E.performative_risk(fp_lo) - 0.01


def test_three_training_regimes_end_where_theory_says():
    fps = E.fixed_points()
    opt_lo = E.local_optima(0.0)[0]["q"]
    # pure predictor: stable point of its own basin
    assert abs(E.train_retrain(0.3, seed=1)["q"][-50:].mean() - fps[0]["q"]) < 0.02
    assert abs(E.train_retrain(0.7, seed=2)["q"][-50:].mean() - fps[2]["q"]) < 0.02
    # accuracy-rewarded agent: towards the performative optimum, past the fixed point
    qa = E.train_agent(0.3, seed=3)["q_final"]
    assert abs(qa - opt_lo) < 0.04 and qa < fps[0]["q"] - 0.02
    # counterfactual oracle: learns the no-announcement rate, not a fixed point
    qc = np.mean([E.train_agent(0.7, seed=s, counterfactual=True, p_hidden=0.3)["q_final"] for s in (4, 5, 6)])
    assert abs(qc - 0.3) < 0.06


def test_outcome_reward_moves_agent_to_the_good_equilibrium_only_when_strong():
    assert len(E.local_optima(2.0)) == 1 and len(E.local_optima(0.5)) == 2
    assert E.train_agent(0.3, alpha=2.0, seed=7)["q_final"] > 0.85
    assert E.train_agent(0.3, alpha=0.5, seed=8)["q_final"] < 0.2
    # the supervised predictor does not see alpha at all
    assert E.train_retrain(0.3, seed=9)["q"][-1] < 0.2


def test_prediction_loss_in_reward_buys_predictability():
    lam_star = E.predictability_threshold(0.6, 0.02)
    assert 0.9 < lam_star < 1.1
    lams = np.array([0.5, 1.5])
    sg = E.train_joint(lams, "stopgrad", seed=0)
    ir = E.train_joint(lams, "in_reward", seed=1)
    pop = E.train_population(lams, seed=2)[-1]
    assert np.all(sg > 0.95)
    assert ir[0] > 0.9 and ir[1] < 0.1
    assert pop[0] > 0.9 and pop[1] < 0.1


def test_return_conditioning_reads_luck_as_skill():
    o = E.rcsl_bandit(payoff=10.0, p_win=0.05, n=3000, seed=0)
    assert o["max_return"] == 10.0
    assert np.allclose(o["targets"][10.0]["policy"], [0, 1, 0])
    assert abs(o["rcsl_max_achieved"] - 0.5) < 1e-9
    assert abs(o["esper_achieved"] - 1.0) < 1e-9
    # when the gamble really is better, both pick it
    o2 = E.rcsl_bandit(payoff=10.0, p_win=0.3, n=3000, seed=1)
    assert abs(o2["rcsl_max_achieved"] - 3.0) < 1e-9 and abs(o2["esper_achieved"] - 3.0) < 1e-9
