"""``python -m ptassist`` runs the command line (and, with no command, the desktop app)."""

import sys

from ptassist.cli import main

sys.exit(main())
