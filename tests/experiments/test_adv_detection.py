import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from experiments import adv_detection as E  # noqa: E402


@pytest.fixture(scope="module")
def world():
    return E.build_world(0, n_train=600, n_test=200, epochs=150)


def test_manifold_is_orthonormal_and_data_seeded():
    rng = np.random.default_rng(3)
    A = E.make_manifold(20, 3, rng)
    assert np.allclose(A.T @ A, np.eye(3), atol=1e-10)
    x1, y1 = E.sample_data(50, A, 2.0, 0.05, np.random.default_rng(1))
    x2, y2 = E.sample_data(50, A, 2.0, 0.05, np.random.default_rng(1))
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)


def test_input_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    p = E.init_mlp(7, 5, rng)
    x = rng.standard_normal((3, 7))
    f, h = E.mlp_forward(p, x)
    g = E.mlp_input_grad(p, h, np.ones(3))
    e = 1e-6
    for j in range(7):
        dx = np.zeros(7)
        dx[j] = e
        fd = (E.mlp_forward(p, x + dx)[0] - E.mlp_forward(p, x - dx)[0]) / (2 * e)
        assert np.allclose(fd, g[:, j], atol=1e-6)


def test_classifier_learns_and_detectors_are_calibrated(world):
    assert world["clean_acc"] > 0.9
    for det in (world["det_learned"], world["det_manifold"]):
        fp = np.mean(det.score(world["x_test"]) >= det.tau)
        assert fp < 0.15  # calibrated at 5% on a separate clean sample


def test_static_attacks_succeed_without_detector_and_are_caught_with_one(world):
    first, cost = E.run_condition(world, "none", "static", 0.5, 40)
    assert np.mean(np.isfinite(first)) > 0.9
    assert cost == 4
    for det in ("learned", "manifold"):
        f2, _ = E.run_condition(world, det, "static", 0.5, 40)
        assert np.mean(np.isfinite(f2)) < 0.05


def test_adaptive_attack_breaks_learned_detector_more_than_manifold_check(world):
    fl, cl = E.run_condition(world, "learned", "adaptive", 0.5, 40)
    fm, _ = E.run_condition(world, "manifold", "adaptive", 0.5, 40)
    sl, sm = np.mean(np.isfinite(fl)), np.mean(np.isfinite(fm))
    assert sl > 0.5
    assert sm < sl
    assert cl == 8
    # adaptive attacks need more steps than undefended ones
    f0, _ = E.run_condition(world, "none", "static", 0.5, 40)
    assert np.median(fl[np.isfinite(fl)]) > np.median(f0[np.isfinite(f0)])


def test_attacks_respect_the_budget(world):
    x, y = world["x_test"][:30], world["y_test"][:30]
    _, sub = E.pgd(world["clf"], x, y, eps=0.3, steps=10, det=world["det_learned"], adaptive=True)
    assert np.max(np.abs(sub - x)) <= 0.3 + 1e-12


def test_auc_helper():
    assert E._auc(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == 1.0
    assert E._auc(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == 0.0


def test_search_cost_grows_exponentially_while_verification_is_constant():
    vs = E.verify_vs_search(m_grid=(2, 8), trials=10, seed=1)
    assert vs["search_mean"][1] > 20 * vs["search_mean"][0]
    assert np.all(vs["verify_cost"] == 1)
    # a found nonce really passes the check
    rng = np.random.default_rng(0)
    n = E.search_cost(6, rng)
    assert n >= 1
    assert E.check_bits(0, 0)
