import warnings

import numpy as np
import pytest

from experiments import misalign_metric as mm

warnings.filterwarnings("ignore", category=RuntimeWarning)

SMALL = dict(d=16, k=8, pre_steps=300, align_steps=150, n_eval=256, max_steps=120)


@pytest.fixture(scope="module")
def built():
    return mm.build_models(0, SMALL, scales=(10.0,))


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    task = mm.make_task(rng, 6, 2)
    x, yb, yh = mm.sample(rng, task, 20, 6)
    p = mm.init_params(rng, 6, 5, 3, 2)
    _, grads = mm.loss_and_grads(p, x, yb, yh)
    h = 1e-6
    for key in mm.ALL:
        idx = tuple(rng.integers(0, s) for s in p[key].shape)
        q = mm.copy_params(p)
        q[key][idx] += h
        lp, _ = mm.loss_and_grads(q, x, yb, yh)
        q[key][idx] -= 2 * h
        lm, _ = mm.loss_and_grads(q, x, yb, yh)
        assert abs((lp - lm) / (2 * h) - grads[key][idx]) < 1e-5, key


def test_variants_behave_as_constructed(built):
    task, data, models, _ = built
    base = mm.describe(models["base"], data, task)
    shallow = mm.describe(models["shallow"], data, task)
    removed = mm.describe(models["removed"], data, task)
    hard = mm.describe(models["hardened_10"], data, task)
    # the base model complies and knows; every aligned variant refuses and keeps benign skill
    assert base["compliance"] > 0.9 and base["refusal"] < 0.05
    for d in (shallow, removed, hard):
        assert d["refusal"] > 0.95 and d["benign"] > 0.9
    # shallow and hardened keep the capability in the trunk, removal does not
    assert shallow["probe"] > 0.9 and hard["probe"] == shallow["probe"]
    assert removed["probe"] < 0.7
    # hardening is an output rescaling: identical argmax on every evaluation input
    z_s = mm.forward(models["shallow"], data["x_ev"])[3]
    z_h = mm.forward(models["hardened_10"], data["x_ev"])[3]
    assert np.array_equal(z_s.argmax(1), z_h.argmax(1))
    assert np.allclose(z_h, 10.0 * z_s)


def test_metric_separates_and_is_gamed(built):
    task, data, models, _ = built
    c = dict(mm.DEFAULTS, **SMALL)
    rng = np.random.default_rng(7)
    x_att, _, yh_att = mm.sample(rng, task, 16, c["d"])
    lrs = (0.1, 0.3, 1.0)
    kw = dict(lrs=lrs, x_att=x_att, yh_att=yh_att)
    fixed = dict(kw, lrs=(0.1,))
    sh = mm.steps_to_misalign(models["shallow"], data, "sgd", c, rng, **fixed)["best"]
    hd = mm.steps_to_misalign(models["hardened_10"], data, "sgd", c, rng, **fixed)["best"]
    hd_fresh = mm.steps_to_misalign(models["hardened_10"], data, "fresh_head", c, rng, **kw)["best"]
    # at a fixed protocol learning rate, shallow refusal flips within a few dozen GD steps
    assert sh is not None and sh <= 60
    # hardening defeats the fixed protocol (GD) ...
    assert hd is None or hd > 5 * sh
    # ... but not an attack from a different family: the capability is still there
    assert hd_fresh is not None and hd_fresh <= 30


def test_attack_requires_benign_floor():
    # with an impossible benign floor no attack can count as a success
    task, data, models, _ = mm.build_models(1, dict(SMALL, pre_steps=150, align_steps=80), scales=())
    c = dict(mm.DEFAULTS, **dict(SMALL, benign_floor=1.01, max_steps=20))
    rng = np.random.default_rng(0)
    x_att, _, yh_att = mm.sample(rng, task, 16, c["d"])
    out = mm.steps_to_misalign(models["shallow"], data, "sgd", c, rng, lrs=(1.0,), x_att=x_att, yh_att=yh_att)
    assert out["best"] is None and out["per_lr"] == [None]
