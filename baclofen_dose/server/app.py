"""The CDS Hooks web service: Starlette routes over :mod:`baclofen_dose.interop.hooks`.

- ``GET /cds-services``: discovery; ``POST /cds-services/{id}``: a hook call;
  ``POST /cds-services/{id}/feedback``: feedback, recorded in memory (and in a JSON-lines file
  when one is configured).
- Security as CDS Hooks 2.0 expects: every request carries ``Authorization: Bearer <JWT>``
  signed by the EHR; the signature is checked against a JWKS (a file or a URL), ``iss`` must
  be in the allow-list, ``aud`` the service URL (the base URL or the endpoint's own URL),
  ``exp``, ``iat`` and ``jti`` present, and a ``jti`` seen before is refused (replay).
  Anything else is 401. ``insecure_dev`` turns this off and the service says so on every start.
- Limits: a body over ``max_body_bytes`` is 413 (the body is read, within that bound, before
  the JWT is checked: one trip off the event loop does the check and the work); malformed
  JSON is 400 with a JSON error body; an error inside the service is 500 with a one-line JSON
  body (never a stack trace).
- CORS for the public sandbox origin only (https://sandbox.cds-hooks.org), set explicitly.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import attrs
import jwt
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from baclofen_dose.core.errors import BaclofenDoseError
from baclofen_dose.interop import hooks
from baclofen_dose.render.codec import dumps
from baclofen_dose.render.protocol import parse_json

__all__ = [
    "CONFIG_ENVIRONMENT",
    "SANDBOX_ORIGIN",
    "ServerConfig",
    "app_from_environment",
    "config_to_environment",
    "create_app",
]

SANDBOX_ORIGIN: Final = "https://sandbox.cds-hooks.org"
CONFIG_ENVIRONMENT: Final = "BACLOFEN_DOSE_SERVE_CONFIG"
"""The environment variable that hands a :class:`ServerConfig` to worker processes."""
# CDS Hooks 2.0: services SHOULD accept ES384 and RS384; the other asymmetric sizes are accepted
# too. Never "none" and never a shared-secret (HS*) algorithm.
_ALGORITHMS: Final = ["ES384", "RS384", "ES256", "RS256", "ES512", "RS512", "PS384", "PS256"]
# The algorithms each key type may verify (a mismatch, such as an RS384 token naming an EC
# key, is refused rather than handed to the crypto library).
_KEY_ALGORITHMS: Final = {
    "EC": [a for a in _ALGORITHMS if a.startswith("ES")],
    "RSA": [a for a in _ALGORITHMS if a.startswith(("RS", "PS"))],
}
_LOG = logging.getLogger("baclofen_dose.server")
_INSECURE = (
    "INSECURE DEV MODE: JWT verification is OFF; any caller is accepted. Never use this with "
    "real patient data or on a network others can reach."
)


@attrs.frozen
class ServerConfig:
    """How the service runs: who may call it and with what.

    ``audience`` is the service's own base URL (``https://cds.example.org``); ``issuers`` the
    allowed ``iss`` values; ``jwks`` a JWKS file path or an ``https://`` URL. ``insecure_dev``
    accepts unsigned calls (development only). ``max_body_bytes`` bounds a request body;
    ``feedback_log`` (optional) is a JSON-lines file that feedback is appended to.
    ``replay_store`` (optional) is an SQLite file that keeps the ``jti`` values seen, shared by
    every worker process that names it (``baclofen-dose serve --workers N``); without it they
    are kept in this process's memory.
    """

    audience: str
    issuers: tuple[str, ...] = ()
    jwks: str | None = None
    insecure_dev: bool = False
    max_body_bytes: int = 262_144
    feedback_log: Path | None = None
    hooks: hooks.HooksConfig = attrs.field(factory=hooks.HooksConfig)
    leeway_seconds: int = 30
    replay_store: Path | None = None

    def __attrs_post_init__(self) -> None:
        if self.insecure_dev and (self.issuers or self.jwks):
            # Whoever gave keys expects them to be checked: both at once is refused, never a
            # service that looks configured and verifies nothing.
            raise ValueError(
                "--insecure-dev turns JWT verification off: give it without --jwks and "
                "--issuer, or drop it to verify tokens"
            )
        if not self.insecure_dev and (not self.issuers or not self.jwks):
            raise ValueError(
                "the service needs a JWKS (--jwks) and at least one allowed issuer (--issuer), "
                "or --insecure-dev for local development"
            )


class _UnauthorizedError(Exception):
    """A request without a valid signed JWT (401)."""


class _Keys:
    """The EHRs' public keys: a JWKS file read once, or a JWKS URL fetched and cached."""

    def __init__(self, jwks: str) -> None:
        self._client: jwt.PyJWKClient | None = None
        self._set: jwt.PyJWKSet | None = None
        if jwks.startswith(("https://", "http://")):
            # Keys fetched in clear text could be swapped on the way: HTTPS only, except from
            # this machine (a local key server, the tests).
            local = jwks.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:"))
            if jwks.startswith("http://") and not local:
                raise ValueError(f"the JWKS URL must be https:// (got {jwks})")
            self._client = jwt.PyJWKClient(jwks, cache_keys=True, timeout=10)
        else:
            self._set = jwt.PyJWKSet.from_json(Path(jwks).read_text(encoding="utf-8"))
            if not any(k.key_type in _KEY_ALGORITHMS for k in self._set.keys):
                raise ValueError(
                    f"the JWKS {jwks} has no public key (EC or RSA): no token could ever verify"
                )

    def key_for(self, token: str) -> tuple[Any, list[str]]:
        """The key for the token's ``kid`` and the algorithms it may be used with (those of
        its key type: a token whose algorithm does not fit its key is refused, 401)."""
        if self._client is not None:
            jwk = self._client.get_signing_key_from_jwt(token)
        else:
            assert self._set is not None
            kid = jwt.get_unverified_header(token).get("kid")
            keys = [k for k in self._set.keys if kid is None or k.key_id == kid]
            if len(keys) != 1:
                raise _UnauthorizedError("no single key in the JWKS for the token's kid")
            jwk = keys[0]
        algorithms = _KEY_ALGORITHMS.get(str(jwk.key_type))
        if algorithms is None:
            raise _UnauthorizedError(f"the key for the token is of type {jwk.key_type}, not EC/RSA")
        return jwk.key, algorithms


class _Replay:
    """The ``jti`` values seen, each kept until its token expires (bounded)."""

    def __init__(self, most: int = 100_000) -> None:
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self._most = most

    def first_use(self, jti: str, exp: int, now: int) -> bool:
        """True the first time ``jti`` is seen; entries expired before ``now`` are dropped."""
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now:
                self._seen.popitem(last=False)
            if jti in self._seen:
                return False
            if len(self._seen) >= self._most:
                self._seen.popitem(last=False)
            self._seen[jti] = exp
            return True


class _SharedReplay:
    """The ``jti`` values seen, in an SQLite file that several worker processes share.

    One statement decides, atomically across processes: the ``jti`` is inserted, or, when it
    is there already, its expiry replaced only if it had expired before ``now``; the token is
    a first use exactly when a row changed. Expired rows are swept now and then.
    """

    _SWEEP_EVERY: Final = 1000

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()  # one connection per thread (the thread pool's)
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._calls = 0
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS jti (jti TEXT PRIMARY KEY, exp INTEGER NOT NULL) "
                "WITHOUT ROWID"
            )

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            # Each connection is used by its own thread only; close() may run on another.
            db = sqlite3.connect(
                self._path, timeout=10, isolation_level=None, check_same_thread=False
            )
            with self._lock:
                self._opened.append(db)
            db.execute("PRAGMA journal_mode=WAL")
            # A replay cache, not a record: losing the last writes in a power cut only
            # forgets tokens that a restarted service forgets anyway.
            db.execute("PRAGMA synchronous=OFF")
            self._local.db = db
        return db

    def first_use(self, jti: str, exp: int, now: int) -> bool:
        """True the first time ``jti`` is seen by any process sharing the file."""
        db = self._connect()
        changed = db.execute(
            "INSERT INTO jti (jti, exp) VALUES (?, ?) "
            "ON CONFLICT (jti) DO UPDATE SET exp = excluded.exp WHERE jti.exp < ?",
            (jti, exp, now),
        ).rowcount
        self._calls += 1
        if self._calls % self._SWEEP_EVERY == 0:
            db.execute("DELETE FROM jti WHERE exp < ?", (now,))
        return changed == 1

    def close(self) -> None:
        """Close every connection (when the service stops)."""
        with self._lock:
            for db in self._opened:
                db.close()
            self._opened.clear()
        self._local = threading.local()


class _Verifier:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.keys = None if config.jwks is None else _Keys(config.jwks)
        self.replay: _Replay | _SharedReplay = (
            _Replay() if config.replay_store is None else _SharedReplay(config.replay_store)
        )

    def check(self, request: Request) -> date | None:
        """Verify the call's JWT; the day of its ``iat`` (UTC), the EHR's signed date of the
        call (``None`` in insecure dev mode)."""
        if self.config.insecure_dev:
            return None
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _UnauthorizedError("a signed JWT is required (Authorization: Bearer ...)")
        token = token.strip()
        assert self.keys is not None
        base = self.config.audience.rstrip("/")
        audiences = [base, base + request.url.path]
        try:
            key, algorithms = self.keys.key_for(token)
            if jwt.get_unverified_header(token).get("alg") not in algorithms:
                raise _UnauthorizedError("the JWT was refused: its algorithm does not fit its key")
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=audiences,
                issuer=list(self.config.issuers),
                leeway=self.config.leeway_seconds,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except (jwt.PyJWTError, ValueError, KeyError, OSError) as exc:
            raise _UnauthorizedError(f"the JWT was refused: {exc}") from None
        jti, exp, iat = claims["jti"], claims["exp"], claims["iat"]
        if not isinstance(jti, str) or not jti:
            raise _UnauthorizedError("the JWT has no usable jti")
        leeway = self.config.leeway_seconds
        if not self.replay.first_use(jti, int(exp) + leeway, int(iat) - leeway):
            raise _UnauthorizedError("the JWT's jti was already used (replay)")
        return datetime.fromtimestamp(int(iat), tz=UTC).date()


def _json(
    data: Mapping[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json", headers=headers)


def _error(status: int, message: str, **extra: str) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="cds-services"'} if status == 401 else None
    return _json({"error": message, **extra}, status, headers)


def _json_content(request: Request) -> None:
    """A call's body must say it is JSON (CDS Hooks: application/json); anything else is 415."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise HTTPException(
            415, f"the body must be application/json (Content-Type: {media or 'missing'})"
        )


async def _body(request: Request, most: int) -> bytes:
    """The body, read up to ``most`` bytes (413 beyond)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > most:
        raise HTTPException(413, f"the request body is over {most} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > most:
            raise HTTPException(413, f"the request body is over {most} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parsed(raw: bytes) -> Mapping[str, Any]:
    """The JSON body, parsed with the library's bounded parser (400 when malformed)."""
    try:
        return parse_json(raw)
    except BaclofenDoseError as exc:
        raise HTTPException(400, f"malformed JSON: {exc}") from None


def create_app(config: ServerConfig) -> Starlette:
    """The ASGI app for ``config`` (run it with uvicorn: ``baclofen-dose serve``)."""
    verifier = _Verifier(config)
    feedback: deque[hooks.HookFeedback] = deque(maxlen=10_000)
    lock = threading.Lock()

    async def discovery(request: Request) -> Response:
        return _json(hooks.hook_discovery())

    async def service(request: Request) -> Response:
        service_id = request.path_params["service_id"]
        if service_id not in hooks.SERVICE_IDS:
            return _error(404, f"no CDS service {service_id!r}")
        _json_content(request)
        raw = await _body(request, config.max_body_bytes)

        def answer() -> Response:
            try:
                call_date = verifier.check(request)
            except _UnauthorizedError as exc:
                return _error(401, str(exc))
            body = _parsed(raw)
            try:
                cards = hooks.handle_hook(
                    service_id, body, config=config.hooks, call_date=call_date
                )
            except BaclofenDoseError as exc:
                return _error(400, str(exc), field=getattr(exc, "field", ""))
            return _json(cards)

        # The signature check, the parsing, the handler and the encoding are CPU work: one
        # trip off the event loop for all of them, so that the loop keeps reading other
        # requests (benchmarks/hooks.py; docs/cds-hooks.md "Speed").
        return await run_in_threadpool(answer)

    async def record(request: Request) -> Response:
        service_id = request.path_params["service_id"]
        if service_id not in hooks.SERVICE_IDS:
            return _error(404, f"no CDS service {service_id!r}")
        _json_content(request)
        raw = await _body(request, config.max_body_bytes)
        try:
            await run_in_threadpool(verifier.check, request)
        except _UnauthorizedError as exc:
            return _error(401, str(exc))
        try:
            entries = hooks.read_hook_feedback(service_id, _parsed(raw))
        except BaclofenDoseError as exc:
            return _error(400, str(exc), field=getattr(exc, "field", ""))
        with lock:
            feedback.extend(entries)
            if config.feedback_log is not None:
                with config.feedback_log.open("a", encoding="utf-8") as out:
                    for entry in entries:
                        out.write(json.dumps(attrs.asdict(entry), ensure_ascii=True) + "\n")
        _LOG.info("feedback: %d entries for %s", len(entries), service_id)
        return Response(status_code=200)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, exc.detail)

    async def internal_error(request: Request, exc: Exception) -> Response:
        # The traceback goes to the service's log, never into the response.
        _LOG.error("internal error on %s", request.url.path, exc_info=exc)
        return _error(500, "internal error (a bug in the service); the request was not checked")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if config.insecure_dev:
            _LOG.warning(_INSECURE)
        try:
            yield
        finally:
            if isinstance(verifier.replay, _SharedReplay):
                verifier.replay.close()

    app = Starlette(
        routes=[
            Route("/cds-services", discovery, methods=["GET"]),
            Route("/cds-services/{service_id}", service, methods=["POST"]),
            Route("/cds-services/{service_id}/feedback", record, methods=["POST"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=[SANDBOX_ORIGIN],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        ],
        exception_handlers={HTTPException: http_error, Exception: internal_error},
        lifespan=lifespan,
    )
    app.state.feedback = feedback
    return app


def config_to_environment(config: ServerConfig) -> str:
    """The JSON text of ``config`` that :func:`app_from_environment` reads back (the settings
    ``baclofen-dose serve`` gives; the handler keeps the bundled rules)."""
    return json.dumps(
        {
            "audience": config.audience,
            "issuers": list(config.issuers),
            "jwks": config.jwks,
            "insecure_dev": config.insecure_dev,
            "max_body_bytes": config.max_body_bytes,
            "feedback_log": None if config.feedback_log is None else str(config.feedback_log),
            "lab_max_age_days": config.hooks.lab_max_age_days,
            "adolescent_policy": config.hooks.adolescent_policy,
            "leeway_seconds": config.leeway_seconds,
            "replay_store": None if config.replay_store is None else str(config.replay_store),
        }
    )


def app_from_environment() -> Starlette:
    """The app of one worker process: the config from ``CONFIG_ENVIRONMENT`` (an app factory
    for ``uvicorn --factory``, as ``baclofen-dose serve --workers N`` starts it)."""
    data = json.loads(os.environ[CONFIG_ENVIRONMENT])
    feedback_log, replay_store = data.pop("feedback_log"), data.pop("replay_store")
    if not data["insecure_dev"] and replay_store is None:
        raise ValueError("worker processes need a shared jti store (replay_store)")
    return create_app(
        ServerConfig(
            audience=data["audience"],
            issuers=tuple(data["issuers"]),
            jwks=data["jwks"],
            insecure_dev=data["insecure_dev"],
            max_body_bytes=data["max_body_bytes"],
            feedback_log=None if feedback_log is None else Path(feedback_log),
            hooks=hooks.HooksConfig(
                lab_max_age_days=data["lab_max_age_days"],
                adolescent_policy=data.get("adolescent_policy"),
            ),
            leeway_seconds=data["leeway_seconds"],
            replay_store=None if replay_store is None else Path(replay_store),
        )
    )
