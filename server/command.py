"""`assistant serve [--host 127.0.0.1] [--port N]`: the HTTP JSON API under uvicorn."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import sys

from assistant import AssistantError

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range (1-65535)")
    return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `assistant serve`."""
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bindable(host: str, port: int) -> None:
    """Fail with one line now if the address cannot be listened on, instead of a log later."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise AssistantError(f"cannot listen on {host}: not a known host name or address") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise AssistantError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; 2 with one line on stderr for a user error."""
    import uvicorn

    from server.app import create_app

    try:
        check_bindable(args.host, args.port)
        if not is_loopback(args.host):
            log.warning("listening on %s: other machines can reach this API, which has no authentication",
                        args.host)
            print(f"assistant: warning: listening on {args.host}, reachable from other machines; "
                  "the API has no authentication", file=sys.stderr)
        app = create_app(args.index)
    except AssistantError as exc:
        print(f"assistant: {exc}", file=sys.stderr)
        return 2
    print(f"serving on http://{args.host}:{args.port} (OpenAPI at /docs and /openapi.json)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info" if args.verbose else "warning")
    return 0
