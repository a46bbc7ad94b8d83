"""Tests for the CPU-sized grokking replication (experiments/replication_entry.py)."""

import numpy as np
import pytest

from experiments import replication_entry as E


def test_dataset_is_modular_addition():
    X, y = E._dataset(7)
    assert X.shape == (49, 14)
    assert np.all(X.sum(axis=1) == 2)
    a = X[:, :7].argmax(1)
    b = X[:, 7:].argmax(1)
    assert np.array_equal(y, (a + b) % 7)


def test_fourier_concentration_pure_mode_vs_noise():
    p, H = 23, 16
    k = np.arange(p)[:, None]
    freqs = np.arange(1, H + 1) % ((p - 1) // 2) + 1
    phases = np.linspace(0, 3, H)
    pure = np.cos(2 * np.pi * freqs * k / p + phases)  # each unit one frequency
    assert E.fourier_concentration(pure) == pytest.approx(1.0, abs=1e-9)
    noise = np.random.default_rng(0).normal(size=(p, H))
    assert E.fourier_concentration(noise) < 0.45


def test_adamw_gradient_matches_finite_difference():
    # the hand-written backward pass must be the gradient of the mean cross-entropy
    p, H = 5, 4
    rng = np.random.default_rng(1)
    X, y = E._dataset(p)
    W1 = rng.normal(size=(2 * p, H)) * 0.5
    W2 = rng.normal(size=(H, p)) * 0.5

    def loss(W1, W2):
        lo = (X @ W1) ** 2 @ W2
        lo = lo - lo.max(1, keepdims=True)
        lp = lo - np.log(np.exp(lo).sum(1, keepdims=True))
        return -lp[np.arange(len(y)), y].mean()

    z = X @ W1
    lo = (z * z) @ W2
    G = np.exp(lo - lo.max(1, keepdims=True))
    G /= G.sum(1, keepdims=True)
    G[np.arange(len(y)), y] -= 1
    G /= len(y)
    gW1 = X.T @ ((G @ W2.T) * 2 * z)
    e = 1e-6
    D = np.zeros_like(W1)
    D[3, 2] = e
    num = (loss(W1 + D, W2) - loss(W1 - D, W2)) / (2 * e)
    assert gW1[3, 2] == pytest.approx(num, rel=1e-5, abs=1e-9)


@pytest.fixture(scope="module")
def small_run():
    # the post's default setting (p = 23, half the pairs), one seed, weight decay on and off
    return E.run(seeds=(0,), weight_decays=(1.0, 0.0), steps=2000, every=50)


def test_memorises_quickly_in_both_conditions(small_run):
    s = E.summarize(small_run)
    assert np.all(s["final_train_acc"] == 1.0)
    assert np.all(s["step_train"] <= 200)


def test_weight_decay_is_needed_to_generalise(small_run):
    s = E.summarize(small_run)
    assert s["final_test_acc"][0, 0] > 0.95  # with weight decay: groks
    assert s["final_test_acc"][1, 0] < 0.5  # without: stays memorised
    assert s["step_test"][0, 0] > s["step_train"][0, 0]  # generalisation comes later
    assert s["final_fourier_conc"][0, 0] > s["final_fourier_conc"][1, 0] + 0.2
    assert s["final_weight_norm"][0, 0] < s["final_weight_norm"][1, 0]


def test_seed_determinism():
    a = E.run(seeds=(3,), weight_decays=(1.0,), p=7, steps=20, every=10)
    b = E.run(seeds=(3,), weight_decays=(1.0,), p=7, steps=20, every=10)
    assert np.array_equal(a["test_acc"], b["test_acc"])
    assert np.allclose(a["weight_norm"], b["weight_norm"])
