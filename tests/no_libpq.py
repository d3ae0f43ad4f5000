"""Run a program on this machine as if PostgreSQL's client library (libpq) were not installed.

In a mount namespace of its own (``unshare --mount``; nothing outside it changes), every libpq file
the loader's cache names is covered by an empty file, and the cache is rebuilt without them: what
``ldconfig -p`` lists, and so psycopg's ``ctypes.util.find_library("pq")``, has every other
library but no libpq, and nothing could load one. That is a machine without Debian's libpq5.

Linux only; needs root or unprivileged user namespaces (CI runs as root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = r"""
set -eu
work=$1; shift
callers_path=${PATH-}
PATH=/usr/sbin:/usr/bin:/sbin:/bin  # the caller's may be empty (the frozen tests' bare user)
for lib in $(/sbin/ldconfig -p | sed -n 's/^[[:space:]]*libpq\.so[^ ]* (.*) => //p' | sort -u); do
    mount --bind /dev/null "$(readlink -f "$lib")"
done
# ldconfig's own cache of what it read stays in the namespace too.
if [ -d /var/cache/ldconfig ]; then mkdir -p "$work/aux"; mount --bind "$work/aux" /var/cache/ldconfig; fi
/sbin/ldconfig -X -C "$work/ld.so.cache" 2>/dev/null
mount --bind "$work/ld.so.cache" /etc/ld.so.cache
if /sbin/ldconfig -p | grep -q 'libpq\.so'; then echo "libpq is still listed" >&2; exit 97; fi
export PATH="$callers_path"
exec "$@"
"""


class CannotHideError(Exception):
    """This machine cannot run a program without libpq (no unshare, or namespaces not allowed)."""


def without_libpq(work: Path) -> list[str]:
    """The command prefix that runs the command after it where libpq is not installed."""
    unshare, sh = shutil.which("unshare"), shutil.which("sh")
    if unshare is None or sh is None or not Path("/sbin/ldconfig").exists():
        raise CannotHideError("no unshare or /sbin/ldconfig (util-linux, libc-bin)")
    work.mkdir(parents=True, exist_ok=True)
    script = work / "without-libpq.sh"
    script.write_text(SCRIPT, encoding="utf-8")
    prefix = [unshare, "--mount", *([] if os.geteuid() == 0 else ["--map-root-user"]), sh, str(script), str(work)]
    probe = subprocess.run([*prefix, sh, "-c", "true"], capture_output=True, text=True, check=False, timeout=60)
    if probe.returncode != 0:
        raise CannotHideError(f"unshare --mount failed: {probe.stderr.strip() or probe.returncode}")
    return prefix
