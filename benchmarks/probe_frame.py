"""First full frame from a shell: `support24` and a bare Textual app, each a real process in a pty.

Each run starts the program in a fresh pseudo-terminal of the given size (TERM=xterm-256color,
a fresh XDG_CONFIG_HOME) with SUPPORT24_FIRST_FRAME=FILE; the app writes the CLOCK_MONOTONIC time
of its first settled, painted frame to FILE and exits (screens/shell/first_frame.py). The
figure is that time minus the time just before the process was spawned: interpreter start,
imports, database open, first screen with its data, and its frame written to the terminal.
Runs alternate between the two programs so both see the same load; the median is reported.

`python -m benchmarks.probe_frame --database URL [--data-dir DIR] [--runs 7] [--size 120x40]`
prints one JSON document.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ENV = "SUPPORT24_FIRST_FRAME"
LIMIT_SECONDS = 120.0


def support24_argv(database: str, data_dir: str | None) -> list[str]:
    script = Path(sys.executable).with_name("support24")
    argv = [sys.executable, str(script), "--database", database]
    return argv + (["--data-dir", data_dir] if data_dir else [])


def bare_argv() -> list[str]:
    return [sys.executable, str(HERE / "probe_bare.py")]


def _controlling_tty() -> None:  # in the child, after setsid: the pty becomes its terminal
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def spawn(argv: list[str], size: tuple[int, int], config_dir: Path) -> dict[str, Any]:
    """One run: seconds to the first full frame and the peak resident set at that moment."""
    columns, rows = size
    with tempfile.TemporaryDirectory(prefix="s24-frame-") as scratch:
        mark = Path(scratch) / "frame.json"
        # An installed console has its bytecode compiled (pip does it); PYTHONDONTWRITEBYTECODE
        # would compile every module of the project from source at every start.
        skip = ("TEXTUAL", "NO_COLOR", "SUPPORT24_", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
        # A fresh config folder found the way a user's is (platformdirs under XDG_CONFIG_HOME).
        env.update(TERM="xterm-256color", COLORTERM="truecolor", XDG_CONFIG_HOME=str(config_dir))
        env[ENV] = str(mark)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        began = time.monotonic()
        process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=_controlling_tty,
            close_fds=True,
        )
        os.close(slave)
        written = bytearray()
        try:
            deadline = began + LIMIT_SECONDS
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # EIO: the child closed the terminal
                        break
                    if not chunk:
                        break
                    written += chunk[-4096:]
                elif process.poll() is not None:
                    break
            else:
                process.kill()
        finally:
            os.close(master)
            code = process.wait(timeout=30)
        if not mark.exists():
            tail = written[-600:].decode("utf-8", "replace")
            raise RuntimeError(f"{Path(argv[1]).name} exited {code} without a first frame: {tail!r}")
        line = json.loads(mark.read_text(encoding="utf-8").splitlines()[0])
    return {
        "seconds": line["monotonic"] - began,
        "cpu_s": line["cpu"],
        "vmhwm_kib": line["vmhwm_kib"],
        "screen": line["screen"],
    }


def compare(database: str, data_dir: str | None, runs: int, size: tuple[int, int]) -> dict[str, Any]:
    """Alternate bare and console runs; medians and every sample."""
    config_dir = Path(tempfile.mkdtemp(prefix="s24-frame-config-"))
    try:
        samples: dict[str, list[dict[str, Any]]] = {"bare": [], "console": []}
        spawn(bare_argv(), size, config_dir)  # warm the file cache for both
        spawn(support24_argv(database, data_dir), size, config_dir)
        for _ in range(runs):
            samples["bare"].append(spawn(bare_argv(), size, config_dir))
            samples["console"].append(spawn(support24_argv(database, data_dir), size, config_dir))
    finally:
        shutil.rmtree(config_dir, ignore_errors=True)
    result: dict[str, Any] = {"size": f"{size[0]}x{size[1]}", "runs": runs}
    for name, items in samples.items():
        result[name] = {
            "median_s": statistics.median(s["seconds"] for s in items),
            "min_s": min(s["seconds"] for s in items),
            "max_s": max(s["seconds"] for s in items),
            "cpu_median_s": statistics.median(s["cpu_s"] for s in items),
            "vmhwm_kib": statistics.median(s["vmhwm_kib"] for s in items),
            "screen": items[0]["screen"],
            "samples_s": [round(s["seconds"], 4) for s in items],
        }
    result["ratio"] = result["console"]["median_s"] / result["bare"]["median_s"]
    result["loadavg"] = os.getloadavg()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe_frame")
    parser.add_argument("--database", required=True)
    parser.add_argument("--data-dir")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    columns, rows = (int(n) for n in args.size.split("x"))
    print(json.dumps(compare(args.database, args.data_dir, args.runs, (columns, rows)), indent=1))


if __name__ == "__main__":
    main()
