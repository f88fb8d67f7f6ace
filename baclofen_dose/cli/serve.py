"""``baclofen-dose serve``: run the CDS Hooks service (needs the ``[server]`` extra).

The server package is imported only when the command runs, so the rest of the tool works
without Starlette, uvicorn or PyJWT; without them ``serve`` says which extra to install.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from baclofen_dose.cli import options
from baclofen_dose.cli.oral import Command

__all__ = ["add_serve"]

_EXTRA = 'the service needs the server extra: pip install "baclofen-dose[server]"'


def add_serve(commands: Any) -> Command:
    """``serve``: the CDS Hooks service on a host and port."""
    serve = commands.add_parser(
        "serve",
        help="run the CDS Hooks service (order-select, order-sign, feedback)",
        description=(
            "Run the CDS Hooks 2.0 service. Every call must carry a JWT signed by an allowed "
            "issuer (--jwks, --issuer); --insecure-dev accepts unsigned calls for local "
            "development only and says so on every start."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    serve.add_argument("--port", type=_port, default=8080, help="the port (1 to 65535)")
    serve.add_argument("--jwks", help="the EHRs' public keys: a JWKS file or an https:// URL")
    serve.add_argument(
        "--issuer", action="append", default=[], metavar="ISS", help="an allowed JWT issuer"
    )
    serve.add_argument(
        "--audience",
        help="the service's own base URL, the JWT 'aud' (default http://HOST:PORT)",
    )
    serve.add_argument(
        "--insecure-dev",
        action="store_true",
        help="accept calls without a signed JWT (development only; never with patient data)",
    )
    serve.add_argument(
        "--lab-max-age-days",
        type=_days,
        help="the oldest creatinine, eGFR or weight used, in days (default: the rule "
        "interop.renal.lab_max_age)",
    )
    serve.add_argument(
        "--adolescent-policy",
        help="for orders of patients aged 12 to under 18 (default: weight_based; or "
        "us_adult_label)",
    )
    serve.add_argument("--feedback-log", help="append feedback to this JSON-lines file")
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="worker processes (default 1); with more than one, the JWT jti values seen are "
        "shared through an SQLite file in a private temporary folder, so a replay is refused "
        "by every worker",
    )
    serve.set_defaults(runner=_serve)
    return _serve


def _whole(text: str, low: int, high: int, what: str) -> int:
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what} from {low} to {high}")
    return int(text)


def _port(text: str) -> int:
    return _whole(text, 1, 65535, "a port number")


def _days(text: str) -> int:
    return _whole(text, 1, 3650, "a whole number of days")


def _workers(text: str) -> int:
    return _whole(text, 1, 64, "a number of worker processes")


def _serve(args: argparse.Namespace) -> str:
    try:
        import uvicorn

        from baclofen_dose.interop.hooks import HooksConfig
        from baclofen_dose.server import ServerConfig, create_app
        from baclofen_dose.server.app import CONFIG_ENVIRONMENT, config_to_environment
    except ImportError:
        raise options.UsageError(_EXTRA) from None
    audience = args.audience or f"http://{args.host}:{args.port}"
    # Worker processes share the jti store through a file in a private folder (removed when
    # the service stops); one process keeps it in memory.
    shared = args.workers > 1
    with (
        tempfile.TemporaryDirectory(prefix="baclofen-dose-serve-")
        if shared
        else contextlib.nullcontext("")
    ) as folder:
        try:
            config = ServerConfig(
                audience=audience,
                issuers=tuple(args.issuer),
                jwks=args.jwks,
                insecure_dev=args.insecure_dev,
                feedback_log=None if args.feedback_log is None else Path(args.feedback_log),
                hooks=HooksConfig(
                    lab_max_age_days=args.lab_max_age_days,
                    adolescent_policy=args.adolescent_policy,
                ),
                replay_store=Path(folder, "jti.sqlite3") if shared else None,
            )
            app = create_app(config)  # also checks the settings before any worker starts
        except (ValueError, OSError) as exc:
            raise options.UsageError(f"serve: {exc}") from None
        _warn(args)
        common: dict[str, Any] = {
            "host": args.host, "port": args.port, "log_level": "info", "server_header": False,
        }  # fmt: skip
        if not shared:
            uvicorn.run(app, **common)
        else:
            # Worker processes build their own app from the same settings (an app factory).
            os.environ[CONFIG_ENVIRONMENT] = config_to_environment(config)
            uvicorn.run(
                "baclofen_dose.server.app:app_from_environment",
                factory=True,
                workers=args.workers,
                **common,
            )
    return ""


def _warn(args: argparse.Namespace) -> None:
    if args.insecure_dev:
        print(
            "baclofen-dose serve: INSECURE DEV MODE: JWT verification is OFF; any caller is "
            "accepted. Never use this with real patient data.",
            file=sys.stderr,
        )
