"""`bash scripts/run.sh`, the README's first command, run for real: it says what it does
(installing, indexing N articles, serving at URL) without pip's messages, library
warnings or progress bars, serves the page on 127.0.0.1 only, and a second start
says the index is up to date instead of "added 0".
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from corpus import DEFAULT_CORPUS
from corpus.sources import article_files

ROOT = Path(__file__).resolve().parents[2]
NOISE = ("WARNING", "Warning", "warning:", "Traceback", "%|", "it/s", "sent/s", "added 0", "pip", "You can now view")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """The local IPv4/IPv6 addresses listening on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, 32, 8))
                    found.add(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def start(port: int, env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    """run.sh started in its own process group; (process, what it printed once the page answered)."""
    out = log.open("w")
    process = subprocess.Popen(["bash", "scripts/run.sh", "--port", str(port)], cwd=ROOT, env=env, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"run.sh stopped ({process.returncode}): {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    break
        except OSError:
            time.sleep(0.5)
    else:
        stop(process)
        pytest.fail(f"the page did not answer: {log.read_text()[-3000:]}")
    return process, log.read_text()


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.mark.timeout(1500)
def test_first_and_second_run_say_what_they_do_and_serve_this_machine_only(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "ASSISTANT_INDEX": str(tmp_path / "index"), "PYTHONUNBUFFERED": "1"}
    process, first = start(port, env, tmp_path / "first.log")
    try:
        assert listening_addresses(port) == {"127.0.0.1"}
    finally:
        stop(process)
    lines = first.strip().splitlines()
    n = len(article_files(DEFAULT_CORPUS))
    assert lines[0].startswith(("Installing the dependencies into .venv", "Dependencies: already installed"))
    assert lines[1] == f"Indexing {n} articles from corpus/seeds (new or changed ones are embedded)"
    assert lines[2].startswith("Index ready (embedded ") and f"of {n} articles): {n} articles, " in lines[2]
    assert lines[3] == f"Serving the chat page at http://127.0.0.1:{port} (this machine only; Ctrl+C stops it)"
    assert len(lines) == 4, first
    assert not [n for n in NOISE if n in first], first

    process, second = start(port, env, tmp_path / "second.log")
    stop(process)
    assert "Dependencies: already installed in .venv" in second
    assert f"Index ready (already up to date): {n} articles" in second
    assert not [n for n in NOISE if n in second], second
