"""``python -m baclofen_dose`` runs the command-line tool."""

from baclofen_dose.cli import main

raise SystemExit(main())
