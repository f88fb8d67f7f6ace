"""Mutation-testing gate (SAF-34): run mutmut on the limit code and enforce the kill rate.

Run from the repository root (``.ci/run`` does): ``python tools/mutation_gate.py``.
It runs ``mutmut run`` over the files in ``[tool.mutmut] paths_to_mutate`` with the tests in
``tests_dir`` (see pyproject.toml), exports mutmut's CI statistics, prints the kill rate and
every surviving mutant, and exits 1 when the kill rate is below ``--threshold`` (default 90%)
or when a mutant survives that ``tests/data/equivalent_mutants.toml`` does not list with the
reason it is equivalent. Standard library plus mutmut.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tests" / "data" / "equivalent_mutants.toml"


def _run(*args: str) -> str:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
        raise SystemExit(f"mutation gate: {' '.join(args)} failed ({done.returncode})")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--threshold", type=float, default=90.0)
    args = parser.parse_args()
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    _run(sys.executable, "-m", "mutmut", "run")
    _run(sys.executable, "-m", "mutmut", "export-cicd-stats")
    stats = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    total = stats["total"]
    killed = stats["killed"]
    rate = 100.0 * killed / total if total else 0.0
    survivors = [
        line.split(":")[0].strip()
        for line in _run(sys.executable, "-m", "mutmut", "results").splitlines()
        if line.strip() and not line.strip().endswith("killed")
    ]
    equivalent = tomllib.loads(EQUIVALENT.read_text()).get("equivalent", {})
    unexplained = [name for name in survivors if name not in equivalent]
    print(
        f"mutation testing: {killed} of {total} mutants killed ({rate:.1f}%), threshold "
        f"{args.threshold:g}%; {len(survivors)} survived, {len(unexplained)} unexplained"
    )
    for name in survivors:
        why = equivalent.get(name)
        print(f"  survived: {name}" + (f" (equivalent: {why})" if why else ""))
    if rate < args.threshold or unexplained:
        print("mutation gate: FAILED")
        return 1
    print("mutation gate: passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
