"""The API started for real: uvicorn on a free 127.0.0.1 port, in a thread, over a private
copy of the seed index for each test module (never index/built)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from server import create_app


@dataclass
class LiveServer:
    url: str
    index: Path
    client: httpx.Client


def free_socket() -> socket.socket:
    """A listening-ready socket on a port the OS picked, so no other process can take it first."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def serve(index: Path, **options) -> Iterator[LiveServer]:
    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(index, **options), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=120) as client:
        yield LiveServer(url, index, client)
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture(scope="module")
def api_index(copy_seed_index) -> Path:
    """A private copy of the seed index per module: the API tests ingest into it."""
    return copy_seed_index("api-index")


@pytest.fixture(scope="module")
def api(api_index: Path) -> Iterator[LiveServer]:
    yield from serve(api_index, max_body_bytes=2 * 1024 * 1024)
