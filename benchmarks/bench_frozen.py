"""The frozen bundle: window up from the bundle beside a bare PySide6 window; bundle and archive size.

Needs a bundle: `python3 dev.py package` first (dist/ptassist, or $PTASSIST_BUNDLE). Start-up is
`ptassist --smoke-test` from the bundle on the 1,000-patient demo database, timed from spawning the
process to its 'ptassist-login-screen' line (the first window: the login screen, taking input) and
to its 'ptassist-ready' line (after a login from PTASSIST_USER / PTASSIST_PASSWORD: the main window
with its patient list), beside a bare PySide6 window and the app from the venv, both started the
same way in the same run. Wall time and CPU time (median of several runs, with their spread).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
from pathlib import Path

from bench_store import _demo
from bench_ui import BARE_WINDOW, BENCH_PASSWORD, BENCH_USER, _with_login, seconds_to
from harness import Figure, figure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dev import folder_bytes  # noqa: E402 - the size `dev.py package` prints, as `du -sb` counts it


def cpu_to_ready(command: list[str], env: dict[str, str], mark: str = "ptassist-ready") -> float:
    """CPU seconds (every thread, user and system) the process has used when it prints ``mark``.

    On a busy machine the wall time to the window swings with what else runs; the CPU the start
    costs does not. The process is stopped as its line arrives and its threads' run times read
    from /proc (Linux), so what it does after the mark is hardly counted.
    """
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        assert process.stdout is not None
        spent = None
        for line in process.stdout:
            if spent is None and line.startswith(mark):
                os.kill(process.pid, signal.SIGSTOP)
                tasks = Path(f"/proc/{process.pid}/task").iterdir()
                spent = sum(int((task / "schedstat").read_text().split()[0]) for task in tasks) / 1e9
                os.kill(process.pid, signal.SIGCONT)
        process.wait()
    if spent is None:
        raise RuntimeError(f"{command[0]} printed no {mark} line")
    return spent


def run(quick: bool) -> list[Figure]:
    bundle = Path(os.environ.get("PTASSIST_BUNDLE", ROOT / "dist" / "ptassist"))
    if not (bundle / "ptassist").is_file():
        raise SystemExit(f"bench_frozen: no bundle at {bundle}; build it with `python3 dev.py package`")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PTASSIST_USER": BENCH_USER,
           "PTASSIST_PASSWORD": BENCH_PASSWORD}
    data = _with_login(_demo(1_000)[0])
    repeats = 3 if quick else 9
    frozen_command = [str(bundle / "ptassist"), "--data-dir", str(data), "--smoke-test"]
    venv_command = [sys.executable, "-m", "ptassist", "--data-dir", str(data), "--smoke-test"]
    bare_command = [sys.executable, "-c", BARE_WINDOW]
    seconds_to(frozen_command, env, "ptassist-ready")  # warm-up: the file cache, and the day's backup
    frozen, login, venv, bare = [], [], [], []
    for _ in range(repeats):  # interleaved, so a busy moment on the machine hits all three alike
        screen, ready = seconds_to(frozen_command, env, "ptassist-login-screen", "ptassist-ready")
        login.append(screen)
        frozen.append(ready)
        venv.append(seconds_to(venv_command, env, "ptassist-ready")[0])
        bare.append(seconds_to(bare_command, env, "ptassist-ready")[0])
    frozen_cpu, login_cpu, bare_cpu = [], [], []
    if sys.platform.startswith("linux"):
        for _ in range(repeats):
            login_cpu.append(cpu_to_ready(frozen_command, env, "ptassist-login-screen"))
            frozen_cpu.append(cpu_to_ready(frozen_command, env))
            bare_cpu.append(cpu_to_ready(bare_command, env))
    window_up = statistics.median(frozen)
    login_ratios = sorted(f / b for f, b in zip(login, bare, strict=True))
    ratios = sorted(f / b for f, b in zip(frozen, bare, strict=True))
    spread = (f"{repeats} interleaved runs: frozen {min(frozen):.3f}-{max(frozen):.3f} s, bare {min(bare):.3f}-"
              f"{max(bare):.3f} s, ratio within a run {ratios[0]:.2f}-{ratios[-1]:.2f} (median "
              f"{statistics.median(ratios):.2f})")
    figures = [
        figure("frozen.login_screen (first window)", statistics.median(login), "s", 5,
               floor=statistics.median(bare), max_ratio=2,
               floor_note="a bare PySide6 window started from the venv's Python the same way",
               note=f"the bundle's first window, the login screen taking input; {repeats} interleaved runs: "
                    f"frozen {min(login):.3f}-{max(login):.3f} s, bare {min(bare):.3f}-{max(bare):.3f} s, "
                    f"ratio within a run {login_ratios[0]:.2f}-{login_ratios[-1]:.2f}"),
        *([figure("frozen.login_screen CPU", statistics.median(login_cpu), "s", 5,
                  floor=statistics.median(bare_cpu), max_ratio=2,
                  floor_note="the bare PySide6 window's CPU to its mark, same runs",
                  note=f"CPU time (all threads) to the login screen; {repeats} runs, frozen "
                       f"{min(login_cpu):.3f}-{max(login_cpu):.3f} s")] if login_cpu else []),
        figure("frozen.window_up (1,000 patients)", window_up, "s", 10, floor=statistics.median(bare), max_ratio=2,
               floor_note="a bare PySide6 window started from the venv's Python the same way",
               note="the bundle's `ptassist --smoke-test`: logged in, main window up with its patient list; "
                    + spread),
        figure("frozen.window_up vs the venv app", window_up, "s", 10, floor=statistics.median(venv),
               floor_note="`python -m ptassist --smoke-test` from the venv, same data, same runs",
               note="what freezing costs or saves at start-up"),
        *([figure("frozen.window_up CPU (1,000 patients)", statistics.median(frozen_cpu), "s", 10,
                  floor=statistics.median(bare_cpu), max_ratio=2,
                  floor_note="the bare PySide6 window's CPU to its mark, same runs",
                  note=f"CPU time (all threads) to the same mark: the start's cost without the machine's load; "
                       f"{repeats} runs, frozen {min(frozen_cpu):.3f}-{max(frozen_cpu):.3f} s, bare "
                       f"{min(bare_cpu):.3f}-{max(bare_cpu):.3f} s")] if frozen_cpu else []),
        # MB = 10^6 bytes, as the goal is stated; MiB beside it in the note.
        figure("frozen.bundle_size", folder_bytes(bundle) / 1e6, "MB", 150,
               note=f"{bundle.relative_to(ROOT) if bundle.is_relative_to(ROOT) else bundle}, every file "
                    f"(as `du -sb`): {folder_bytes(bundle) / 2**20:.1f} MiB"),
    ]
    archives = sorted((bundle.parent).glob("ptassist-*.tar.gz")) + sorted(bundle.parent.glob("ptassist-*.zip"))
    if archives:
        size = archives[-1].stat().st_size
        figures.append(figure("frozen.archive_size", size / 1e6, "MB", 100,
                              note=f"{archives[-1].name}: {size / 2**20:.1f} MiB"))
    return figures
