"""The CDS Hooks web service against a real server (issue 13 items 5 and 6).

One uvicorn server per test session on 127.0.0.1 and a free port, in a thread, with JWT
verification on (an EC P-384 test key made here, its JWKS served from a file); one more started
as a user would (``baclofen-dose serve --insecure-dev`` in a subprocess). Called with httpx.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from baclofen_dose.server import SANDBOX_ORIGIN, ServerConfig, create_app
from tests.ismp import assert_clean

DATA = Path(__file__).resolve().parent / "data" / "cds_hooks"
ISSUER = "https://ehr.example.org"
SIGN = "/cds-services/baclofen-order-sign"
# How long the fixtures wait for a server to start (a bound on waiting, not a timed assertion).
START_WAIT_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _request() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "order-sign-renal.json").read_text("utf-8"))
    return data


class Service:
    """The running secure server: its URL, app, and a signer for test JWTs."""

    def __init__(self, base: str, key: ec.EllipticCurvePrivateKey, app: Any) -> None:
        self.base = base
        self.key = key
        self.app = app

    def token(self, path: str = SIGN, **change: Any) -> str:
        key = change.pop("_key", None) or self.key
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": "client-1",
            "aud": self.base + path,
            "exp": now + 300,
            "iat": now,
            "jti": str(uuid.uuid4()),
        }
        claims.update(change)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, key, algorithm="ES384", headers={"kid": "test-key"})

    def headers(self, path: str = SIGN, **change: Any) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.token(path, **change)}


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "test-key", "alg": "ES384", "use": "sig"})
    folder = tmp_path_factory.mktemp("jwks")
    jwks = folder / "jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}), encoding="utf-8")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    config = ServerConfig(
        audience=base,
        issuers=(ISSUER,),
        jwks=str(jwks),
        max_body_bytes=65_536,
        feedback_log=folder / "feedback.jsonl",
    )
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_WAIT_SECONDS
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield Service(base, key, app)
    server.should_exit = True
    thread.join(START_WAIT_SECONDS)
    assert not thread.is_alive()


@pytest.fixture(scope="session")
def insecure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``baclofen-dose serve --insecure-dev`` started as a user would; (URL, its stderr file)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "stderr.txt"
    with log.open("w", encoding="utf-8") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "baclofen_dose", "serve", "--insecure-dev", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "PYTHONWARNINGS": "default"},
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_WAIT_SECONDS
    while True:
        assert process.poll() is None, log.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, "the service did not start"
        try:
            httpx.get(base + "/cds-services", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base, log
    process.terminate()
    process.wait(START_WAIT_SECONDS)


def test_discovery(service: Service) -> None:
    answer = httpx.get(service.base + "/cds-services")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    services = answer.json()["services"]
    assert {s["hook"] for s in services} == {"order-select", "order-sign"}
    assert all(s["prefetch"]["patient"] == "Patient/{{context.patientId}}" for s in services)


@pytest.mark.req("SAF-18")
def test_must_show_signed_order_sign_gets_the_renal_warning_card(service: Service) -> None:
    """Issue 13 "Must show": 15 mg 3 times a day with creatinine 3 mg/dL -> warning card with
    the renal source (by hand: CrCl 25.9 mL/min, severe band, 25 mg/day; the order 45 mg/day)."""
    answer = httpx.post(service.base + SIGN, json=_request(), headers=service.headers())
    assert answer.status_code == 200, answer.text
    cards = answer.json()["cards"]
    renal = [c for c in cards if "kidney function 45 mg/day" in c["summary"]]
    assert len(renal) == 1
    assert renal[0]["indicator"] == "warning"
    assert (
        renal[0]["source"]["url"] == "http://onlinelibrary.wiley.com/doi/10.1002/jcph.247/abstract"
    )
    action = renal[0]["suggestions"][0]["actions"][0]
    assert (
        action["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 5
    )
    assert_clean([c["summary"] for c in cards] + [c["detail"] for c in cards])


def test_the_audience_may_be_the_base_url(service: Service) -> None:
    headers = service.headers(aud=service.base)
    assert httpx.post(service.base + SIGN, json=_request(), headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no token"),
        ({"Authorization": "Bearer"}, "empty"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "not bearer"),
        ({"Authorization": "Bearer not.a.jwt"}, "garbage"),
    ],
)
def test_an_unsigned_request_is_401(service: Service, headers: dict[str, str], why: str) -> None:
    answer = httpx.post(service.base + SIGN, json=_request(), headers=headers)
    assert answer.status_code == 401, why
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert "error" in answer.json()
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"iss": "https://unknown.example.org"}, "unknown issuer"),
        ({"aud": "https://elsewhere.example.org"}, "wrong audience"),
        ({"exp": 1_000_000_000, "iat": 999_999_000}, "expired"),
        ({"jti": None}, "no jti"),
        ({"exp": None}, "no exp"),
        ({"_key": ec.generate_private_key(ec.SECP384R1())}, "signed by another key"),
    ],
)
def test_a_bad_jwt_is_401(service: Service, change: dict[str, Any], why: str) -> None:
    answer = httpx.post(service.base + SIGN, json=_request(), headers=service.headers(**change))
    assert answer.status_code == 401, why
    assert "JWT" in answer.json()["error"]


def test_a_shared_secret_or_unsigned_algorithm_is_401(service: Service) -> None:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": service.base + SIGN, "exp": now + 60, "iat": now, "jti": "x"}
    for token in (
        jwt.encode(claims, "secret-secret-secret-secret-secret", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
    ):
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.post(service.base + SIGN, json=_request(), headers=headers).status_code == 401


def test_a_replayed_jti_is_401(service: Service) -> None:
    headers = service.headers()
    assert httpx.post(service.base + SIGN, json=_request(), headers=headers).status_code == 200
    again = httpx.post(service.base + SIGN, json=_request(), headers=headers)
    assert again.status_code == 401
    assert "replay" in again.json()["error"]


def test_an_oversized_body_is_413(service: Service) -> None:
    request = _request()
    request["padding"] = "x" * 70_000
    answer = httpx.post(service.base + SIGN, json=request, headers=service.headers())
    assert answer.status_code == 413
    assert "bytes" in answer.json()["error"]


def test_an_oversized_body_without_a_length_is_413(service: Service) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 8192

    headers = {**service.headers(), "Content-Type": "application/json"}
    answer = httpx.post(service.base + SIGN, content=chunks(), headers=headers)
    assert answer.status_code == 413


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'{"a": 1, "a": 2}', b"\xff\xfe", b'{"x": NaN}']
)
def test_malformed_json_is_400_with_a_json_error(service: Service, body: bytes) -> None:
    answer = httpx.post(
        service.base + SIGN,
        content=body,
        headers={**service.headers(), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("malformed JSON")
    assert "Traceback" not in answer.text


def test_a_request_that_is_not_a_hook_call_is_400_naming_the_field(service: Service) -> None:
    request = _request()
    request["hook"] = "patient-view"
    answer = httpx.post(service.base + SIGN, json=request, headers=service.headers())
    assert answer.status_code == 400
    assert answer.json()["field"] == "hook"


def test_an_unknown_service_is_404(service: Service) -> None:
    path = "/cds-services/nothing"
    answer = httpx.post(service.base + path, json=_request(), headers=service.headers(path))
    assert answer.status_code == 404


def test_cors_is_set_for_the_sandbox_origin_only(service: Service) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    ok = httpx.options(service.base + SIGN, headers={"Origin": SANDBOX_ORIGIN, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == SANDBOX_ORIGIN
    other = httpx.options(
        service.base + SIGN, headers={"Origin": "https://evil.example.org", **preflight}
    )
    assert "access-control-allow-origin" not in other.headers
    simple = httpx.get(service.base + "/cds-services", headers={"Origin": SANDBOX_ORIGIN})
    assert simple.headers["access-control-allow-origin"] == SANDBOX_ORIGIN


def test_feedback_is_recorded(service: Service) -> None:
    cards = httpx.post(service.base + SIGN, json=_request(), headers=service.headers()).json()
    card = next(c for c in cards["cards"] if "suggestions" in c)
    body = {
        "feedback": [
            {
                "card": card["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}],
                "outcomeTimestamp": "2026-11-29T14:32:09Z",
            }
        ]
    }
    path = SIGN + "/feedback"
    answer = httpx.post(service.base + path, json=body, headers=service.headers(path))
    assert answer.status_code == 200
    recorded = [f for f in service.app.state.feedback if f.card == card["uuid"]]
    assert [f.outcome for f in recorded] == ["accepted"]
    bad = httpx.post(
        service.base + path, json={"feedback": [{"card": 1}]}, headers=service.headers(path)
    )
    assert bad.status_code == 400
    unsigned = httpx.post(service.base + path, json=body)
    assert unsigned.status_code == 401


def test_100_requests_from_10_clients_are_all_answered(service: Service) -> None:
    request = _request()

    def client(n: int) -> list[int]:
        statuses = []
        with httpx.Client(base_url=service.base, timeout=60) as http:
            for _ in range(10):
                body = copy.deepcopy(request)
                body["hookInstance"] = str(uuid.uuid4())
                answer = http.post(SIGN, json=body, headers=service.headers())
                cards = answer.json()["cards"]
                assert any("kidney function 45 mg/day" in c["summary"] for c in cards)
                statuses.append(answer.status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = [s for statuses in pool.map(client, range(10)) for s in statuses]
    assert results == [200] * 100


def test_insecure_dev_says_so_and_accepts_unsigned_calls(insecure: tuple[str, Path]) -> None:
    base, log = insecure
    answer = httpx.post(base + SIGN, json=_request())
    assert answer.status_code == 200
    assert any("kidney function 45 mg/day" in c["summary"] for c in answer.json()["cards"])
    assert "INSECURE DEV MODE" in log.read_text(encoding="utf-8")


def test_serve_without_keys_or_issuer_refuses_to_start() -> None:
    from baclofen_dose.cli import main

    assert main(["serve", "--port", "8080"]) == 2


def test_serve_without_the_server_extra_says_which_extra(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = (
        "import sys; sys.modules['uvicorn'] = None; from baclofen_dose.cli import main; "
        "sys.exit(main(['serve', '--insecure-dev']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert 'pip install "baclofen-dose[server]"' in done.stderr
    assert "Traceback" not in done.stderr


def test_an_internal_error_is_500_with_one_json_line_and_no_traceback(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baclofen_dose.interop import hooks

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail /srv/app/hooks.py line 12")

    monkeypatch.setattr(hooks, "handle_hook", broken)  # the server thread calls it by name
    answer = httpx.post(service.base + SIGN, json=_request(), headers=service.headers())
    assert answer.status_code == 500
    assert answer.json() == {
        "error": "internal error (a bug in the service); the request was not checked"
    }
    assert "secret" not in answer.text and "Traceback" not in answer.text


def test_keys_from_a_jwks_url(tmp_path: Path) -> None:
    """--jwks URL: the keys are fetched (and cached); a plain-http URL off this machine is refused."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from baclofen_dose.server.app import _Keys

    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "url-key", "alg": "ES384"})
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [jwk]}), encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # no request lines on stderr
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as http_server:
        thread = threading.Thread(target=http_server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{http_server.server_address[1]}/jwks.json"
            token = jwt.encode({"iss": ISSUER}, key, algorithm="ES384", headers={"kid": "url-key"})
            found, algorithms = _Keys(url).key_for(token)
            assert found.public_numbers() == key.public_key().public_numbers()
            assert "ES384" in algorithms and "RS384" not in algorithms
        finally:
            http_server.shutdown()
            thread.join(START_WAIT_SECONDS)
    with pytest.raises(ValueError, match="https"):
        _Keys("http://keys.example.org/jwks.json")


def test_the_signed_iat_dates_an_order_without_authored_on(service: Service) -> None:
    """The sandbox's drafts may have no authoredOn: the day of the JWT's iat (signed by the
    EHR) is the date ages are counted to. 2026-11-29 12:00 UTC: the fixture's day."""
    request = _request()
    del request["context"]["draftOrders"]["entry"][0]["resource"]["authoredOn"]
    headers = service.headers(iat=1_795_953_600)  # 2026-11-29T12:00:00Z
    cards = httpx.post(service.base + SIGN, json=request, headers=headers).json()["cards"]
    assert [c for c in cards if "kidney function 45 mg/day" in c["summary"]]


def test_a_token_whose_algorithm_does_not_fit_its_key_is_401_not_500(service: Service) -> None:
    """An RS384 token naming the EC key's kid: refused as a bad JWT, never a crash (500) that
    any unauthenticated caller could trigger."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = int(time.time())
    claims = {"iss": ISSUER, "aud": service.base + SIGN, "exp": now + 60, "iat": now,
              "jti": str(uuid.uuid4())}  # fmt: skip
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for algorithm in ("RS384", "PS256"):
        token = jwt.encode(claims, rsa_key, algorithm=algorithm, headers={"kid": "test-key"})
        answer = httpx.post(
            service.base + SIGN, json=_request(), headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 401 and "JWT" in answer.json()["error"]


def test_insecure_dev_with_keys_or_an_issuer_refuses_to_start(tmp_path: Path) -> None:
    """--insecure-dev turns verification off: given with --jwks or --issuer (someone expects
    tokens to be checked) the service does not start."""
    from baclofen_dose.cli import main

    jwks = tmp_path / "jwks.json"
    jwks.write_text('{"keys": []}', encoding="utf-8")
    assert main(["serve", "--insecure-dev", "--issuer", ISSUER, "--jwks", str(jwks)]) == 2
    assert main(["serve", "--insecure-dev", "--issuer", ISSUER]) == 2


def test_a_jwks_without_a_public_key_refuses_to_start(tmp_path: Path) -> None:
    from baclofen_dose.cli import main

    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "s"}]}), "utf-8")
    assert main(["serve", "--issuer", ISSUER, "--jwks", str(jwks)]) == 2


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/xml"])
def test_a_body_that_is_not_said_to_be_json_is_415(
    service: Service, content_type: str | None
) -> None:
    headers = service.headers()
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = httpx.post(service.base + SIGN, content=json.dumps(_request()), headers=headers)
    assert answer.status_code == 415 and "application/json" in answer.json()["error"]
    headers = {**service.headers(), "Content-Type": "application/json; charset=utf-8"}
    answer = httpx.post(service.base + SIGN, content=json.dumps(_request()), headers=headers)
    assert answer.status_code == 200
