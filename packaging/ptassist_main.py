"""The frozen bundle's entry point: the same command line as ``python -m ptassist``.

``ptassist --bundle-check ...`` (first argument only) runs the checks the frozen-bundle tests ask
the bundle itself (``bundle_check.py``); it is not part of the app's command line.
"""

import sys


def _skip_feature_source_scan() -> None:
    """PySide6 looks for ``from __feature__ import ...`` in every module imported after it, by
    reading the module's source (inspect.getsource), once per module: about 60 modules before the
    window is up. In the bundle there is no source to read, ptassist uses no ``__feature__``, and
    a module found without source is marked the same way ("does not use PySide"), so the answer
    is given at once. PySide6 is already loaded here (PyInstaller's runtime hook imports it)."""
    feature = sys.modules.get("PySide6.support.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = lambda _module: False


if __name__ == "__main__":
    _skip_feature_source_scan()
    if sys.argv[1:2] == ["--bundle-check"]:
        from bundle_check import main as bundle_check

        sys.exit(bundle_check(sys.argv[2:]))
    from ptassist.cli import main

    sys.exit(main())
