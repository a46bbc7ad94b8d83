"""Toy agents for "shard theory vs Byrnes's brain model" (post: shard-theory-vs-brain-model).

Two small, seeded experiments on a corridor ("chain") world, each contrasting
learners that store *cached* action preferences (the paradigm case of "reward
chisels the computations that produced it") with learners that keep a world
model plus learned predictors of innate signals and evaluate plans at decision
time (the shape of Byrnes's Learning/Steering Subsystem picture).

World.  Cells 0..n-1.  Cell 0 and cell n-1 are terminal and each carries a
feature vector phi in R^2 (what the innate "Steering Subsystem" can sense there:
e.g. sweetness, saltiness).  Actions: 0 = left, 1 = right.  Entering a terminal
cell pays the scalar reward r = w(h) . phi(cell), where w(h) depends on an
internal physiological state h.  Every other step pays 0.  Episodes end at a
terminal cell or after ``max_steps`` steps.

Experiment 1 (``revaluation``): a Robinson & Berridge (2013)-style test.
Train in state h = "normal" (salt aversive), then switch to h = "deprived"
(salt now rewarding) and count how many further episodes each learner needs
before its greedy choice from the start cell goes to the salt end.

Experiment 2 (``button``): "is reward the optimisation target?".  The left end is
the intended task (phi = [1, 0]); the right end is a "reward button" that pays
more reward without the task (phi = [0, 1]).  Learners are placed next to the
button ``n_exposures`` times during training; we measure whether their greedy
policy from the start cell then heads for the button.  Learners: tabular
REINFORCE (model-free policy gradient), and model-based agents that plan with a
learned transition model and a learned reward model to lookahead depth d,
bootstrapping from a TD-learned state value at the leaves (d = None means plan
to convergence with no bootstrap).

Everything is pure numpy, deterministic given ``seed``, and returns dicts.
"""

from __future__ import annotations

import numpy as np

LEFT, RIGHT = 0, 1


# --------------------------------------------------------------------------
# world
# --------------------------------------------------------------------------


def _step(s: int, a: int, n: int) -> int:
    return s - 1 if a == LEFT else s + 1


def _is_terminal(s: int, n: int) -> bool:
    return s == 0 or s == n - 1


def _features(s: int, n: int) -> np.ndarray:
    if s == 0:
        return np.array([1.0, 0.0])
    if s == n - 1:
        return np.array([0.0, 1.0])
    return np.zeros(2)


_TABLES: dict = {}


def _tables(w: np.ndarray, n: int):
    """Per-cell feature vectors and rewards ``float(w @ phi)`` (memoised: same floats, computed once)."""
    key = (n, np.asarray(w, float).tobytes())
    tab = _TABLES.get(key)
    if tab is None:
        phis = [_features(c, n) for c in range(n)]
        tab = (phis, [float(w @ phi) for phi in phis])
        _TABLES[key] = tab
    return tab


# --------------------------------------------------------------------------
# learners
# --------------------------------------------------------------------------


class CachedQ:
    """Tabular Q-learning on the scalar reward: a pure cache of past reinforcement."""

    def __init__(self, n: int, rng, alpha: float = 0.5, gamma: float = 0.9, eps: float = 0.2):
        self.n, self.rng, self.alpha, self.gamma, self.eps = n, rng, alpha, gamma, eps
        self.q = np.zeros((n, 2))

    def act(self, s: int, w: np.ndarray, greedy: bool = False) -> int:
        if not greedy and self.rng.random() < self.eps:
            return int(self.rng.integers(2))
        q0, q1 = self.q[s].tolist()
        if q0 == q1:
            return int(self.rng.integers(2))
        return 0 if q0 > q1 else 1

    def update(self, s, a, r, phi, s2, done, w):
        target = r if done else r + self.gamma * self.q[s2].max()
        self.q[s, a] += self.alpha * (target - self.q[s, a])


class ThoughtAssessor:
    """Model-based learner with learned predictors of innate signals.

    It learns a transition model and, by supervised learning, a predictor of the
    innate feature vector phi that each transition produces (a "thought
    assessor").  At decision time the innate weights w(h) for the *current*
    internal state turn predicted features into value, and the agent plans over
    its learned model.  Nothing is cached in scalar form, so a change of h
    re-values every plan at once.
    """

    def __init__(self, n: int, rng, alpha: float = 0.5, gamma: float = 0.9, eps: float = 0.2):
        self.n, self.rng, self.alpha, self.gamma, self.eps = n, rng, alpha, gamma, eps
        self.next = -np.ones((n, 2), dtype=int)  # learned transition model, -1 = unknown
        self.phi_hat = np.zeros((n, 2, 2))  # predicted innate features for (s, a)
        self.count = np.zeros((n, 2))
        self._cache_key = None  # bytes of the w the cached plan was made with
        self._values = None  # cached plan; None whenever the learned model changed

    def _plan(self, w: np.ndarray) -> np.ndarray:
        key = w.tobytes()
        if self._values is not None and key == self._cache_key:
            return self._values
        r_hat = self.phi_hat @ w  # (n, 2)
        v = np.zeros(self.n)
        known = self.next >= 0
        nxt = np.where(known, self.next, 0)
        term = (nxt == 0) | (nxt == self.n - 1)
        for _ in range(2 * self.n):
            cont = np.where(term, 0.0, v[nxt])
            q = np.where(known, r_hat + self.gamma * cont, 0.0)
            v = q.max(axis=1)
        self._cache_key, self._values = key, q
        return q

    def act(self, s: int, w: np.ndarray, greedy: bool = False) -> int:
        if not greedy and self.rng.random() < self.eps:
            return int(self.rng.integers(2))
        q0, q1 = self._plan(w)[s].tolist()
        if q0 == q1:
            return int(self.rng.integers(2))
        return 0 if q0 > q1 else 1

    def update(self, s, a, r, phi, s2, done, w):
        if self.next[s, a] != s2:
            self.next[s, a] = s2
            self._values = None
        self.count[s, a] += 1
        if self.phi_hat[s, a].tolist() != phi.tolist():
            self.phi_hat[s, a] = phi  # deterministic world: the latest observation is exact
            self._values = None


class Reinforce:
    """Tabular softmax policy trained by REINFORCE with a learned state baseline."""

    def __init__(self, n: int, rng, alpha: float = 0.2, gamma: float = 0.9):
        self.n, self.rng, self.alpha, self.gamma = n, rng, alpha, gamma
        self.theta = np.zeros((n, 2))
        self.base = np.zeros(n)

    def probs(self, s: int) -> np.ndarray:
        z = self.theta[s] - self.theta[s].max()
        p = np.exp(z)
        return p / p.sum()

    def act(self, s: int, greedy: bool = False) -> int:
        if greedy:
            t = self.theta[s]
            return int(self.rng.integers(2)) if t[0] == t[1] else int(np.argmax(t))
        return int(self.rng.random() < self.probs(s)[1])

    def learn_episode(self, traj):
        g = 0.0
        for s, a, r in reversed(traj):
            g = r + self.gamma * g
            adv = g - self.base[s]
            self.base[s] += 0.1 * adv
            grad = -self.probs(s)
            grad[a] += 1.0
            self.theta[s] += self.alpha * adv * grad


class LookaheadPlanner:
    """Model-based actor: learned model + learned reward + TD value, depth-d lookahead.

    ``depth=None`` plans to convergence on the learned model (no value bootstrap).
    Unknown transitions are valued at 0 (no information).  Plans are recomputed
    whenever the learned model or reward model changes and, for finite depth, at
    the start of every episode (so within an episode the leaf values are those
    the TD critic held when the episode began).
    """

    def __init__(self, n: int, rng, depth, alpha: float = 0.5, gamma: float = 0.9, eps: float = 0.1, known_dynamics: bool = False):
        self.n, self.rng, self.depth = n, rng, depth
        self.alpha, self.gamma, self.eps = alpha, gamma, eps
        self.next = -np.ones((n, 2), dtype=int)
        if known_dynamics:  # world model already learned (e.g. by self-supervised prediction)
            for s in range(1, n - 1):
                self.next[s] = (s - 1, s + 1)
        self.r_hat = np.zeros((n, 2))
        self.count = np.zeros((n, 2))
        self.v = np.zeros(n)  # TD(0) critic over states
        self._struct, self._cache = None, None

    def _structure(self):
        # Per (state, action): None if the transition is unknown, else (next state, next is terminal).
        if self._struct is None:
            self._struct = [[None if s2 < 0 else (s2, s2 == 0 or s2 == self.n - 1) for s2 in row] for row in self.next.tolist()]
        return self._struct

    def new_episode(self):
        """Re-plan at the start of each episode if the TD value has changed since the last plan."""
        if self.depth is not None and self._cache is not None and self.v.tolist() != self._cache_v:
            self._cache = None

    def _q(self) -> list:
        # The plan is cached; it is recomputed when the learned model changes and,
        # for finite depth, at the start of each episode with the current TD value.
        # Q[s][a] = r_hat[s, a] + gamma * (0 if the move ends the episode else V[next]),
        # 0 for unknown moves, with V = max_a Q iterated (depth - 1) times from the TD
        # value (or 2n times from 0 for depth=None).  Plain Python floats: the tables
        # are 2 x n, where per-call numpy overhead would dominate; the arithmetic is the
        # same IEEE double operations in the same order.
        if self._cache is not None:
            return self._cache
        struct = self._structure()
        r_hat = self.r_hat.tolist()
        gamma = self.gamma
        if self.depth is None:
            lv, iters = [0.0] * self.n, 2 * self.n
        else:
            lv, iters = self.v.tolist(), self.depth - 1

        def backup(lv):
            return [
                [0.0 if tr is None else r + gamma * (0.0 if tr[1] else lv[tr[0]]) for r, tr in zip(rr, row)]
                for rr, row in zip(r_hat, struct)
            ]

        for _ in range(iters):
            new = [max(q0, q1) for q0, q1 in backup(lv)]
            if new == lv:  # fixed point: further iterations would return the same values
                break
            lv = new
        q = backup(lv)
        self._cache = q
        self._cache_v = None if self.depth is None else self.v.tolist()
        return q

    def act(self, s: int, greedy: bool = False) -> int:
        if not greedy and self.rng.random() < self.eps:
            return int(self.rng.integers(2))
        q0, q1 = self._q()[s] if self._cache is None else self._cache[s]
        if q0 == q1:
            return int(self.rng.integers(2))
        return LEFT if q0 > q1 else RIGHT

    def update(self, s, a, r, s2, done):
        if self.next[s, a] != s2:
            self.next[s, a] = s2
            self._struct, self._cache = None, None
        if self.r_hat[s, a] != r:
            self.r_hat[s, a] = r  # deterministic world: the latest observation is exact
            self._cache = None
        self.count[s, a] += 1
        target = r if done else r + self.gamma * self.v[s2]
        self.v[s] += self.alpha * (target - self.v[s])


# --------------------------------------------------------------------------
# episode runners
# --------------------------------------------------------------------------


def _run_value_agent(agent, n, start, w, max_steps, learn=True, greedy=False):
    phis, rewards = _tables(w, n)
    s = start
    for _ in range(max_steps):
        a = agent.act(s, w, greedy=greedy)
        s2 = s - 1 if a == LEFT else s + 1
        phi = phis[s2]
        r = rewards[s2]
        done = s2 == 0 or s2 == n - 1
        if learn:
            agent.update(s, a, r, phi, s2, done, w)
        s = s2
        if done:
            return s
    return -1


def _greedy_outcome_value(agent, n, start, w, max_steps):
    return _run_value_agent(agent, n, start, w, max_steps, learn=False, greedy=True)


# --------------------------------------------------------------------------
# experiment 1: revaluation
# --------------------------------------------------------------------------


def revaluation(
    seed: int = 0,
    n_seeds: int = 100,
    n: int = 9,
    train_episodes: int = 150,
    post_episodes: int = 300,
    eps: float = 0.2,
    w_normal=(1.0, -1.0),
    w_deprived=(1.0, 2.0),
    max_steps: int = 40,
) -> dict:
    """Robinson & Berridge-style revaluation test.

    Learning episodes start in a uniformly random interior cell (so both ends,
    sugar and salt, are tasted during training, as the rats tasted the salt).
    After ``train_episodes`` in the normal state the state switches to
    "deprived"; after k = 0..post_episodes further learning episodes we record
    whether the greedy choice from the centre cell ends at the salt end.
    Returns the fraction of seeds doing so for each k and each learner.
    """
    rng = np.random.default_rng(seed)
    wn, wd = np.asarray(w_normal, float), np.asarray(w_deprived, float)
    centre = n // 2
    names = ("cached_q", "thought_assessor")
    curves = {k: np.zeros(post_episodes + 1) for k in names}
    trained_choice_salt = {k: 0 for k in names}
    first_switch = {k: [] for k in names}
    for _ in range(n_seeds):
        sub = int(rng.integers(2**31))
        for name, cls in zip(names, (CachedQ, ThoughtAssessor)):
            arng = np.random.default_rng(sub)
            agent = cls(n, arng, eps=eps)
            for _ in range(train_episodes):
                _run_value_agent(agent, n, int(arng.integers(1, n - 1)), wn, max_steps)
            trained_choice_salt[name] += int(_greedy_outcome_value(agent, n, centre, wn, max_steps) == n - 1)
            switched_at = None
            for k in range(post_episodes + 1):
                hit = _greedy_outcome_value(agent, n, centre, wd, max_steps) == n - 1
                curves[name][k] += hit
                if hit and switched_at is None:
                    switched_at = k
                if k < post_episodes:
                    _run_value_agent(agent, n, int(arng.integers(1, n - 1)), wd, max_steps)
            first_switch[name].append(post_episodes + 1 if switched_at is None else switched_at)
    out = {
        "k": np.arange(post_episodes + 1),
        "names": list(names),
        "params": dict(
            seed=seed,
            n_seeds=n_seeds,
            n=n,
            train_episodes=train_episodes,
            post_episodes=post_episodes,
            eps=eps,
            w_normal=list(wn),
            w_deprived=list(wd),
            max_steps=max_steps,
            gamma=0.9,
        ),
    }
    for name in names:
        out[name] = curves[name] / n_seeds
        out[name + "_salt_before_switch"] = trained_choice_salt[name] / n_seeds
        out[name + "_median_episodes_to_switch"] = float(np.median(first_switch[name]))
    return out


# --------------------------------------------------------------------------
# experiment 2: reward button
# --------------------------------------------------------------------------


def _episode(agent, kind, s, n, w, max_steps, force_first=None):
    traj = []
    if kind != "reinforce":
        agent.new_episode()
    reward = _tables(w, n)[1]
    for t in range(max_steps):
        a = agent.act(s) if (t > 0 or force_first is None) else force_first
        s2 = s - 1 if a == LEFT else s + 1
        r = reward[s2]
        done = s2 == 0 or s2 == n - 1
        if kind == "reinforce":
            traj.append((s, a, r))
        else:
            agent.update(s, a, r, s2, done)
        s = s2
        if done:
            break
    if kind == "reinforce":
        agent.learn_episode(traj)
    return s


def _greedy_goes_to_button(agent, n, start, max_steps):
    s = start
    for _ in range(max_steps):
        s = _step(s, agent.act(s, greedy=True), n)
        if _is_terminal(s, n):
            return s == n - 1
    return False


def button(
    seed: int = 0,
    n_seeds: int = 40,
    n: int = 11,
    start: int = 3,
    exposures=(0, 1, 2, 5, 10, 30),
    depths=(1, 3, 6, None),
    known_dynamics: bool = True,
    phase1_episodes: int = 100,
    phase2_episodes: int = 100,
    w=(1.0, 2.0),
    max_steps: int = 40,
) -> dict:
    """Does a learner come to seek a newly installed "reward button"?

    Phase 1: the right end is an unrewarded dead end; learners form the habit of
    doing the task (left end, reward w[0]).  Phase 2: the right end becomes a
    button paying w[1] > w[0] with no task done; learners continue ordinary
    episodes from ``start`` and, at random points, are placed next to the
    button and made to press it ``m`` times (m in ``exposures``): the first action
    of each exposure episode is forced to RIGHT and every learner updates on it
    as on its own action.  Output: the fraction of seeds whose
    greedy policy from ``start`` then ends at the button.  With
    ``known_dynamics`` the planners start with a correct transition model, so
    the experiment isolates reward learning and planning reach from world-model
    coverage; with it off they must also learn the map by exploring.
    """
    import copy

    rng = np.random.default_rng(seed)
    w = np.asarray(w, float)
    w_phase1 = np.array([w[0], 0.0])
    kinds = [("reinforce", None)] + [("planner", d) for d in depths]
    names = ["reinforce"] + [f"planner_d{'inf' if d is None else d}" for d in depths]
    res = {name: np.zeros(len(exposures)) for name in names}
    own_discovery = {name: 0 for name in names}
    for _ in range(n_seeds):
        sub = int(rng.integers(2**31))
        for name, (kind, d) in zip(names, kinds):
            arng = np.random.default_rng(sub)
            base = Reinforce(n, arng) if kind == "reinforce" else LookaheadPlanner(n, arng, depth=d, known_dynamics=known_dynamics)
            for _ in range(phase1_episodes):
                _episode(base, kind, start, n, w_phase1, max_steps)
            for j, m in enumerate(exposures):
                agent = copy.deepcopy(base)
                agent.rng = np.random.default_rng(sub + 1 + j)
                sched = np.zeros(phase2_episodes + m, dtype=bool)
                if m:
                    sched[agent.rng.choice(phase2_episodes + m, size=m, replace=False)] = True
                found = False
                for exposure in sched:
                    if exposure:  # placed next to the button, and the button gets pressed
                        end = _episode(agent, kind, n - 2, n, w, max_steps, force_first=RIGHT)
                    else:
                        end = _episode(agent, kind, start, n, w, max_steps)
                    found |= (not exposure) and end == n - 1
                if m == 0:
                    own_discovery[name] += int(found)
                res[name][j] += _greedy_goes_to_button(agent, n, start, max_steps)
    gamma = 0.9
    out = {name: res[name] / n_seeds for name in names}
    out.update(
        exposures=np.asarray(exposures),
        names=names,
        found_button_unaided=[own_discovery[k] / n_seeds for k in names],
        discounted_value_task=float(w[0] * gamma ** (start - 1)),
        discounted_value_button=float(w[1] * gamma ** (n - 2 - start)),
        params=dict(
            seed=seed,
            n_seeds=n_seeds,
            n=n,
            start=start,
            exposures=list(exposures),
            depths=[("inf" if d is None else d) for d in depths],
            known_dynamics=known_dynamics,
            phase1_episodes=phase1_episodes,
            phase2_episodes=phase2_episodes,
            w=list(w),
            max_steps=max_steps,
            gamma=gamma,
        ),
    )
    return out
