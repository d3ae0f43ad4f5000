"""The frozen bundle's entry point: the same command line as ``python -m ptassist``.

``ptassist --bundle-check ...`` (first argument only) runs the checks the frozen-bundle tests ask
the bundle itself (``bundle_check.py``); it is not part of the app's command line.
"""

import sys

from ptassist.cli import main

if __name__ == "__main__":
    if sys.argv[1:2] == ["--bundle-check"]:
        from bundle_check import main as bundle_check

        sys.exit(bundle_check(sys.argv[2:]))
    sys.exit(main())
