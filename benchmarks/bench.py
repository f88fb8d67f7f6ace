"""Start-up and throughput benchmark for baclofen-dose.

Run from the repository root::

    python benchmarks/bench.py            # plain-text report
    python benchmarks/bench.py --json     # one JSON object
    python benchmarks/bench.py --quick    # 3 runs, short loops (a smoke test)

It measures, against the local checkout (subprocesses run with the repository root as their
working directory, so the local ``baclofen_dose`` package is imported):

1. the baseline: wall time of ``python -c "import pint"`` in a fresh interpreter;
2. ``import baclofen_dose`` and ``import baclofen_dose; baclofen_dose.plan_titration``;
3. a CLI cold start, ``python -m baclofen_dose titrate --start 2026-01-05 --target "60 mg/day"``;
4. in-process ``plan_titration`` calls per second, with string and with pint Quantity inputs;
5. per-plan time of ``to_json(plan)`` and ``table(plan)``.

Subprocess timings are medians over ``--runs`` runs, interleaved so that machine drift affects
every command alike, after one untimed warm-up round; 2 and 3 are also reported as ratios to the
baseline. Bytecode is cached for every module in a private temporary PYTHONPYCACHEPREFIX, so the
checkout is measured as if installed, even under PYTHONDONTWRITEBYTECODE (``--env-bytecode``
keeps the environment's setting instead); nothing is written into the working tree.

The targets (CLI cold start within 1.3 times the baseline; a plan well under 1 ms) are reported,
never enforced: the exit status is 0 however slow the machine is, and 1 only if a benchmarked
command fails.
Standard library only.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ratios import render as render_ratios

REPO_ROOT = Path(__file__).resolve().parent.parent

CLI_TARGET_RATIO = 1.3
"""The project's goal: CLI cold start within this multiple of the ``import pint`` baseline."""

PLAN_TARGET_US = 1000.0
"""The project's goal: a plan takes well under this many microseconds."""

PLAN_ATTENTION_US = 500.0
"""Above this, a plan is flagged as worth profiling."""

START = "2026-01-05"
CLI_ARGS = ("-m", "baclofen_dose", "titrate", "--start", START, "--target", "60 mg/day")

# (key, short label, interpreter arguments); the first entry is the baseline.
COMMANDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("import_pint", "import pint", ("-c", "import pint")),
    ("python_pass", "python -c pass", ("-c", "pass")),
    ("import_package", "import baclofen_dose", ("-c", "import baclofen_dose")),
    (
        "import_plan_titration",
        "... + baclofen_dose.plan_titration",
        ("-c", "import baclofen_dose; baclofen_dose.plan_titration"),
    ),
    ("cli_titrate", "CLI titrate (cold start)", CLI_ARGS),
)


def _shell_text(args: Sequence[str]) -> str:
    return "python " + " ".join(shlex.quote(a) for a in args)


# Variables that would change what a child interpreter does or prints about its imports.
_STRIPPED_ENV = ("PYTHONPROFILEIMPORTTIME", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONVERBOSE")


class BenchCommandError(Exception):
    """A benchmarked subprocess exited non-zero."""


@dataclass
class StartupResult:
    label: str
    command: str
    median_ms: float
    min_ms: float
    max_ms: float
    runs_ms: list[float]
    ratio_to_baseline: float | None = None
    ratio_to_python: float | None = None


@dataclass
class LoopResult:
    what: str
    calls: int
    seconds: float
    per_second: float
    mean_us: float


def _child_env(pycache: str | None) -> dict[str, str]:
    """The subprocess environment; with ``pycache``, bytecode is cached there for every module."""
    env = {k: v for k, v in os.environ.items() if k not in _STRIPPED_ENV}
    # The checkout, not some installed copy, must win; cwd is on sys.path for -c and -m anyway.
    pythonpath = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + pythonpath if pythonpath else "")
    if pycache is not None:
        # Installed packages (pint, attrs) ship .pyc files; with PYTHONDONTWRITEBYTECODE the
        # checkout would be recompiled on every run. A private prefix caches bytecode for all
        # modules alike without writing __pycache__ into the working tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _run_once(args: Sequence[str], env: dict[str, str]) -> float:
    """Wall time in seconds of one fresh interpreter running ``args``."""
    begin = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - begin
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace").strip()
        raise BenchCommandError(f"{_shell_text(args)} exited {done.returncode}: {stderr[-2000:]}")
    return elapsed


def measure_startup(runs: int, env: dict[str, str]) -> dict[str, StartupResult]:
    """Median wall time of each command, interleaved; one untimed warm-up round first."""
    for _, _, args in COMMANDS:  # warm the file cache and write any missing .pyc files
        _run_once(args, env)
    times: dict[str, list[float]] = {key: [] for key, _, _ in COMMANDS}
    for _ in range(runs):
        for key, _, args in COMMANDS:
            times[key].append(_run_once(args, env) * 1000.0)
    results: dict[str, StartupResult] = {}
    for key, label, args in COMMANDS:
        samples = times[key]
        results[key] = StartupResult(
            label=label,
            command=_shell_text(args),
            median_ms=statistics.median(samples),
            min_ms=min(samples),
            max_ms=max(samples),
            runs_ms=[round(t, 3) for t in samples],
        )
    baseline = results[COMMANDS[0][0]].median_ms
    bare = results["python_pass"].median_ms
    for key, _, _ in COMMANDS[1:]:
        results[key].ratio_to_baseline = results[key].median_ms / baseline
        results[key].ratio_to_python = results[key].median_ms / bare
    return results


def time_loop(what: str, func: Callable[[], object], seconds: float) -> LoopResult:
    """Call ``func`` repeatedly for about ``seconds`` (after a warm-up) and report its rate."""
    warm_until = time.perf_counter() + min(0.1, seconds / 4)
    func()
    while time.perf_counter() < warm_until:
        func()
    calls = 0
    batch = 1
    begin = time.perf_counter()
    deadline = begin + seconds
    now = begin
    while now < deadline:
        for _ in range(batch):
            func()
        calls += batch
        now = time.perf_counter()
        # Grow batches so that the clock is read rarely, but never overshoot by much.
        elapsed = now - begin
        if elapsed < seconds / 10:
            batch *= 2
    elapsed = now - begin
    return LoopResult(
        what=what,
        calls=calls,
        seconds=elapsed,
        per_second=calls / elapsed,
        mean_us=elapsed / calls * 1e6,
    )


def _load_package() -> ModuleType:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    package = importlib.import_module("baclofen_dose")
    origin = Path(package.__file__ or "").resolve()
    if REPO_ROOT not in origin.parents:
        raise BenchCommandError(f"imported baclofen_dose from {origin}, not from {REPO_ROOT}")
    return package


def measure_inprocess(seconds: float) -> dict[str, LoopResult]:
    bd = _load_package()
    ureg = bd.registry()
    quantity_target = 80 * ureg.milligram / ureg.day
    plan = bd.plan_titration(start=START, target="80 mg/day")

    def plan_str() -> object:
        return bd.plan_titration(start=START, target="80 mg/day")

    def plan_quantity() -> object:
        return bd.plan_titration(start=START, target=quantity_target)

    def to_json() -> object:
        return bd.to_json(plan)

    def table() -> object:
        return bd.table(plan)

    loops: list[tuple[str, str, Callable[[], object]]] = [
        ("plan_str", 'plan_titration(start=..., target="80 mg/day")', plan_str),
        ("plan_quantity", "plan_titration(start=..., target=80 * mg / day)", plan_quantity),
        ("to_json", "to_json(plan)  [80 mg/day plan]", to_json),
        ("table", "table(plan)    [80 mg/day plan]", table),
    ]
    return {key: time_loop(what, func, seconds) for key, what, func in loops}


def _git_revision() -> str | None:
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def run(runs: int, seconds: float, *, env_bytecode: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    if env_bytecode:
        startup = measure_startup(runs, _child_env(None))
        bytecode = "as the environment sets it" + (
            " (PYTHONDONTWRITEBYTECODE: the checkout is compiled on every run)"
            if os.environ.get("PYTHONDONTWRITEBYTECODE")
            else ""
        )
    else:
        with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
            startup = measure_startup(runs, _child_env(pycache))
        bytecode = "cached for every module (private PYTHONPYCACHEPREFIX)"
    loops = measure_inprocess(seconds)
    from ratios import run as run_ratios  # side-by-side ratios (benchmarks/ratios.py)

    side_by_side = run_ratios(rounds=3 if seconds < 0.5 else 7, seconds=min(seconds, 0.2))
    cli_ratio = startup["cli_titrate"].ratio_to_baseline
    assert cli_ratio is not None
    worst_plan_us = max(loops["plan_str"].mean_us, loops["plan_quantity"].mean_us)
    package = sys.modules["baclofen_dose"]
    return {
        "environment": {
            "python": sys.version.split()[0],
            "executable": sys.executable,
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpu_count": os.cpu_count(),
            "pint": _version("pint"),
            "baclofen_dose": str(package.__version__),
            "git": _git_revision(),
        },
        "settings": {"runs": runs, "loop_seconds": seconds, "bytecode": bytecode},
        "startup": {key: asdict(result) for key, result in startup.items()},
        "inprocess": {key: asdict(result) for key, result in loops.items()},
        "ratios": side_by_side,
        "targets": {
            "cli_ratio": cli_ratio,
            "cli_ratio_target": CLI_TARGET_RATIO,
            "cli_meets_target": cli_ratio <= CLI_TARGET_RATIO,
            "cli_ratio_to_python": startup["cli_titrate"].ratio_to_python,
            "plan_mean_us": worst_plan_us,
            "plan_target_us": PLAN_TARGET_US,
            "plan_meets_target": worst_plan_us < PLAN_TARGET_US,
            "plan_over_attention_us": worst_plan_us > PLAN_ATTENTION_US,
        },
        "elapsed_seconds": time.perf_counter() - started,
    }


def render_text(report: dict[str, Any]) -> str:
    env = report["environment"]
    settings = report["settings"]
    targets = report["targets"]
    lines = [
        "baclofen-dose benchmark",
        f"  python {env['python']} ({env['platform']}, {env['cpu_count']} CPUs)",
        f"  pint {env['pint']}; baclofen_dose {env['baclofen_dose']} (git {env['git']})",
        f"  {settings['runs']} runs per command; loops of about {settings['loop_seconds']:g} s",
        f"  bytecode: {settings['bytecode']}",
        "",
        "Start-up (fresh interpreter, wall time)   median ms   min ms   max ms   vs baseline"
        "   vs python -c pass",
    ]
    for result in report["startup"].values():
        ratio = result["ratio_to_baseline"]
        ratio_text = "baseline" if ratio is None else f"{ratio:5.2f}x"
        bare = result.get("ratio_to_python")
        bare_text = "" if bare is None else f"{bare:10.2f}x"
        lines.append(
            f"  {result['label']:<38} {result['median_ms']:9.1f} {result['min_ms']:8.1f}"
            f" {result['max_ms']:8.1f}   {ratio_text:<11}{bare_text}"
        )
    lines.append("  commands (cwd = repository root):")
    lines += [f"    {result['command']}" for result in report["startup"].values()]
    lines += ["", "In process                                        calls/s    mean/call"]
    for result in report["inprocess"].values():
        lines.append(
            f"  {result['what']:<46} {result['per_second']:9.0f} {result['mean_us']:9.1f} us"
        )
    verdict_cli = "meets" if targets["cli_meets_target"] else "DOES NOT meet"
    verdict_plan = "meets" if targets["plan_meets_target"] else "DOES NOT meet"
    lines += [
        "",
        "Targets (reported only; never an error)",
        f"  CLI cold start / import pint = {targets['cli_ratio']:.2f}x: {verdict_cli}"
        f" the {targets['cli_ratio_target']:g}x target"
        f" ({targets['cli_ratio_to_python']:.1f}x python -c pass)",
        f"  plan_titration mean = {targets['plan_mean_us']:.1f} us: {verdict_plan}"
        f" the {targets['plan_target_us']:.0f} us target"
        + (
            f" (above {PLAN_ATTENTION_US:.0f} us: worth profiling)"
            if targets["plan_over_attention_us"]
            else ""
        ),
        "",
        render_ratios(report["ratios"]).rstrip("\n"),
        "",
        f"Total benchmark time: {report['elapsed_seconds']:.1f} s",
    ]
    return "\n".join(lines) + "\n"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 3 runs and loops of about 0.2 s"
    )
    parser.add_argument(
        "--runs", type=_positive_int, help="fresh interpreters per command (default 15; quick 3)"
    )
    parser.add_argument(
        "--seconds",
        type=_positive_float,
        help="length of each in-process loop (default 1.0; quick 0.2)",
    )
    parser.add_argument(
        "--env-bytecode",
        action="store_true",
        help="keep the environment's bytecode settings instead of a private .pyc cache"
        " (with PYTHONDONTWRITEBYTECODE=1 the checkout is then compiled on every start)",
    )
    args = parser.parse_args(argv)
    runs = args.runs if args.runs is not None else (3 if args.quick else 15)
    seconds = args.seconds if args.seconds is not None else (0.2 if args.quick else 1.0)
    try:
        report = run(runs, seconds, env_bytecode=args.env_bytecode)
    except BenchCommandError as exc:
        print(f"bench.py: a benchmarked command failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        sys.stdout.write(render_text(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
