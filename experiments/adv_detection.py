"""Detection versus generation of adversarial inputs: a compute-accounted toy.

Two small settings, pure numpy, seeded with ``numpy.random.default_rng(seed)``.

Part A: the ML-robustness roles (attacker generates, defender detects)
---------------------------------------------------------------------
Data lie near a k-dimensional linear manifold in R^d:

    z ~ N(s * m * e_1, I_k),  s = 2y - 1,   x = A z + sigma * n,   n ~ N(0, I_d),

with A (d x k) having orthonormal columns.  A one-hidden-layer tanh MLP is the
classifier.  The attacker runs l_inf projected gradient descent (PGD, sign steps
of size ``alpha`` inside an l_inf ball of radius ``eps``).  Two detectors:

* ``learned``: a tanh MLP trained to separate clean inputs from *static* PGD
  adversarial examples (the attacker of the training set ignores the detector);
* ``manifold``: the squared off-manifold residual ||(I - A A^T) x||^2, i.e. a
  check of a property that real data provably have.  It stands in for a
  detector that *verifies* something about the input rather than recognising
  artefacts of one attack.

Both are thresholded at a 5% false-positive rate on held-out clean data.

Attackers:

* ``static``: PGD on the classifier loss only; it submits the first iterate
  that the classifier gets wrong (so the detector sees a minimal-ish attack);
* ``adaptive``: PGD on a Carlini-Wagner-style hinge objective
  relu(s f(x) + kappa) + relu(D(x) - tau + kappa), i.e. it attacks the classifier
  and the detector together, and stops at the first iterate that is
  misclassified *and* below the detector's threshold.

Compute is counted in network passes: a forward pass of one network costs 1, a
backward pass 2.  A static PGD step costs 3 (classifier), an adaptive step 3 for
the classifier plus 3 for a learned detector (the manifold residual is counted
as one more network pass forward and backward, also 3).  The defender pays 1
forward pass of the detector per input.

Part B: the alignment roles (red team generates, model detects)
---------------------------------------------------------------
The model's "is this deployment?" check is a verifier: an input carries a
nonce, and the check passes iff the first ``m`` bits of a hash of the nonce
(blake2b with a fixed key, standing in for "a factorisation of RSA-2048 appears
in the input") are zero.  Checking costs one hash.  A red team without the key
structure must search: we measure the number of hash evaluations random search
needs.  A *latent* red team that can write to the model's internal "check
passed" unit needs one forward pass regardless of m.
"""

from __future__ import annotations

import hashlib

import numpy as np

# ---------------------------------------------------------------------------
# Part A: data, networks, training
# ---------------------------------------------------------------------------

DEFAULTS = dict(d=40, k=4, m=2.0, sigma=0.05, hidden=32, n_train=1000, n_test=300, epochs=200)


def make_manifold(d: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Random d x k matrix with orthonormal columns."""
    q, _ = np.linalg.qr(rng.standard_normal((d, k)))
    return q[:, :k]


def sample_data(n: int, A: np.ndarray, m: float, sigma: float, rng: np.random.Generator):
    d, k = A.shape
    y = rng.integers(0, 2, size=n)
    s = 2 * y - 1
    z = rng.standard_normal((n, k))
    z[:, 0] += s * m
    x = z @ A.T + sigma * rng.standard_normal((n, d))
    return x, y


def init_mlp(d: int, h: int, rng: np.random.Generator) -> dict:
    return {
        "W1": rng.standard_normal((h, d)) / np.sqrt(d),
        "b1": np.zeros(h),
        "w2": rng.standard_normal(h) / np.sqrt(h),
        "b2": 0.0,
    }


def mlp_forward(p: dict, x: np.ndarray):
    h = np.tanh(x @ p["W1"].T + p["b1"])
    return h @ p["w2"] + p["b2"], h


def mlp_input_grad(p: dict, h: np.ndarray, gout: np.ndarray) -> np.ndarray:
    """d(sum_i gout_i * f(x_i)) / dx for each row."""
    return ((gout[:, None] * p["w2"][None, :]) * (1.0 - h**2)) @ p["W1"]


def train_mlp(
    x: np.ndarray, y: np.ndarray, hidden: int, rng: np.random.Generator, epochs: int = 400, lr: float = 0.02, wd: float = 1e-4
) -> dict:
    """Full-batch Adam on logistic loss; labels y in {0, 1}."""
    p = init_mlp(x.shape[1], hidden, rng)
    mom = {k: np.zeros_like(v) for k, v in p.items()}
    vel = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, epsn = 0.9, 0.999, 1e-8
    n = len(y)
    for t in range(1, epochs + 1):
        f, h = mlp_forward(p, x)
        g = (1.0 / (1.0 + np.exp(-f)) - y) / n  # dL/df
        dpre = (g[:, None] * p["w2"][None, :]) * (1.0 - h**2)
        grads = {
            "W1": dpre.T @ x + wd * p["W1"],
            "b1": dpre.sum(0),
            "w2": h.T @ g + wd * p["w2"],
            "b2": g.sum(),
        }
        for k in p:
            mom[k] = b1 * mom[k] + (1 - b1) * grads[k]
            vel[k] = b2 * vel[k] + (1 - b2) * grads[k] ** 2
            mh = mom[k] / (1 - b1**t)
            vh = vel[k] / (1 - b2**t)
            p[k] = p[k] - lr * mh / (np.sqrt(vh) + epsn)
    return p


def accuracy(p: dict, x: np.ndarray, y: np.ndarray) -> float:
    f, _ = mlp_forward(p, x)
    return float(np.mean((f > 0) == (y == 1)))


# ---------------------------------------------------------------------------
# Detectors
# ---------------------------------------------------------------------------


class LearnedDetector:
    """Tanh MLP score; higher = more adversarial."""

    cost_fwd = 1
    cost_grad = 3

    def __init__(self, params: dict):
        self.p = params
        self.tau = np.inf

    def score(self, x):
        return mlp_forward(self.p, x)[0]

    def score_and_grad(self, x):
        f, h = mlp_forward(self.p, x)
        return f, mlp_input_grad(self.p, h, np.ones(len(x)))


class ManifoldDetector:
    """Squared off-manifold residual ||(I - A A^T) x||^2."""

    cost_fwd = 1
    cost_grad = 3

    def __init__(self, A: np.ndarray):
        self.P = np.eye(A.shape[0]) - A @ A.T
        self.tau = np.inf

    def score(self, x):
        r = x @ self.P
        return np.sum(r * r, axis=1)

    def score_and_grad(self, x):
        r = x @ self.P
        return np.sum(r * r, axis=1), 2.0 * r


def calibrate(det, x_clean: np.ndarray, fpr: float = 0.05) -> float:
    det.tau = float(np.quantile(det.score(x_clean), 1.0 - fpr))
    return det.tau


# ---------------------------------------------------------------------------
# Attacks
# ---------------------------------------------------------------------------


def pgd(
    clf: dict,
    x0: np.ndarray,
    y: np.ndarray,
    eps: float,
    steps: int,
    alpha: float | None = None,
    det=None,
    adaptive: bool = False,
    kappa: float = 0.5,
    det_weight: float = 1.0,
    step: str | None = None,
    class_dir: np.ndarray | None = None,
):
    """l_inf PGD.  Returns per-example first-success step (np.inf if never) and
    the submitted inputs.

    ``step``: "sign" (standard PGD) or "grad" (l_inf-normalised gradient, which
    lets the attacker move along a thin manifold); default sign for static,
    grad for adaptive.

    ``class_dir``: if given (the unit vector A e_1), an iterate only counts as an
    adversarial example while its Bayes label sign(x . class_dir) is still the
    original label: an input that has really become the other class is not an
    attack on the classifier.

    static (adaptive=False): ascend the classifier's hinge loss; the submitted
    input is the first misclassified iterate; success means it is also below
    the detector threshold (if a detector is given).
    adaptive: descend relu(s f + kappa) + det_weight * relu(D - tau + kappa);
    success at the first iterate that is misclassified and undetected.
    """
    if step is None:
        step = "grad" if adaptive else "sign"
    if alpha is None:
        alpha = eps / 8.0
    s = 2 * y - 1
    x = x0.copy()
    n = len(y)
    first = np.full(n, np.inf)
    submitted = x0.copy()
    decided = np.zeros(n, dtype=bool)  # static: has submitted an input
    for t in range(1, steps + 1):
        f, h = mlp_forward(clf, x)
        g_cls = mlp_input_grad(clf, h, (s * f + kappa > 0).astype(float) * s)
        g = g_cls.copy()
        if adaptive and det is not None:
            dsc, dg = det.score_and_grad(x)
            active = (dsc - det.tau + kappa * _det_scale(det) > 0).astype(float)
            g = g + det_weight * _det_norm(det) * active[:, None] * dg
        # descend the objective
        if step == "sign":
            x = x - alpha * np.sign(g)
        else:  # l_inf-normalised gradient step: keeps the direction's shape
            x = x - alpha * g / (np.max(np.abs(g), axis=1, keepdims=True) + 1e-12)
        x = np.clip(x, x0 - eps, x0 + eps)
        f_new, _ = mlp_forward(clf, x)
        wrong = s * f_new < 0
        if det is not None:
            undetected = det.score(x) < det.tau
        else:
            undetected = np.ones(n, dtype=bool)
        if class_dir is not None:
            undetected = undetected & (s * (x @ class_dir) > 0)
        if adaptive:
            newly = wrong & undetected & ~np.isfinite(first)
            first[newly] = t
            submitted[newly] = x[newly]
        else:
            newly = wrong & ~decided
            decided[newly] = True
            submitted[newly] = x[newly]
            ok = newly & undetected
            first[ok] = t
    return first, submitted


def _det_scale(det) -> float:
    # hinge margin in the detector's own units
    return getattr(det, "margin_scale", 1.0)


def _det_norm(det) -> float:
    return getattr(det, "grad_scale", 1.0)


def step_cost(det=None, adaptive: bool = False) -> int:
    """Network passes per PGD step (forward 1 + backward 2 per network, plus
    the success check's forward passes)."""
    c = 3 + 1  # classifier grad + forward check
    if det is not None:
        c += 1  # detector forward for the success check
        if adaptive:
            c += det.cost_grad
    return c


# ---------------------------------------------------------------------------
# Part A driver
# ---------------------------------------------------------------------------


def build_world(seed: int = 0, eps_train: float = 0.5, **kw) -> dict:
    cfg = {**DEFAULTS, **kw}
    rng = np.random.default_rng(seed)
    A = make_manifold(cfg["d"], cfg["k"], rng)
    xtr, ytr = sample_data(cfg["n_train"], A, cfg["m"], cfg["sigma"], rng)
    xte, yte = sample_data(cfg["n_test"], A, cfg["m"], cfg["sigma"], rng)
    xcal, ycal = sample_data(cfg["n_test"], A, cfg["m"], cfg["sigma"], rng)
    clf = train_mlp(xtr, ytr, cfg["hidden"], rng, epochs=cfg["epochs"], lr=0.03)
    # learned detector: clean vs static PGD examples on a training split
    _, adv_tr = pgd(clf, xtr, ytr, eps=eps_train, steps=20)
    f_adv, _ = mlp_forward(clf, adv_tr)
    fooled = (2 * ytr - 1) * f_adv < 0
    xd = np.vstack([xtr, adv_tr[fooled]])
    yd = np.concatenate([np.zeros(len(xtr)), np.ones(int(fooled.sum()))])
    det_l = LearnedDetector(train_mlp(xd, yd, cfg["hidden"], rng, epochs=cfg["epochs"], lr=0.03))
    det_m = ManifoldDetector(A)
    calibrate(det_l, xcal)
    calibrate(det_m, xcal)
    # put the two detectors' hinge terms on comparable scales
    det_l.margin_scale = 1.0
    det_l.grad_scale = 1.0
    sd = float(np.std(det_m.score(xcal)))
    det_m.margin_scale = sd
    det_m.grad_scale = 1.0 / max(sd, 1e-12)
    return dict(
        cfg=cfg,
        seed=seed,
        A=A,
        clf=clf,
        det_learned=det_l,
        det_manifold=det_m,
        x_test=xte,
        y_test=yte,
        x_cal=xcal,
        clean_acc=accuracy(clf, xte, yte),
        n_det_train=len(yd),
        eps_train=eps_train,
    )


CONDITIONS = [
    ("none", "static"),
    ("learned", "static"),
    ("learned", "adaptive"),
    ("manifold", "static"),
    ("manifold", "adaptive"),
]


def run_condition(world: dict, detector: str, attacker: str, eps: float, steps: int, step: str | None = None, genuine: bool = True):
    det = {"none": None, "learned": world["det_learned"], "manifold": world["det_manifold"]}[detector]
    x, y = world["x_test"], world["y_test"]
    f0, _ = mlp_forward(world["clf"], x)
    correct = (2 * y - 1) * f0 > 0  # attack only correctly classified points
    first, sub = pgd(
        world["clf"],
        x[correct],
        y[correct],
        eps=eps,
        steps=steps,
        det=det,
        adaptive=(attacker == "adaptive"),
        step=step,
        class_dir=world["A"][:, 0] if genuine else None,
    )
    cost = step_cost(det, attacker == "adaptive")
    return first, cost


def detector_auc(world: dict, detector: str, eps: float, steps: int = 40) -> dict:
    """AUC of a detector on clean vs *static* attack inputs (those that fool the
    classifier), and vs adaptive-attack submissions."""
    det = world["det_learned"] if detector == "learned" else world["det_manifold"]
    x, y = world["x_test"], world["y_test"]
    clean = det.score(world["x_cal"])
    out = {}
    for attacker in ("static", "adaptive"):
        first, sub = pgd(world["clf"], x, y, eps=eps, steps=steps, det=det, adaptive=(attacker == "adaptive"))
        f, _ = mlp_forward(world["clf"], sub)
        fooled = (2 * y - 1) * f < 0
        adv = det.score(sub[fooled])
        out[attacker] = _auc(clean, adv) if len(adv) else float("nan")
    return out


def _auc(neg: np.ndarray, pos: np.ndarray) -> float:
    allv = np.concatenate([neg, pos])
    ranks = np.argsort(np.argsort(allv)) + 1.0
    rp = ranks[len(neg) :].sum()
    return float((rp - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def success_curves(seed: int = 0, eps: float = 0.5, steps: int = 60) -> dict:
    """Fraction of (correctly classified) test points successfully attacked
    within a given compute budget, for each detector/attacker condition."""
    return success_curves_world(build_world(seed), eps, steps)


def _median_first(first: np.ndarray) -> float:
    ok = np.isfinite(first)
    return float(np.median(first[ok])) if ok.mean() >= 0.5 else float("inf")


def eps_sweep(seeds=(0, 1, 2), eps_grid=(0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2), steps: int = 60, worlds: dict | None = None) -> dict:
    """Success rate within ``steps`` PGD steps vs l_inf budget, per seed (each
    seed: new manifold, data, classifier and detector).  ``worlds`` may map seed
    to an already built world to avoid retraining."""
    res = {f"{d}/{a}": np.zeros((len(seeds), len(eps_grid))) for d, a in CONDITIONS}
    acc = []
    for i, sd in enumerate(seeds):
        w = worlds[sd] if worlds and sd in worlds else build_world(sd)
        acc.append(w["clean_acc"])
        for j, e in enumerate(eps_grid):
            for d, a in CONDITIONS:
                first, _ = run_condition(w, d, a, e, steps)
                res[f"{d}/{a}"][i, j] = np.mean(np.isfinite(first))
    return dict(eps=np.array(eps_grid), seeds=list(seeds), steps=steps, success=res, clean_acc=np.array(acc))


def success_curves_world(w: dict, eps: float = 0.5, steps: int = 60) -> dict:
    """As :func:`success_curves` but on a given world."""
    out = {"eps": eps, "steps": steps, "clean_acc": w["clean_acc"], "curves": {}}
    for det, att in CONDITIONS:
        first, cost = run_condition(w, det, att, eps, steps)
        budgets = np.arange(1, steps + 1)
        frac = np.array([np.mean(first <= b) for b in budgets])
        out["curves"][f"{det}/{att}"] = dict(compute=budgets * cost, success=frac, cost_per_step=cost, median_steps=_median_first(first))
    return out


def onmanifold_margin(world: dict) -> np.ndarray:
    """For each correctly classified test point, the smallest l_inf budget that a
    purely on-manifold move along A e_1 (the class direction) needs to reach the
    Bayes boundary z_1 = 0: |z_1| * ||A e_1||_inf.  A lower bound on what an
    attacker that stays on the manifold must spend to change the true class."""
    A = world["A"]
    z = world["x_test"] @ A
    return np.abs(z[:, 0]) * np.max(np.abs(A[:, 0]))


# ---------------------------------------------------------------------------
# Part B: verifier check vs search
# ---------------------------------------------------------------------------

_KEY = b"alignment-concepts-r15"


def check_bits(nonce: int, m: int) -> bool:
    """The model's deployment check: first m bits of a keyed hash are zero."""
    if m == 0:
        return True
    h = hashlib.blake2b(nonce.to_bytes(8, "little"), key=_KEY, digest_size=8).digest()
    v = int.from_bytes(h, "big")
    return (v >> (64 - m)) == 0


def search_cost(m: int, rng: np.random.Generator, max_evals: int = 1 << 20) -> int:
    """Hash evaluations random search needs to find a passing nonce."""
    start = int(rng.integers(0, 1 << 62))
    for i in range(max_evals):
        if check_bits(start + i, m):
            return i + 1
    return max_evals


def verify_vs_search(m_grid=(2, 4, 6, 8, 10, 12), trials: int = 12, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    costs = np.array([[search_cost(m, rng) for _ in range(trials)] for m in m_grid], dtype=float)
    return dict(
        m=np.array(m_grid),
        trials=trials,
        search_mean=costs.mean(1),
        search_sem=costs.std(1, ddof=1) / np.sqrt(trials),
        search_all=costs,
        verify_cost=np.ones(len(m_grid)),
        latent_cost=np.ones(len(m_grid)),
    )


def arms_race(seed: int = 0, eps: float = 0.5, rounds: int = 3, steps: int = 60) -> dict:
    """Retrain the learned detector on every adversarial example seen so far
    (static ones, then each round's adaptive submissions), recalibrate at 5% FPR,
    and attack adaptively again.  Returns per-round success and median steps."""
    w = build_world(seed)
    cfg = w["cfg"]
    rng = np.random.default_rng(seed + 1000)
    A = w["A"]
    xtr, ytr = sample_data(cfg["n_train"], A, cfg["m"], cfg["sigma"], rng)
    _, adv = pgd(w["clf"], xtr, ytr, eps=w["eps_train"], steps=20)
    f_adv, _ = mlp_forward(w["clf"], adv)
    pool = [adv[(2 * ytr - 1) * f_adv < 0]]
    det = w["det_learned"]
    succ, med = [], []
    for r in range(rounds):
        first, sub = pgd(w["clf"], xtr, ytr, eps=eps, steps=steps, det=det, adaptive=True, class_dir=A[:, 0])
        # evaluate on held-out test points
        wt = dict(w, det_learned=det)
        first_te, _ = run_condition(wt, "learned", "adaptive", eps, steps)
        succ.append(float(np.mean(np.isfinite(first_te))))
        med.append(_median_first(first_te))
        ok = np.isfinite(first)
        pool.append(sub[ok])
        xd = np.vstack([xtr] + pool)
        yd = np.concatenate([np.zeros(len(xtr)), np.ones(sum(len(q) for q in pool))])
        det = LearnedDetector(train_mlp(xd, yd, cfg["hidden"], rng, epochs=cfg["epochs"], lr=0.03))
        calibrate(det, w["x_cal"])
        det.margin_scale = 1.0
        det.grad_scale = 1.0
    return dict(eps=eps, rounds=rounds, success=np.array(succ), median_steps=np.array(med))
