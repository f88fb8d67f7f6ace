"""CDS Hooks order-sign latency against the running service (issue 13 item 7).

Run from the repository root (needs the ``[server]`` extra and httpx)::

    python benchmarks/hooks.py            # 20 clients x 25 requests, after a warm-up
    python benchmarks/hooks.py --quick    # 20 clients x 3 requests (a smoke test for CI)
    python benchmarks/hooks.py --json     # one JSON object

It starts ``baclofen-dose serve`` in a subprocess on 127.0.0.1 and a free port, with JWT
verification ON (an EC P-384 key made here, its JWKS in a temporary file; each request carries
a fresh signed JWT, made before the clock starts), then sends the order-sign fixture of the
tests (15 mg 3 times a day, creatinine 3 mg/dL: the renal warning card and its suggestion) from
``--clients`` concurrent clients (threads, one keep-alive httpx client each). It prints the
median and 99th-percentile latency and the requests per second.

The issue's targets (median <= 50 ms, p99 <= 200 ms with 20 clients on a 2-core machine) are
reported, never enforced: the exit status is 0 however slow the machine is, and 1 only if a
request fails. The client threads share the machine with the server, as an EHR on the same
host would not: the figures are an upper bound.
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "cds_hooks" / "order-sign-renal.json"
PATH = "/cds-services/baclofen-order-sign"
ISSUER = "https://ehr.example.org"
TARGET_MEDIAN_MS = 50
TARGET_P99_MS = 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="requests per client")
    parser.add_argument("--quick", action="store_true", help="3 requests per client")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    per_client = 3 if args.quick else args.requests

    import httpx
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "bench", "alg": "ES384"})
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    body = FIXTURE.read_bytes()

    def token() -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER, "aud": base + PATH, "exp": now + 600, "iat": now,
            "jti": str(uuid.uuid4()), "sub": "bench",
        }  # fmt: skip
        return jwt.encode(claims, key, algorithm="ES384", headers={"kid": "bench"})

    with tempfile.TemporaryDirectory() as folder:
        jwks = Path(folder) / "jwks.json"
        jwks.write_text(json.dumps({"keys": [jwk]}), encoding="utf-8")
        command = [
            sys.executable, "-m", "baclofen_dose", "serve", "--port", str(port),
            "--jwks", str(jwks), "--issuer", ISSUER, "--audience", base,
        ]  # fmt: skip
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    print("the service did not start", file=sys.stderr)
                    return 1
                try:
                    httpx.get(base + "/cds-services", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            # Warm-up: one signed request per client connection, untimed.
            with httpx.Client(base_url=base) as warm:
                for _ in range(3):
                    headers = {"Authorization": "Bearer " + token(),
                               "Content-Type": "application/json"}  # fmt: skip
                    warm.post(PATH, content=body, headers=headers).raise_for_status()
            tokens = [[token() for _ in range(per_client)] for _ in range(args.clients)]
            latencies: list[float] = []
            failures: list[str] = []
            lock = threading.Lock()
            start_gate = threading.Barrier(args.clients + 1)

            def client(mine: list[str]) -> None:
                with httpx.Client(base_url=base, timeout=60) as http:
                    start_gate.wait()
                    for t in mine:
                        headers = {"Authorization": "Bearer " + t,
                                   "Content-Type": "application/json"}  # fmt: skip
                        began = time.perf_counter()
                        answer = http.post(PATH, content=body, headers=headers)
                        took = time.perf_counter() - began
                        with lock:
                            latencies.append(took)
                            if answer.status_code != 200 or not answer.json()["cards"]:
                                failures.append(f"{answer.status_code} {answer.text[:80]}")

            threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
            for thread in threads:
                thread.start()
            start_gate.wait()
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(30)
    report: dict[str, Any] = {
        "clients": args.clients,
        "requests": len(latencies),
        "failures": len(failures),
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "requests_per_second": round(len(latencies) / wall, 1),
        "target_median_ms": TARGET_MEDIAN_MS,
        "target_p99_ms": TARGET_P99_MS,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"order-sign, {report['clients']} concurrent clients, {report['requests']} requests "
            f"(JWT verified): median {report['median_ms']} ms (target <= {TARGET_MEDIAN_MS}), "
            f"p99 {report['p99_ms']} ms (target <= {TARGET_P99_MS}), "
            f"{report['requests_per_second']} requests/second; failures {report['failures']}"
        )
        for failure in failures[:3]:
            print("  failure:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
