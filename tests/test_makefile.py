"""``make run`` as a newcomer uses it: Ctrl-C stops the server, the mail catcher and the
outbox worker, quietly, with nothing left running."""

from __future__ import annotations

import os
import pty
import shutil
import signal
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _read_all(fd: int, seconds: float) -> bytes:
    out, end = b"", time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_ctrl_c_ends_make_run_quietly_and_stops_every_job(tmp_path: Path) -> None:
    # Stand-ins for the three programs: each records its pid and waits.
    pids = tmp_path / "pids"
    pids.mkdir()
    for name in ("python", "flask"):
        stub = tmp_path / name
        stub.write_text(f'#!/bin/sh\necho $$ > "{pids}/$$"\nexec sleep 60\n')
        stub.chmod(0o755)
    child, fd = pty.fork()
    if child == 0:  # the terminal's foreground job, as when typed at a prompt
        os.chdir(ROOT)
        for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # not a sub-make of `make test`
            os.environ.pop(name, None)
        os.execvp("make", ["make", "-s", "-o", "seed", "run",  # noqa: S606 - no shell wanted
                           f"BIN={tmp_path}", f"FLASK={tmp_path}/flask"])
    deadline = time.monotonic() + 10
    while len(list(pids.iterdir())) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(list(pids.iterdir())) == 3, "the three jobs did not start"
    os.write(fd, b"\x03")  # Ctrl-C
    output = _read_all(fd, 5).decode(errors="replace")
    os.waitpid(child, 0)
    assert "***" not in output and "Segmentation fault" not in output, output
    # The jobs get their signal at once, but on a busy machine they may take a moment to go.
    deadline = time.monotonic() + 10
    while True:
        left = [int(entry.name) for entry in pids.iterdir() if _running(int(entry.name))]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], "jobs still running after Ctrl-C"


def _running(pid: int) -> bool:
    """Alive and not a zombie (an ended job waits for init to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"
