"""Benchmark: Accord's release decisions against Cedar (cedarpy), on the same 100,000 requests.

Cedar runs its best path: ``is_authorized_batch`` with a pre-parsed policy set and entity set
(the policy set generated from the register and the security policies, accord.policy.cedar).
Accord runs ``PolicyEngine.decide`` one request at a time, with full explanations. Both are
checked to agree on every request. Rounds alternate; the figures are medians over rounds, and
Accord's first (cold) round is printed apart: later rounds reuse the evaluations the engine
shares between days of the same agreement status intervals.

Last line: one JSON object with ``accord_per_s``, ``cedar_per_s`` and ``ratio`` (goal >= 20).
Run: ``.venv/bin/python bench/policy.py [--requests N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import cedarpy

from accord.agreements.public_record import public_record
from accord.policy import cedar
from accord.policy.engine import PolicyEngine
from accord.policy.samples import random_requests

NATIONS = ("USA", "PAK", "IND")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    engine = PolicyEngine(public_record())
    requests = random_requests(engine, NATIONS, args.requests, seed=2026)
    contexts = [cedar.context(engine, r) for r in requests]
    policies = cedarpy.PolicySet.from_str(cedar.policy_set(engine, NATIONS))
    entities = cedarpy.Entities.from_json_str("[]")

    accord_rates, cedar_rates = [], []
    cold = 0.0
    for round_number in range(args.rounds):
        start = time.perf_counter()
        decisions = [engine.decide(r) for r in requests]
        elapsed = time.perf_counter() - start
        if round_number == 0:
            cold = len(requests) / elapsed
        accord_rates.append(len(requests) / elapsed)
        start = time.perf_counter()
        answers = cedarpy.is_authorized_batch(contexts, policies, entities)
        cedar_rates.append(len(requests) / (time.perf_counter() - start))
        disagreements = sum(
            d.permit is not a.allowed for d, a in zip(decisions, answers, strict=True)
        )
        assert disagreements == 0, f"{disagreements} disagreements"
    permits = sum(d.permit for d in decisions)

    latencies = []
    for request in requests[:20_000]:
        start = time.perf_counter_ns()
        engine.decide(request)
        latencies.append(time.perf_counter_ns() - start)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] / 1000
    p99 = latencies[int(len(latencies) * 0.99)] / 1000

    accord_per_s = statistics.median(accord_rates)
    cedar_per_s = statistics.median(cedar_rates)
    print(f"{len(requests):,} requests, {permits:,} permitted; Accord and Cedar agree on all")
    print(f"accord decisions/s: median {accord_per_s:,.0f} (cold first round {cold:,.0f})")
    print(f"cedar  decisions/s: median {cedar_per_s:,.0f} (is_authorized_batch, pre-parsed)")
    print(f"single Accord decision: p50 {p50:.1f} us, p99 {p99:.1f} us")
    result = {
        "requests": len(requests),
        "accord_per_s": round(accord_per_s),
        "accord_cold_per_s": round(cold),
        "cedar_per_s": round(cedar_per_s),
        "ratio": round(accord_per_s / cedar_per_s, 2),
        "ratio_cold": round(cold / cedar_per_s, 2),
        "p50_us": round(p50, 2),
        "p99_us": round(p99, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
