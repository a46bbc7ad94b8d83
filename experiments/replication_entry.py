"""Entry-level replication target: grokking on modular addition, CPU-sized.

A faithful miniature of the grokking phenomenon (Power et al. 2022) in the
two-layer MLP form studied by Gromov (2023), trained full-batch with a
hand-written AdamW, in pure numpy:

* task: ``c = (a + b) mod p`` for all ``p * p`` ordered pairs; a random
  fraction ``frac`` of pairs is the training set, the rest is the test set;
* input: the concatenated one-hot codes of ``a`` and ``b`` (length ``2p``);
* model: ``logits = (x W1) ** 2 @ W2`` (quadratic activation, no biases),
  hidden width ``H``; cross-entropy loss on the training pairs;
* optimiser: AdamW (decoupled weight decay ``wd``), full batch.

Besides train and test accuracy, :func:`run` records a cheap mechanistic
progress measure in the spirit of Nanda et al. (2023): how concentrated the
input embedding of ``a`` is on a few Fourier frequencies of Z_p.  A generalising
solution uses a handful of frequencies; a memorising one spreads its weight.

Everything is vectorised over runs (seeds x weight-decay settings), so one call
trains all of them together.  All randomness comes from
``numpy.random.default_rng(seed)``; nothing is plotted here.
"""

from __future__ import annotations

import numpy as np

DEFAULTS = dict(
    p=23,  # modulus (prime)
    frac=0.5,  # fraction of the p*p pairs used for training
    H=64,  # hidden width
    steps=2000,  # full-batch optimiser steps
    lr=1e-2,  # AdamW learning rate
    betas=(0.9, 0.98),  # AdamW betas (as in Power et al.)
    eps=1e-8,
    init_scale=1.0,  # std multiplier of the 1/sqrt(fan_in) normal init
    every=50,  # evaluate every this many steps
)


def _dataset(p: int):
    n = p * p
    a = np.arange(n) // p
    b = np.arange(n) % p
    y = (a + b) % p
    X = np.zeros((n, 2 * p))
    X[np.arange(n), a] = 1.0
    X[np.arange(n), p + b] = 1.0
    return X, y


def fourier_concentration(W_embed: np.ndarray) -> np.ndarray:
    """Power-weighted mean, over hidden units, of each unit's single-frequency share.

    ``W_embed`` has shape ``(..., p, H)``: column ``j`` is hidden unit ``j``'s
    input weight for each residue.  Each column is Fourier-transformed along the
    residue axis; the power of frequency ``k`` (``1 <= k <= (p-1)/2``, pairing ``k``
    with ``p-k``) is computed, and a unit's *concentration* is the share of its
    non-constant power in its strongest frequency.  The return value averages
    this over units, weighting each by its total power.  It is about 1 when every
    unit reads a single Fourier mode of Z_p (the generalising algorithm for this
    architecture) and much lower for a random or memorising embedding.
    """
    F = np.fft.rfft(W_embed, axis=-2)  # (..., p//2+1, H)
    power = (np.abs(F) ** 2)[..., 1:, :]  # drop k = 0 (constant)
    unit_total = power.sum(axis=-2)  # (..., H)
    unit_share = power.max(axis=-2) / np.maximum(unit_total, 1e-300)
    return (unit_share * unit_total).sum(axis=-1) / np.maximum(unit_total.sum(axis=-1), 1e-300)


def run(seeds=(0, 1, 2), weight_decays=(1.0, 0.0), **overrides) -> dict:
    """Train one model per (weight decay, seed) pair; return learning curves.

    The seed fixes both the train/test split and the initialisation, so runs
    with the same seed and different weight decay differ only in ``wd``.

    Returns a dict with ``steps`` (evaluation steps), arrays ``train_acc``,
    ``test_acc``, ``train_loss``, ``fourier_conc`` and ``weight_norm`` of shape
    ``(n_wd, n_seeds, n_evals)``, the axes, and the parameters used.
    """
    P = {**DEFAULTS, **overrides}
    p, H, steps, lr, every = P["p"], P["H"], P["steps"], P["lr"], P["every"]
    b1, b2 = P["betas"]
    eps = P["eps"]
    seeds = tuple(int(s) for s in seeds)
    wds = tuple(float(w) for w in weight_decays)
    conds = [(w, s) for w in wds for s in seeds]
    R = len(conds)
    X, y = _dataset(p)
    n = p * p
    ntr = int(round(P["frac"] * n))
    if not 0 < ntr < n:
        raise ValueError("frac must leave a non-empty train and test set")

    tr = np.zeros((R, ntr), dtype=int)
    W1 = np.zeros((R, 2 * p, H))
    W2 = np.zeros((R, H, p))
    for r, (_, s) in enumerate(conds):
        rng = np.random.default_rng(s)
        tr[r] = rng.permutation(n)[:ntr]
        W1[r] = rng.normal(0.0, P["init_scale"] / np.sqrt(2 * p), (2 * p, H))
        W2[r] = rng.normal(0.0, P["init_scale"] / np.sqrt(H), (H, p))
    wd = np.array([c[0] for c in conds])[:, None, None]
    decay = 1.0 - lr * wd  # decoupled weight decay, applied multiplicatively
    mask = np.zeros((R, n), dtype=bool)
    mask[np.arange(R)[:, None], tr] = True
    Xtr, ytr = X[tr], y[tr]  # (R, ntr, 2p), (R, ntr)
    XtrT = np.transpose(Xtr, (0, 2, 1))
    rr, cc = np.arange(R)[:, None], np.arange(ntr)[None, :]

    params = [W1, W2]
    m = [np.zeros_like(q) for q in params]
    v = [np.zeros_like(q) for q in params]
    hist_steps, tr_acc, te_acc, tr_loss, conc, wnorm = [], [], [], [], [], []

    def evaluate(t):
        z = X[None] @ W1
        logits = (z * z) @ W2  # (R, n, p)
        correct = logits.argmax(axis=2) == y
        lo = logits - logits.max(axis=2, keepdims=True)
        logp = lo - np.log(np.exp(lo).sum(axis=2, keepdims=True))
        nll = -logp[:, np.arange(n), y]  # (R, n)
        hist_steps.append(t)
        tr_acc.append((correct & mask).sum(1) / mask.sum(1))
        te_acc.append((correct & ~mask).sum(1) / (~mask).sum(1))
        tr_loss.append((nll * mask).sum(1) / mask.sum(1))
        conc.append(fourier_concentration(W1[:, :p, :]))
        wnorm.append(np.sqrt((W1**2).sum((1, 2)) + (W2**2).sum((1, 2))))

    evaluate(0)
    for t in range(1, steps + 1):
        z = Xtr @ W1
        h = z * z
        lo = h @ W2
        lo -= lo.max(axis=2, keepdims=True)
        G = np.exp(lo)
        G /= G.sum(axis=2, keepdims=True)
        G[rr, cc, ytr] -= 1.0
        G /= ntr  # d(mean cross-entropy)/d(logits)
        gW2 = np.transpose(h, (0, 2, 1)) @ G
        gz = (G @ np.transpose(W2, (0, 2, 1))) * (2.0 * z)
        gW1 = XtrT @ gz
        # AdamW, written in the algebraically identical "folded bias-correction" form:
        # mhat / (sqrt(vhat) + eps) == c_t * m / (sqrt(v) + eps * sqrt(1 - b2**t)),
        # with c_t = sqrt(1 - b2**t) / (1 - b1**t); decoupled decay multiplies q by (1 - lr*wd).
        c_t = np.sqrt(1 - b2**t) / (1 - b1**t)
        eps_t = eps * np.sqrt(1 - b2**t)
        for i, (q, g) in enumerate(zip(params, (gW1, gW2))):
            m[i] *= b1
            m[i] += (1 - b1) * g
            v[i] *= b2
            v[i] += (1 - b2) * (g * g)
            step = np.sqrt(v[i])
            step += eps_t
            np.divide(m[i], step, out=step)
            q *= decay
            q -= (lr * c_t) * step
        if t % every == 0:
            evaluate(t)

    shape = (len(wds), len(seeds), -1)

    def stack(lst):
        return np.stack(lst, axis=-1).reshape(shape)

    return dict(
        steps=np.array(hist_steps),
        train_acc=stack(tr_acc),
        test_acc=stack(te_acc),
        train_loss=stack(tr_loss),
        fourier_conc=stack(conc),
        weight_norm=stack(wnorm),
        weight_decays=np.array(wds),
        seeds=np.array(seeds),
        n_train=ntr,
        n_test=n - ntr,
        params={**P, "seeds": list(seeds), "weight_decays": list(wds)},
    )


def first_step_above(steps: np.ndarray, acc: np.ndarray, threshold: float = 0.99) -> np.ndarray:
    """First evaluation step at which ``acc`` (last axis = time) reaches ``threshold``; NaN if never."""
    hit = acc >= threshold
    idx = hit.argmax(axis=-1)
    out = steps[idx].astype(float)
    out[~hit.any(axis=-1)] = np.nan
    return out


def summarize(res: dict, threshold: float = 0.99) -> dict:
    """Steps to fit the training set and to generalise, per (wd, seed), and final values."""
    s = res["steps"]
    t_train = first_step_above(s, res["train_acc"], threshold)
    t_test = first_step_above(s, res["test_acc"], threshold)
    return dict(
        weight_decays=res["weight_decays"],
        seeds=res["seeds"],
        step_train=t_train,
        step_test=t_test,
        delay_ratio=t_test / t_train,
        final_train_acc=res["train_acc"][..., -1],
        final_test_acc=res["test_acc"][..., -1],
        final_fourier_conc=res["fourier_conc"][..., -1],
        init_fourier_conc=res["fourier_conc"][..., 0],
        final_weight_norm=res["weight_norm"][..., -1],
    )


def sweep_fraction(fracs=(0.3, 0.4, 0.5, 0.6, 0.7), seeds=(0, 1), wd=1.0, **overrides) -> dict:
    """Steps to 99% test accuracy as a function of the training fraction (weight decay on)."""
    out = {}
    for f in fracs:
        res = run(seeds=seeds, weight_decays=(wd,), frac=f, **overrides)
        out[float(f)] = summarize(res)["step_test"][0]
    return out
