"""``--plot FILE.png`` for titrate and taper (issue 14): the dose ladder and the PK education
curves, drawn by render/plots.py (the ``[plot]`` extra).

The curve uses the patient's creatinine clearance (Cockcroft-Gault from ``--age``, ``--sex``,
``--weight`` and ``--scr``) when the patient is given, else the reference kidney function; a
second curve at 30 mL/min shows the longer half-life. Nothing about the patient is filled in: a
patient given without what Cockcroft-Gault needs is refused, as the plan itself would be, and
the education model has no dialysis clearance, so a patient on dialysis gets no curve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from baclofen_dose.cli import options
from baclofen_dose.core.errors import InputError

if TYPE_CHECKING:
    from baclofen_dose.core.rules import RuleSet
    from baclofen_dose.oral.patient import Patient

__all__ = ["add_plot", "plot"]


def add_plot(parser: Any) -> None:
    """Add ``--plot FILE`` to a subcommand's parser."""
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also draw the dose ladder and an educational concentration curve (not for drug "
        "monitoring) to this PNG, SVG or PDF file ([plot] extra)",
    )


def plot(path: str, plan: Any, rules: RuleSet, patient: Patient | None) -> None:
    """Draw ``plan`` to ``path``; a file that cannot be written is bad input (exit 2)."""
    from baclofen_dose.render import plots

    crcl = None
    if patient is not None:
        if patient.dialysis:
            raise options.UsageError(
                "--plot: no concentration curve for a patient on dialysis (--dialysis): the "
                "education model has no dialysis clearance"
            )
        from baclofen_dose.oral.renal import cockcroft_gault

        crcl = cockcroft_gault(patient, rules=rules).value
    try:
        plots.draw_plan(plan, path, crcl=crcl, rules=rules)
    except InputError as exc:
        if exc.field == "path":
            raise options.UsageError(f"--plot: {exc.value!r}: expected {exc.expected}") from None
        raise
    except ImportError as exc:  # pragma: no cover - the [plot] extra is in the test extra
        raise options.UsageError(
            f'--plot: matplotlib is not installed (pip install "baclofen-dose[plot]"): {exc}'
        ) from None
    except OSError as exc:
        raise options.UsageError(f"--plot: cannot write {path!r}: {exc.strerror}") from None
