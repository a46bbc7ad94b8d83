import numpy as np
import pytest

from experiments import forward_latency as E


def test_data_is_the_h100_measurement():
    m = E.load_measurements()
    assert len(m["model"]) == 41
    assert set(m["gpu"]) == {"NVIDIA H100 80GB HBM3"}
    # KV bytes recomputed here match the CSV's bandwidth floor (weights + KV) / 3.35 TB/s.
    dec = m["mode"] != "prefill"
    floor = (m["weight_gb"][dec] + m["kv_gb"][dec]) / E.H100_BW_TBS
    assert np.allclose(floor, m["bandwidth_bound_ms"][dec], rtol=1e-9)


def test_fit_recovers_synthetic_coefficients():
    m = E.load_measurements()
    g = m["mode"] == "decode_graph"
    gb = m["weight_gb"] + m["kv_gb"]
    fake = dict(m)
    fake["median_ms"] = np.where(g, 0.05 + gb / 2.5 + m["layers"] * 0.020, m["median_ms"])
    f = E.fit_decode(fake)
    assert f["t0_ms"] == pytest.approx(0.05, rel=1e-6)
    assert f["bw_eff_tbs"] == pytest.approx(2.5, rel=1e-6)
    assert f["tau_us"] == pytest.approx(20.0, rel=1e-6)
    assert f["max_abs_rel"] < 1e-9


def test_real_fit_is_physical_and_tight():
    f = E.fit_decode()
    assert f["n"] == 17
    # Effective bandwidth below the 3.35 TB/s peak but not absurdly low.
    assert 0.6 < f["eta"] < 1.0
    assert 5.0 < f["tau_us"] < 60.0
    assert f["r2"] > 0.99
    assert f["lomo_max_abs_rel"] < 0.10
    # Every measured step is slower than the pure bandwidth floor.
    assert np.all(f["measured_ms"] > f["floor_ms"])


def test_graph_replay_removes_launch_overhead():
    lo = E.launch_overhead()
    assert np.all(lo["per_layer_us"] > 0)


def test_latency_model_limits():
    # One chip, no per-layer costs: pure bandwidth floor.
    t = E.token_latency(1e9, 2.0, 0.0, 2.0, 1.0, 1, 10, 0.0, 50.0)
    assert t == pytest.approx(2e9 / 2e12)
    # Sync cost only applies when k > 1 and scales with layers.
    t2 = E.token_latency(1e9, 2.0, 0.0, 2.0, 1.0, 2, 10, 0.0, 50.0)
    assert t2 == pytest.approx(2e9 / 4e12 + 10 * 2 * 50e-6)
    # Infinite parallelism leaves the per-layer floor L (tau + 2 t_sync).
    t3 = E.token_latency(1e12, 2.0, 0.0, 3.0, 0.9, 1e12, 100, 10.0, 20.0)
    assert t3 == pytest.approx(100 * 50e-6, rel=1e-3)
    # Large batches become compute bound.
    t4 = E.token_latency(1e9, 2.0, 0.0, 2.0, 1.0, 1, 1, 0.0, 0.0, batch=1e4, flops_tf=100, mfu=1.0)
    assert t4 == pytest.approx(2e9 * 1e4 / 1e14)


def test_published_checks():
    rows = {r["name"]: r for r in E.published_checks()}
    palm = rows["PaLM 540B, 64 TPU v4 (Pope et al.)"]
    assert palm["bandwidth_floor_s"] == pytest.approx(540e9 / (64 * 1.2e12))
    assert palm["implied_overhead_per_layer_us"] > 100


def test_monte_carlo_seeded_and_consistent():
    a = E.monte_carlo(n=20_000, seed=3)
    b = E.monte_carlo(n=20_000, seed=3)
    assert np.array_equal(a["ratio"], b["ratio"])
    p = a["percentiles"]["ratio"]
    assert p[5] < p[25] < p[50] < p[75] < p[95]
    # Effective speed can never exceed serial speed (verbosity >= 1).
    assert np.all(a["effective_tps"] <= a["deployed_tps"] + 1e-12)
    assert a["p_serial_slower"] <= a["p_slower"]


def test_directions_of_effects():
    base = {k: np.array([E._median_value(lo, hi, kind)]) for k, (lo, hi, kind) in E.DEFAULT_RANGES.items()}
    r0 = E.speeds(base)["ratio"][0]
    for name, sign in [("verbosity", -1), ("human", -1), ("t_sync_us", -1), ("N", -1), ("k", 1), ("spec", 1)]:
        x = dict(base)
        x[name] = base[name] * 2
        r = E.speeds(x)["ratio"][0]
        assert np.sign(r - r0) == sign, name


def test_pessimistic_scenario_is_slower():
    rows = {r["scenario"]: r for r in E.scenario_table(n=10_000, seed=1)}
    assert rows["all pessimistic together"]["p_slower"] > rows["baseline"]["p_slower"]
    assert rows["verbose reasoning (verbosity 3-100)"]["median_ratio"] < rows["baseline"]["median_ratio"]
