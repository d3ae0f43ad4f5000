"""The frozen bundle's entry point: the same command line as ``python -m ptassist``."""

import sys

from ptassist.cli import main

if __name__ == "__main__":
    sys.exit(main())
