"""``python -m baclofen_dose`` runs the command-line tool."""

from .cli import main

raise SystemExit(main())
