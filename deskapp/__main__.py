"""`python -m deskapp` runs the same command as the `deskapp` script."""

from deskapp.cli import main

raise SystemExit(main())
