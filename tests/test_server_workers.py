"""``baclofen-dose serve --workers N``: a replayed JWT is refused by every worker process.

The ``jti`` values seen live in an SQLite file the workers share (``_SharedReplay``); one
worker (the default) keeps them in memory. Checked on the store itself (two stores on one file
stand for two processes; threads race for one ``jti``) and on a real two-worker service started
as a user would, sent one signed token many times on fresh connections.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from baclofen_dose.server.app import (
    CONFIG_ENVIRONMENT,
    ServerConfig,
    _SharedReplay,
    app_from_environment,
    config_to_environment,
)
from tests.test_server import ISSUER, SIGN, START_WAIT_SECONDS, _free_port, _request

NOW = 1_800_000_000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Callable[[], _SharedReplay]]:
    """Stores on one file (each stands for a worker process), closed after the test."""
    made: list[_SharedReplay] = []

    def make() -> _SharedReplay:
        made.append(_SharedReplay(tmp_path / "jti"))
        return made[-1]

    yield make
    for one in made:
        one.close()


def test_a_jti_seen_by_one_store_is_a_replay_for_another_on_the_same_file(
    store: Callable[[], _SharedReplay],
) -> None:
    first, second = store(), store()
    assert first.first_use("a", NOW + 300, NOW)
    assert not second.first_use("a", NOW + 300, NOW)
    assert not first.first_use("a", NOW + 300, NOW + 299)
    assert second.first_use("b", NOW + 300, NOW)


def test_a_jti_whose_token_expired_may_be_used_again(store: Callable[[], _SharedReplay]) -> None:
    """As the in-memory store: an entry expired before ``now`` no longer counts."""
    one = store()
    assert one.first_use("a", NOW + 300, NOW)
    assert one.first_use("a", NOW + 900, NOW + 301)
    assert not one.first_use("a", NOW + 900, NOW + 302)


def test_threads_racing_for_one_jti_get_one_first_use(store: Callable[[], _SharedReplay]) -> None:
    stores = [store(), store()]
    results: list[bool] = []
    gate = threading.Barrier(8)

    def use(store: _SharedReplay) -> None:
        gate.wait()
        results.append(store.first_use("raced", NOW + 300, NOW))

    threads = [threading.Thread(target=use, args=(stores[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_the_store_is_swept_of_expired_entries(
    store: Callable[[], _SharedReplay], tmp_path: Path
) -> None:
    one = store()
    for i in range(_SharedReplay._SWEEP_EVERY - 1):
        one.first_use(f"old-{i}", NOW + i, NOW)
    # The call that completes the round sweeps what expired before its ``now``.
    one.first_use("late", NOW + 10_000, NOW + 5_000)
    db = sqlite3.connect(tmp_path / "jti")
    try:
        left = db.execute("SELECT jti FROM jti WHERE exp < ?", (NOW + 5_000,)).fetchall()
    finally:
        db.close()
    assert left == []


def test_a_worker_refuses_to_start_without_a_shared_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    jwk = json.loads(ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP384R1()).public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}), encoding="utf-8")
    config = ServerConfig(audience="http://127.0.0.1:1", issuers=(ISSUER,), jwks=str(jwks))
    monkeypatch.setenv(CONFIG_ENVIRONMENT, config_to_environment(config))
    with pytest.raises(ValueError, match="shared jti store"):
        app_from_environment()
    shared = ServerConfig(
        audience="http://127.0.0.1:1",
        issuers=(ISSUER,),
        jwks=str(jwks),
        replay_store=tmp_path / "jti",
        max_body_bytes=1000,
    )
    monkeypatch.setenv(CONFIG_ENVIRONMENT, config_to_environment(shared))
    app = app_from_environment()

    async def start_and_stop() -> None:  # the lifespan closes the store
        async with app.router.lifespan_context(app):
            pass

    asyncio.run(start_and_stop())


class _Workers:
    def __init__(self, base: str, key: ec.EllipticCurvePrivateKey) -> None:
        self.base = base
        self.key = key

    def token(self) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER, "sub": "client-1", "aud": self.base + SIGN, "exp": now + 300,
            "iat": now, "jti": str(uuid.uuid4()),
        }  # fmt: skip
        return jwt.encode(claims, self.key, algorithm="ES384", headers={"kid": "test-key"})


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Workers]:
    """``baclofen-dose serve --workers 2`` with JWT checks on, started as a user would."""
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "test-key", "alg": "ES384", "use": "sig"})
    folder = tmp_path_factory.mktemp("workers")
    (folder / "jwks.json").write_text(json.dumps({"keys": [jwk]}), encoding="utf-8")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "stderr.txt"
    temporary = folder / "tmp"  # where the service makes its private folder for the jti store
    temporary.mkdir()
    command = [
        sys.executable, "-m", "baclofen_dose", "serve", "--port", str(port), "--workers", "2",
        "--jwks", str(folder / "jwks.json"), "--issuer", ISSUER,
    ]  # fmt: skip
    with log.open("w", encoding="utf-8") as err:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=err,
            env={**os.environ, "PYTHONWARNINGS": "default", "TMPDIR": str(temporary)},
        )  # fmt: skip
    deadline = time.monotonic() + START_WAIT_SECONDS
    try:
        while True:
            assert process.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "the service did not start"
            try:
                httpx.get(base + "/cds-services", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        # Both workers up: each logs that it started.
        while log.read_text(encoding="utf-8").count("Application startup complete") < 2:
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.1)
        assert [p.name[:20] for p in temporary.iterdir()] == ["baclofen-dose-serve-"]
        yield _Workers(base, key)
    finally:
        process.terminate()
        process.wait(START_WAIT_SECONDS)
    assert "Traceback" not in log.read_text(encoding="utf-8")
    assert list(temporary.iterdir()) == [], "the jti store's folder was not removed"


def test_two_workers_answer_and_refuse_a_replay_whichever_gets_it(workers: _Workers) -> None:
    token = workers.token()
    statuses: list[int] = []

    def send() -> None:
        # A fresh connection each time, so the kernel hands the calls to either worker.
        with httpx.Client(base_url=workers.base, timeout=60) as http:
            answer = http.post(SIGN, json=_request(), headers={"Authorization": "Bearer " + token})
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=send) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [401] * 11


def test_two_workers_answer_fresh_tokens(workers: _Workers) -> None:
    answers: list[dict[str, Any]] = []
    for _ in range(6):
        with httpx.Client(base_url=workers.base, timeout=60) as http:
            answer = http.post(
                SIGN, json=_request(), headers={"Authorization": "Bearer " + workers.token()}
            )
            assert answer.status_code == 200
            answers.append(answer.json())
    assert all(any("kidney function" in c["summary"] for c in a["cards"]) for a in answers)


def test_an_oversized_unsigned_body_is_413(workers: _Workers) -> None:
    """The body is read (within the bound) before the JWT is checked: too big is 413."""
    request = _request()
    request["padding"] = "x" * 300_000
    assert httpx.post(workers.base + SIGN, json=request).status_code == 413


@pytest.mark.parametrize("value", ["0", "65", "two"])
def test_serve_refuses_a_bad_number_of_workers(value: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "baclofen_dose", "serve", "--insecure-dev", "--workers", value],
        capture_output=True,
        text=True,
        timeout=START_WAIT_SECONDS,
    )
    assert done.returncode == 2
    assert "worker processes" in done.stderr
