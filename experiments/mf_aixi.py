"""A toy "model-free AIXI": a 2^-length mixture over policy programs, conditioned on high return.

Used by the post "model-free-aixi" (request R22).  Everything is small enough to be exact.

Setting.  Episodic, horizon ``H``.  At step ``t`` the agent sees a binary observation ``o_t``
and emits a binary action ``a_t``; the episode's return ``R`` arrives at the end.  Observations
are exogenous (their distribution does not depend on actions) and ``R`` is drawn from
``P(R | o_{1:H}, a_{1:H})``.  This covers bandit-like gambles and memory tasks, not general
sequential control (stated as a limitation in the post).

Policy programs.  Deterministic Moore machines with ``k = 1, 2, 3`` states.  The machine starts in
state 0, reads ``o_t``, moves to ``delta(s, o_t)`` and emits ``out(new state)``.  A program is coded
as ``k`` in unary (``k + 1`` bits), ``k`` output bits and ``2k ceil(log2 k)`` transition bits, so
its prior weight is ``2^-len``; programs that behave identically on horizon ``H`` are pooled (their
weights add), exactly as in a Solomonoff mixture.

Agents.
* ``mf``: the return-conditioned policy mixture.  The ideal (infinite-data) object is
  ``rho_c^n(pi) ∝ w(pi) P_pi(R >= c)^n``: conditioning the prior on ``n`` independent successes of
  the same policy.  ``n = 1`` is what a decision transformer trained on data from the prior mixture
  would converge to; ``n -> inf`` maximises the success probability ``P_pi(R >= c)``.  Online, the
  agent replaces ``P_pi(R >= c)`` by a Beta(1, 1) posterior mean from the episodes it has played.
* ``bayes``: the model-based comparison, AIXI restricted to a finite environment class with prior
  ``2^-K(nu)``: each episode it plays the policy (over *all* history-dependent deterministic
  policies) that maximises expected return under the posterior mixture, i.e. finite-horizon
  expectimax with horizon = one episode (myopic across episodes).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

# --------------------------------------------------------------------------------------------
# Observation sequences, policies as action tables


def obs_sequences(H: int) -> np.ndarray:
    """All binary observation sequences of length H, shape (2^H, H)."""
    return np.array(list(itertools.product([0, 1], repeat=H)), dtype=np.int64)


def _aseq_index(actions: np.ndarray) -> np.ndarray:
    """Index of each action sequence (rows) in the product ordering used for reward tables."""
    H = actions.shape[-1]
    weights = 2 ** np.arange(H - 1, -1, -1)
    return actions @ weights


def enumerate_automata(H: int, max_states: int = 3):
    """All Moore machines with 1..max_states states, their code lengths and behaviours.

    Returns (tables, lengths): tables[m] is an int array (2^H, H) of the actions machine m takes on
    each observation sequence; lengths[m] is its code length in bits.
    """
    O = obs_sequences(H)
    tables, lengths = [], []
    for k in range(1, max_states + 1):
        tbits = 0 if k == 1 else math.ceil(math.log2(k))
        length = (k + 1) + k + 2 * k * tbits
        outs = np.array(list(itertools.product([0, 1], repeat=k)), dtype=np.int64)  # (2^k, k)
        deltas = np.array(list(itertools.product(range(k), repeat=2 * k)), dtype=np.int64)
        deltas = deltas.reshape(-1, k, 2)  # delta[s, o]
        # simulate all transition tables at once: state after reading o_1..o_t
        nD = deltas.shape[0]
        state = np.zeros((nD, O.shape[0]), dtype=np.int64)
        states = np.zeros((nD, O.shape[0], H), dtype=np.int64)
        for t in range(H):
            state = deltas[np.arange(nD)[:, None], state, O[None, :, t]]
            states[:, :, t] = state
        # actions = out[state]
        acts = outs[:, None, None, :][np.arange(outs.shape[0])[:, None, None, None], 0, 0, states[None]]  # (2^k, nD, 2^H, H)
        acts = acts.reshape(-1, O.shape[0], H)
        tables.append(acts)
        lengths.append(np.full(acts.shape[0], length, dtype=float))
    return np.concatenate(tables), np.concatenate(lengths)


def policy_prior(H: int, max_states: int = 3):
    """Distinct behaviours of the automata on horizon H with pooled 2^-len prior (normalised).

    Returns dict with 'tables' (B, 2^H, H), 'w' (B,), 'n_programs' (B,), 'lengths_min' (B,)
    and 'n_machines' (total number of programs enumerated).
    """
    tables, lengths = enumerate_automata(H, max_states)
    flat = tables.reshape(tables.shape[0], -1)
    uniq, inv = np.unique(flat, axis=0, return_inverse=True)
    inv = inv.ravel()
    w = np.zeros(len(uniq))
    np.add.at(w, inv, 2.0**-lengths)
    count = np.bincount(inv, minlength=len(uniq))
    lmin = np.full(len(uniq), np.inf)
    np.minimum.at(lmin, inv, lengths)
    return {
        "tables": uniq.reshape(-1, 2**H, H),
        "w_unnormalised_total": float(w.sum()),
        "w": w / w.sum(),
        "n_programs": count,
        "lengths_min": lmin,
        "n_machines": int(tables.shape[0]),
    }


def all_policies(H: int) -> np.ndarray:
    """Every deterministic history-dependent policy on horizon H, as action tables (P, 2^H, H).

    a_t may depend on o_1..o_t.  There are 2^(2 + 4 + ... + 2^H) of them (16384 for H = 3).
    """
    O = obs_sequences(H)
    n_prefix = [2 ** (t + 1) for t in range(H)]
    choices = np.array(list(itertools.product([0, 1], repeat=sum(n_prefix))), dtype=np.int64)
    tables = np.zeros((choices.shape[0], O.shape[0], H), dtype=np.int64)
    offset = 0
    for t in range(H):
        # prefix index of o_1..o_{t+1}
        pidx = _aseq_index(O[:, : t + 1])
        tables[:, :, t] = choices[:, offset + pidx]
        offset += n_prefix[t]
    return tables


# --------------------------------------------------------------------------------------------
# Environments: p_obs (2^H,), reward support r (K,), P[o, aseq, k]


def make_env(name: str, **kw) -> dict:
    """Named toy environments (see the post for their role)."""
    if name == "cue":  # observed randomness: copy the coin you are shown
        H = 1
        p_obs = np.array([0.5, 0.5])
        r = np.array([0.0, 1.0])
        P = np.zeros((2, 2, 2))
        for o in range(2):
            for a in range(2):
                P[o, a, int(a == o)] = 1.0
        return dict(name=name, H=H, p_obs=p_obs, r=r, P=P)
    if name == "gamble":  # unobserved randomness after the action
        q = kw.get("q", 0.3)
        safe = kw.get("safe", 0.6)
        H = 1
        p_obs = np.array([1.0, 0.0])  # a fixed, uninformative observation
        r = np.array([0.0, safe, 1.0])
        P = np.zeros((2, 2, 3))
        P[:, 0, 1] = 1.0  # action 0: safe
        P[:, 1, 2] = q  # action 1: gamble
        P[:, 1, 0] = 1 - q
        return dict(name=name, H=H, p_obs=p_obs, r=r, P=P, q=q, safe=safe)
    if name == "rule":  # memory task: R = 1 iff a_H == f(o_1..o_H), with label noise eps
        H = kw.get("H", 3)
        f = kw["f"]
        eps = kw.get("eps", 0.0)
        O = obs_sequences(H)
        A = obs_sequences(H)  # action sequences share the ordering
        target = np.array([f(o) for o in O])
        P = np.zeros((2**H, 2**H, 2))
        hit = A[None, :, -1] == target[:, None]
        P[:, :, 1] = np.where(hit, 1 - eps, eps)
        P[:, :, 0] = 1 - P[:, :, 1]
        return dict(name=kw.get("label", "rule"), H=H, p_obs=np.full(2**H, 2.0**-H), r=np.array([0.0, 1.0]), P=P)
    raise ValueError(name)


RULES = {  # small rules about the final action, with description lengths in bits (prior 2^-K)
    "a=0": (lambda o: 0, 3),
    "a=1": (lambda o: 1, 3),
    "a=o_last": (lambda o: o[-1], 4),
    "a=not o_last": (lambda o: 1 - o[-1], 5),
    "a=o_first": (lambda o: o[0], 5),
    "a=not o_first": (lambda o: 1 - o[0], 6),
    "a=o_mid": (lambda o: o[len(o) // 2], 6),
    "a=not o_mid": (lambda o: 1 - o[len(o) // 2], 7),
    "a=parity": (lambda o: int(np.sum(o) % 2), 8),
    "a=not parity": (lambda o: 1 - int(np.sum(o) % 2), 9),
}


def rule_class(H: int = 3, eps: float = 0.1, include_parity: bool = True):
    """Environment class for the Bayes agent on the memory task; returns (envs, prior)."""
    envs, K = [], []
    for name, (f, k) in RULES.items():
        if not include_parity and "parity" in name:
            continue
        envs.append(make_env("rule", H=H, f=f, eps=eps, label=name))
        K.append(k)
    w = 2.0 ** -np.array(K, dtype=float)
    return envs, w / w.sum()


def gamble_class(safe: float = 0.6, grid=None):
    """Gamble environments with q on a grid, uniform prior."""
    grid = np.round(np.arange(0.05, 1.0, 0.1), 2) if grid is None else np.asarray(grid)
    envs = [make_env("gamble", q=float(q), safe=safe) for q in grid]
    return envs, np.full(len(envs), 1.0 / len(envs))


def cue_class():
    """Four deterministic one-step rules: copy, anti-copy, always 0, always 1."""
    envs = []
    for label, f, k in [("copy", lambda o: o[0], 4), ("anti", lambda o: 1 - o[0], 5), ("a=0", lambda o: 0, 3), ("a=1", lambda o: 1, 3)]:
        envs.append(make_env("rule", H=1, f=f, eps=0.0, label=label))
        envs[-1]["K"] = k
    w = 2.0 ** -np.array([e["K"] for e in envs], dtype=float)
    return envs, w / w.sum()


# --------------------------------------------------------------------------------------------
# Values


def outcome_probs(env: dict, tables: np.ndarray) -> np.ndarray:
    """P(R = r_k) for each policy table, shape (n_policies, K)."""
    aidx = _aseq_index(tables)  # (n, 2^H)
    Pk = env["P"][np.arange(env["P"].shape[0])[None, :], aidx]  # (n, 2^H, K)
    return np.einsum("o,nok->nk", env["p_obs"], Pk)


def expected_return(env: dict, tables: np.ndarray) -> np.ndarray:
    return outcome_probs(env, tables) @ env["r"]


def success_prob(env: dict, tables: np.ndarray, c: float) -> np.ndarray:
    return outcome_probs(env, tables) @ (env["r"] >= c - 1e-12).astype(float)


def rho(w: np.ndarray, p_success: np.ndarray, n: float) -> np.ndarray:
    """Return-conditioned posterior over policies, rho ∝ w p^n (n = inf: argmax p, ties by w)."""
    if n == 0:  # no conditioning: the prior itself
        return w / w.sum()
    if np.isinf(n):
        best = p_success >= p_success.max() - 1e-12
        out = np.where(best, w, 0.0)
    else:
        with np.errstate(divide="ignore"):
            logp = np.where(p_success > 0, n * np.log(np.maximum(p_success, 1e-300)), -np.inf)
        logw = np.log(w) + logp
        if not np.isfinite(logw).any():  # no policy ever succeeds: conditioning is undefined
            return w / w.sum()
        out = np.exp(logw - logw[np.isfinite(logw)].max())
        out[~np.isfinite(logw)] = 0.0
    return out / out.sum()


def ideal_mf_value(env: dict, prior: dict, c: float, n: float) -> float:
    """Expected return of the ideal return-conditioned mixture rho_c^n in a known environment."""
    p = success_prob(env, prior["tables"], c)
    return float(rho(prior["w"], p, n) @ expected_return(env, prior["tables"]))


def gamble_sweep(qs, targets, ns=(1, np.inf), safe: float = 0.6, max_states: int = 3) -> dict:
    """Ideal objects in the gamble: Bayes-optimal value vs rho_c^n for each q, c, n."""
    prior = policy_prior(1, max_states)
    qs = np.asarray(qs, dtype=float)
    targets = np.asarray(targets, dtype=float)
    mf = np.zeros((len(ns), len(targets), len(qs)))
    bayes = np.zeros(len(qs))
    p_gamble = np.zeros((len(ns), len(targets), len(qs)))
    for j, q in enumerate(qs):
        env = make_env("gamble", q=q, safe=safe)
        bayes[j] = expected_return(env, all_policies(1)).max()
        acts = prior["tables"][:, 0, 0]  # o is always 0 in the gamble
        for a, n in enumerate(ns):
            for i, c in enumerate(targets):
                r_ = rho(prior["w"], success_prob(env, prior["tables"], c), n)
                mf[a, i, j] = r_ @ expected_return(env, prior["tables"])
                p_gamble[a, i, j] = r_[acts == 1].sum()
    return {"q": qs, "c": targets, "n": np.array(ns, dtype=float), "mf": mf, "bayes": bayes, "p_gamble": p_gamble, "safe": safe}


# --------------------------------------------------------------------------------------------
# Online agents


def _choose(dist: np.ndarray, rng) -> np.ndarray:
    """One categorical draw per row of dist (rows sum to 1)."""
    u = rng.random((dist.shape[0], 1))
    idx = (np.cumsum(dist, axis=1) < u).sum(axis=1)
    return np.minimum(idx, dist.shape[1] - 1)


def run_mf(env: dict, prior: dict, c: float, n: float, episodes: int, seeds: int, rng) -> np.ndarray:
    """Online return-conditioned mixture, ``seeds`` independent runs in parallel.

    Each episode every run samples a policy from rho ∝ w * phat^n, where phat is the Beta(1, 1)
    posterior mean of that policy's success rate P(R >= c) from the episodes it has played, plays
    it, and records whether the return reached c.  Returns the expected return of the policy played,
    shape (seeds, episodes).
    """
    B = len(prior["w"])
    succ = np.zeros((seeds, B))
    tries = np.zeros((seeds, B))
    values = expected_return(env, prior["tables"])
    p_succ = success_prob(env, prior["tables"], c)
    out = np.zeros((seeds, episodes))
    rows = np.arange(seeds)
    for t in range(episodes):
        phat = (succ + 1.0) / (tries + 2.0)
        logd = np.log(prior["w"])[None, :] + n * np.log(phat)  # phat > 0 always (Beta mean)
        dist = np.exp(logd - logd.max(axis=1, keepdims=True))
        dist /= dist.sum(axis=1, keepdims=True)
        b = _choose(dist, rng)
        out[:, t] = values[b]
        tries[rows, b] += 1
        succ[rows, b] += rng.random(seeds) < p_succ[b]
    return out


def run_bayes(env: dict, cls, episodes: int, seeds: int, rng, policies: np.ndarray | None = None) -> np.ndarray:
    """Model-based Bayes agent over a finite class, ``seeds`` runs in parallel.

    Each episode it plays the history-dependent policy maximising expected return under the
    posterior mixture (expectimax over one episode), then updates the posterior on the observed
    (observations, actions, return).  Returns the true expected return of the policy played.
    """
    envs, w0 = cls
    H = env["H"]
    pols = all_policies(H) if policies is None else policies
    aidx_all = _aseq_index(pols)  # (P, 2^H)
    V = np.stack([expected_return(e, pols) for e in envs])  # (M, P)
    true_v = expected_return(env, pols)
    # likelihood of (o, aseq, true-support reward index k) under each model
    K = len(env["r"])
    L = np.zeros((len(envs), len(env["p_obs"]), 2**H, K))
    for m, e in enumerate(envs):
        for k, r in enumerate(env["r"]):
            kk = np.flatnonzero(np.isclose(e["r"], r))
            if len(kk):
                L[m, :, :, k] = e["p_obs"][:, None] * e["P"][:, :, kk[0]]
    logL = np.log(np.maximum(L, 1e-300))
    logw = np.tile(np.log(w0), (seeds, 1))
    out = np.zeros((seeds, episodes))
    cum_p = np.cumsum(env["p_obs"])
    for t in range(episodes):
        post = np.exp(logw - logw.max(axis=1, keepdims=True))
        post /= post.sum(axis=1, keepdims=True)
        p = np.argmax(post @ V, axis=1)  # ties -> first policy (deterministic)
        out[:, t] = true_v[p]
        o = np.minimum((cum_p[None, :] < rng.random((seeds, 1))).sum(axis=1), len(cum_p) - 1)
        a = aidx_all[p, o]
        k = _choose(env["P"][o, a], rng)
        logw = logw + logL[:, o, a, k].T
        dead = logw.max(axis=1) < -600  # every model refuted: fall back to the prior
        logw[dead] = np.log(w0)
        logw = logw - logw.max(axis=1, keepdims=True)  # renormalise (keeps numbers finite)
    return out


DEFAULTS = dict(episodes=300, seeds=40, seed=0, n_sharp=16.0, max_states=3)


def learning_curves(episodes: int = 300, seeds: int = 40, seed: int = 0, n_sharp: float = 16.0, max_states: int = 3) -> dict:
    """Mean expected return per episode of each agent in four settings, averaged over seeds."""
    parity = lambda o: int(np.sum(o) % 2)  # noqa: E731
    settings = {
        "cue": dict(env=make_env("cue"), H=1, c=1.0, bayes={"Bayes, truth in class": cue_class()}),
        "gamble q=0.35": dict(env=make_env("gamble", q=0.35), H=1, c=1.0, bayes={"Bayes, truth in class": gamble_class()}),
        "gamble q=0.75": dict(env=make_env("gamble", q=0.75), H=1, c=1.0, bayes={"Bayes, truth in class": gamble_class()}),
        "parity": dict(
            env=make_env("rule", H=3, f=parity, eps=0.0, label="parity"),
            H=3,
            c=1.0,
            bayes={"Bayes, truth in class": rule_class(3, 0.1, True), "Bayes, parity not in class": rule_class(3, 0.1, False)},
        ),
    }
    order = ["cue", "gamble q=0.35", "gamble q=0.75", "parity"]
    rng = np.random.default_rng(seed)
    results = {}
    for key in order:
        s = settings[key]
        env, H, c = s["env"], s["H"], s["c"]
        prior = policy_prior(H, max_states)
        pols = all_policies(H)
        # rewards here depend only on the final action, so the Bayes agent may fix earlier actions
        # to 0 without loss (same maximum for every posterior); this cuts 16384 policies to 256
        pols = pols[(pols[:, :, :-1] == 0).all(axis=(1, 2))]
        curves = {}
        for label, n in [("MF, n = 1", 1.0), (f"MF, n = {n_sharp:g}", n_sharp)]:
            curves[label] = run_mf(env, prior, c, n, episodes, seeds, rng).mean(axis=0)
        for label, cls in s["bayes"].items():
            curves[label] = run_bayes(env, cls, episodes, seeds, rng, pols).mean(axis=0)
        results[key] = {
            "curves": curves,
            "optimum": float(expected_return(env, pols).max()),
            "prior_value": float(prior["w"] @ expected_return(env, prior["tables"])),
            "ideal_mf": {n: ideal_mf_value(env, prior, c, n) for n in (1.0, n_sharp, np.inf)},
            "n_behaviours": int(len(prior["w"])),
            "n_machines": prior["n_machines"],
        }
    return {
        "settings": results,
        "order": order,
        "params": dict(episodes=episodes, seeds=seeds, seed=seed, n_sharp=n_sharp, max_states=max_states, c=1.0, q=[0.35, 0.75]),
    }


def sharpness_sweep(ns, max_states: int = 3) -> dict:
    """Ideal rho_c^n (c = 1) in the cue and parity tasks as the number n of conditioned successes grows.

    Also returns the posterior mass on optimal behaviours and their prior mass (n = 0).
    """
    ns = np.asarray(ns, dtype=float)
    parity = lambda o: int(np.sum(o) % 2)  # noqa: E731
    envs = {"cue": make_env("cue"), "parity": make_env("rule", H=3, f=parity, label="parity")}
    out = {"n": ns}
    for key, env in envs.items():
        prior = policy_prior(env["H"], max_states)
        v = expected_return(env, prior["tables"])
        p = success_prob(env, prior["tables"], 1.0)
        opt = v >= v.max() - 1e-12
        vals, mass = [], []
        for n in ns:
            r_ = rho(prior["w"], p, n)
            vals.append(float(r_ @ v))
            mass.append(float(r_[opt].sum()))
        out[key] = {
            "value": np.array(vals),
            "mass_opt": np.array(mass),
            "prior_mass_opt": float(prior["w"][opt].sum()),
            "p_success_rest_max": float(p[~opt].max()),
        }
    return out
