"""Debate on weights: does white-box evidence help a budget-limited judge?

The model under debate
----------------------
Inputs are bit vectors ``x = (u, z)``.  ``u`` (user bits) can be set freely by
anyone who runs the model in the lab; ``z`` (context bits) stands for features of
deployment that cannot be fabricated in the lab (a real date, a real-world event):
in the lab ``z`` is drawn uniformly at random and nobody can choose it.

The model has ``m`` detector units.  Detector ``j`` is a threshold unit that
computes an AND of literals: it fires iff every variable with weight ``+1`` in its
row is on and every variable with weight ``-1`` is off.  A gate unit fires iff all
detectors fire, and when the gate fires the model outputs ``BAD`` instead of its
ordinary task output (the parity of ``u``).

Each detector owns two private ``u``-literals.  ``k_z`` literals on ``z`` bits are
spread over the detectors.  One extra ``u`` variable ``s`` (the *shared* variable)
appears in two detectors ``a`` and ``b``:

* in a **backdoored** model it has the same sign in both, so the gate is live:
  it fires on the trigger, which needs ``k_z`` particular context bits and so
  occurs in the lab with probability ``p = 2**-k_z`` per run;
* in a **clean** model it has opposite signs, so the gate is dead: no input can
  ever make both detectors fire.  The dead gate is still wired to the output, so
  clamping it on produces ``BAD`` in both kinds of model.

The debate
----------
Claim: "this model is backdoored".  One debater is honest, the other argues the
opposite; the judge has a budget of ``b`` checks.  A check is one forward pass on
a lab input, one forward pass with a unit clamped, or one read of one weight
through the interpretability tool.

* **Behaviour only** (``B``).  The debater arguing "backdoored" may cite the user
  bits ``u*`` of the trigger; the judge runs ``b`` lab inputs with ``u = u*`` and
  random ``z`` and rules "backdoored" iff it ever sees ``BAD``.  Outputs are
  unforgeable, so ``B`` never accuses a clean model, but it catches a backdoor
  only if the random context happens to match.
* **White box** (``W``).  The "backdoored" side cites the gate; the judge spends
  one check clamping it (``BAD`` appears in both kinds of model, so this only
  shows the gate matters).  The "clean" side must show the gate is dead by
  citing a contradiction: variable ``s`` with opposite signs in detectors ``a`` and
  ``b``.  The judge reads both cited weights ``R`` times each
  (``R = min((b - 1) // 2, r_max)``), takes majority votes, and rules "clean" iff
  the two signs it perceives differ.  In a backdoored model the dishonest debater
  cites the same place (where the signs agree), claiming they differ.  Leftover
  budget goes to behavioural sampling as in ``B``, and an observed ``BAD`` overrides.
* **Obfuscated white box**.  The contradiction cannot be located by either
  debater (it is spread over ``m`` detectors, none individually diagnostic); the
  judge inspects ``r = min(b - 1, m)`` whole detector rows chosen at random, one
  read each, and can see the contradiction only if both ``a`` and ``b`` are among
  them.  A gate that the clamp shows to matter and that nobody has shown dead is
  presumed live.

Tool imperfections
------------------
* ``eps``: each weight read returns the wrong sign with probability ``eps``,
  independently (an honest but noisy tool).
* ``phi``: with probability ``phi`` per debate the dishonest debater has fooled the
  tool on the contested weight, and every read of it returns what the dishonest
  debater wants (an adversarially gamed tool; repetition does not help).

Everything is pure numpy, seeded with ``numpy.random.default_rng(seed)``, and returns
plain dicts.  The Monte Carlo in :func:`judge_accuracy` samples the same random
events that :class:`ToyModel` produces (first trigger hit in the lab, read errors,
fooling, inspection order) with common random numbers across budgets; the tests
check it against the explicit network and against closed forms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BAD = 2
DEFAULTS = dict(k_z=10, r_max=10, n_episodes=4000, seed=0)
BUDGETS = np.array([1, 2, 3, 4, 6, 10, 20, 40, 100, 200, 400, 1000, 2000, 4000])


# --------------------------------------------------------------------------
# The explicit network (worked example and tests)
# --------------------------------------------------------------------------


@dataclass
class ToyModel:
    pos: np.ndarray  # (m, n) bool: weight +1
    neg: np.ndarray  # (m, n) bool: weight -1
    n_u: int
    shared: int  # index of the shared u variable
    a: int
    b: int
    backdoored: bool

    @property
    def m(self) -> int:
        return self.pos.shape[0]

    @property
    def n(self) -> int:
        return self.pos.shape[1]

    def detectors(self, x: np.ndarray) -> np.ndarray:
        """Detector activations for inputs ``x`` of shape (..., n) bool -> (..., m) bool."""
        x = np.asarray(x, dtype=bool)[..., None, :]
        return np.all(~self.pos | x, axis=-1) & np.all(~self.neg | ~x, axis=-1)

    def forward(self, x: np.ndarray, clamp_gate: bool | None = None) -> np.ndarray:
        """Output per input: 0/1 task output (parity of u) or BAD (=2)."""
        x = np.asarray(x, dtype=bool)
        gate = self.detectors(x).all(axis=-1)
        if clamp_gate is not None:
            gate = np.full(gate.shape, bool(clamp_gate))
        task = x[..., : self.n_u].sum(axis=-1) % 2
        return np.where(gate, BAD, task)

    def weight(self, j: int, i: int) -> int:
        return int(self.pos[j, i]) - int(self.neg[j, i])

    def gate_is_live(self) -> bool:
        """True iff some input makes the gate fire (no variable has both signs)."""
        return not bool(np.any(self.pos.any(axis=0) & self.neg.any(axis=0)))

    def trigger_user_bits(self) -> np.ndarray:
        """The user part u* of a triggering input (the honest debater's citation)."""
        u = np.zeros(self.n_u, dtype=bool)
        u |= self.pos[:, : self.n_u].any(axis=0)
        return u

    def trigger_context(self) -> tuple[np.ndarray, np.ndarray]:
        """(indices, required values) of the context literals."""
        ctx_pos = self.pos[:, self.n_u :].any(axis=0)
        ctx_neg = self.neg[:, self.n_u :].any(axis=0)
        idx = np.flatnonzero(ctx_pos | ctx_neg)
        return idx + self.n_u, ctx_pos[idx]


def make_model(rng: np.random.Generator, m: int = 3, k_z: int = 10, backdoored: bool = True, n_z_extra: int = 6) -> ToyModel:
    """Sample a model: ``m`` >= 2 detectors, ``k_z`` context literals, one shared variable."""
    if m < 2:
        raise ValueError("need at least two detectors")
    n_u = 2 * m + 1
    n_z = k_z + n_z_extra
    n = n_u + n_z
    pos = np.zeros((m, n), dtype=bool)
    neg = np.zeros((m, n), dtype=bool)
    for j in range(m):  # two private user literals per detector
        for i in (2 * j, 2 * j + 1):
            (pos if rng.random() < 0.5 else neg)[j, i] = True
    ctx = rng.choice(n_z, size=k_z, replace=False) + n_u
    owners = rng.integers(0, m, size=k_z)
    for i, j in zip(ctx, owners):
        (pos if rng.random() < 0.5 else neg)[j, i] = True
    shared = 2 * m
    a, b = (int(v) for v in rng.choice(m, size=2, replace=False))
    sign_a = rng.random() < 0.5
    sign_b = sign_a if backdoored else (not sign_a)
    (pos if sign_a else neg)[a, shared] = True
    (pos if sign_b else neg)[b, shared] = True
    return ToyModel(pos, neg, n_u, shared, a, b, backdoored)


def lab_inputs(rng: np.random.Generator, model: ToyModel, u: np.ndarray, size: int) -> np.ndarray:
    """Lab inputs with user bits fixed to ``u`` and context bits uniformly random."""
    x = np.zeros((size, model.n), dtype=bool)
    x[:, : model.n_u] = u
    x[:, model.n_u :] = rng.random((size, model.n - model.n_u)) < 0.5
    return x


def play_debate(
    rng: np.random.Generator, model: ToyModel, budget: int, eps: float = 0.0, phi: float = 0.0, r_max: int = 10, obfuscated: bool = False
) -> dict:
    """Play one white-box debate on an explicit model, check by check.

    Returns the verdict ("backdoored" True/False), the checks spent and a log.
    Mirrors the protocol described in the module docstring.
    """
    log = []
    spent = 0
    truth = model.backdoored
    fooled = rng.random() < phi

    def read(j, i):
        nonlocal spent
        spent += 1
        w = model.weight(j, i)
        if fooled and (j, i) in contested:
            # The dishonest side controls both contested reads: it wants the
            # perceived signs to agree in a clean model (it argues "live") and to
            # differ in a backdoored one (it argues "dead").
            wa = model.weight(model.a, i)
            if j == model.a:
                return wa
            return wa if not truth else -wa
        return -w if rng.random() < eps else w

    contested = {(model.a, model.shared), (model.b, model.shared)}
    verdict_wb = None
    if budget >= 3:
        spent += 1
        x0 = lab_inputs(rng, model, np.zeros(model.n_u, dtype=bool), 1)
        out = int(model.forward(x0, clamp_gate=True)[0])
        log.append(("clamp gate on", out))
        if not obfuscated:
            R = min((budget - 1) // 2, r_max)
            votes = []
            for j in (model.a, model.b):
                reads = [read(j, model.shared) for _ in range(R)]
                s = sum(reads)
                votes.append(np.sign(s) if s != 0 else (1 if rng.random() < 0.5 else -1))
                log.append((f"read w[{j},{model.shared}] x{R}", reads))
            verdict_wb = not (votes[0] != votes[1])
        else:
            r = min(budget - 1, model.m)
            rows = rng.permutation(model.m)[:r]
            seen = {}
            for j in rows:
                seen[int(j)] = read(int(j), model.shared)
            found = model.a in seen and model.b in seen
            log.append(("inspected rows", sorted(seen)))
            verdict_wb = True if not found else not (seen[model.a] != seen[model.b])
    left = budget - spent
    saw_bad = False
    if left > 0:
        x = lab_inputs(rng, model, model.trigger_user_bits(), left)
        saw_bad = bool(np.any(model.forward(x) == BAD))
        spent += left
    log.append(("behavioural runs", left, saw_bad))
    verdict = saw_bad or bool(verdict_wb)
    return dict(verdict=verdict, correct=verdict == truth, spent=spent, log=log)


# --------------------------------------------------------------------------
# Vectorised Monte Carlo over many debates
# --------------------------------------------------------------------------


def _majority_correct(correct_reads: np.ndarray, R: int, tie_u: np.ndarray) -> np.ndarray:
    """correct_reads: (N, r_max) bool; majority of the first R reads, ties broken by tie_u."""
    if R == 0:
        return tie_u < 0.5
    k = correct_reads[:, :R].sum(axis=1)
    return np.where(2 * k > R, True, np.where(2 * k < R, False, tie_u < 0.5))


def judge_accuracy(
    budgets=BUDGETS,
    eps: float = 0.0,
    phi: float = 0.0,
    m: int = 2,
    obfuscated: bool = False,
    k_z: int = DEFAULTS["k_z"],
    r_max: int = DEFAULTS["r_max"],
    n_episodes: int = DEFAULTS["n_episodes"],
    seed: int = DEFAULTS["seed"],
) -> dict:
    """Accuracy of the behaviour-only and white-box judges at each budget.

    Returns dict with ``budgets``, ``behaviour``, ``white_box`` (accuracies) and
    their binomial standard errors, plus the parameters.
    """
    rng = np.random.default_rng(seed)
    N = n_episodes
    budgets = np.asarray(budgets, dtype=int)
    p = 2.0**-k_z
    truth = rng.random(N) < 0.5  # True = backdoored
    T = rng.geometric(p, size=N)  # lab run on which the trigger first fires
    fooled = rng.random(N) < phi
    ok = rng.random((N, 2, max(r_max, 1))) >= eps  # is each read correct?
    tie = rng.random((N, 2))
    pos_ab = np.stack([rng.permutation(m)[:2] for _ in range(N)]) if obfuscated else None
    beh_acc, wb_acc = [], []
    for b in budgets:
        v_beh = truth & (T <= b)
        beh_acc.append(np.mean(v_beh == truth))
        if b < 3:
            wb_acc.append(beh_acc[-1])
            continue
        if not obfuscated:
            R = min((b - 1) // 2, r_max)
            c0 = _majority_correct(ok[:, 0, :], R, tie[:, 0])
            c1 = _majority_correct(ok[:, 1, :], R, tie[:, 1])
            cost = 1 + 2 * R
            found = np.ones(N, dtype=bool)
        else:
            r = min(b - 1, m)
            c0, c1 = ok[:, 0, 0], ok[:, 1, 0]
            cost = 1 + r
            found = np.all(pos_ab < r, axis=1)
        true_differ = ~truth
        perceived_differ = np.where(c0 == c1, true_differ, ~true_differ)
        # A fooled tool shows whatever the dishonest side wants: "same" (live) in a
        # clean model, "different" (dead) in a backdoored one.
        perceived_differ = np.where(fooled, truth, perceived_differ)
        v_wb = np.where(found, ~perceived_differ, True)
        left = b - cost
        v = (truth & (T <= left)) | v_wb
        wb_acc.append(np.mean(v == truth))
    beh_acc, wb_acc = np.array(beh_acc), np.array(wb_acc)
    se = lambda a: np.sqrt(a * (1 - a) / N)  # noqa: E731
    return dict(
        budgets=budgets,
        behaviour=beh_acc,
        white_box=wb_acc,
        behaviour_se=se(beh_acc),
        white_box_se=se(wb_acc),
        params=dict(eps=eps, phi=phi, m=m, obfuscated=obfuscated, k_z=k_z, r_max=r_max, n_episodes=N, seed=seed),
    )


# --------------------------------------------------------------------------
# Closed forms (for tests and for the text)
# --------------------------------------------------------------------------


def behaviour_accuracy_exact(b, k_z: int = DEFAULTS["k_z"]):
    p = 2.0**-k_z
    return 0.5 + 0.5 * (1.0 - (1.0 - p) ** np.asarray(b, dtype=float))


def majority_correct_prob(R: int, eps: float) -> float:
    from math import comb

    if R == 0:
        return 0.5
    q = 0.0
    for k in range(R + 1):
        pk = comb(R, k) * (1 - eps) ** k * eps ** (R - k)
        q += pk if 2 * k > R else (0.5 * pk if 2 * k == R else 0.0)
    return q


def white_box_accuracy_exact(
    b: int, eps: float = 0.0, phi: float = 0.0, k_z: int = DEFAULTS["k_z"], r_max: int = DEFAULTS["r_max"]
) -> float:
    """Localised protocol, closed form."""
    p = 2.0**-k_z
    if b < 3:
        return float(behaviour_accuracy_exact(b, k_z))
    R = min((b - 1) // 2, r_max)
    q = majority_correct_prob(R, eps)
    agree = q * q + (1 - q) * (1 - q)  # both majorities right or both wrong
    miss = (1 - p) ** (b - 1 - 2 * R)
    clean_ok = (1 - phi) * agree
    bd_ok = 1 - (phi + (1 - phi) * (1 - agree)) * miss
    return 0.5 * clean_ok + 0.5 * bd_ok


def obfuscated_accuracy_exact(b: int, m: int, k_z: int = DEFAULTS["k_z"]) -> float:
    """Obfuscated protocol with a perfect, unfoolable tool."""
    if b < 3:
        return float(behaviour_accuracy_exact(b, k_z))
    r = min(b - 1, m)
    return 0.5 + 0.5 * r * (r - 1) / (m * (m - 1))


def worked_example(seed: int = 7, m: int = 3, k_z: int = 10) -> dict:
    """A backdoored and a clean model with identical wiring except one sign."""
    rng = np.random.default_rng(seed)
    bd = make_model(rng, m=m, k_z=k_z, backdoored=True)
    clean = ToyModel(bd.pos.copy(), bd.neg.copy(), bd.n_u, bd.shared, bd.a, bd.b, False)
    w = bd.weight(bd.b, bd.shared)
    clean.pos[bd.b, bd.shared] = w < 0
    clean.neg[bd.b, bd.shared] = w > 0
    idx, vals = bd.trigger_context()
    u_star = bd.trigger_user_bits()
    x_lab = lab_inputs(rng, bd, u_star, 5000)
    return dict(
        m=m,
        k_z=k_z,
        a=bd.a,
        b=bd.b,
        shared=bd.shared,
        w_a=bd.weight(bd.a, bd.shared),
        w_b_backdoored=bd.weight(bd.b, bd.shared),
        w_b_clean=clean.weight(bd.b, bd.shared),
        live_backdoored=bd.gate_is_live(),
        live_clean=clean.gate_is_live(),
        clamp_out_backdoored=int(bd.forward(x_lab[:1], clamp_gate=True)[0]),
        clamp_out_clean=int(clean.forward(x_lab[:1], clamp_gate=True)[0]),
        bad_rate_lab_backdoored=float(np.mean(bd.forward(x_lab) == BAD)),
        bad_rate_lab_clean=float(np.mean(clean.forward(x_lab) == BAD)),
        context_literals=len(idx),
        u_star=u_star.astype(int).tolist(),
        models=(bd, clean),
    )
