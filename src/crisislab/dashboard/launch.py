"""Starting the dashboard: `streamlit run` on the app file, bound to localhost by default.

Before the server starts, `check_address` tries the address and port the way the server will bind
them, so that a name that does not resolve, an address of another machine or a port in use is one
clear message (exit 2) rather than the server's traceback after its address has been printed.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from crisislab.dashboard.state import MAX_UPLOAD_MB
from crisislab.errors import BadInput, Problem

APP = Path(__file__).with_name("app.py")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
STOP_WAIT_SECONDS = 10


def streamlit_command(host: str = "127.0.0.1", port: int = 8501) -> list[str]:
    """The command line that serves the dashboard on host:port, headless, with no telemetry."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        str(MAX_UPLOAD_MB),
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]


def url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def stop(process: subprocess.Popen) -> int:
    """Ask the server to stop, then insist; return its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


def _problem(option: str, message: str) -> BadInput:
    return BadInput([Problem(option, "", message)])


def check_address(host: str, port: int) -> None:
    """Raise BadInput unless the dashboard can listen on host:port now.

    Binds a socket as the server will (IPv6 for an address with a colon, IPv4 otherwise, address
    reuse on) and closes it again: a name that does not resolve, an address of another machine, a
    port in use or a port that needs privileges is reported before anything starts.
    """
    if not 0 < port < 65536:
        raise _problem("--port", f"{port} is not a port number (1 to 65535)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        raise _problem(
            "--host", f"{host}: this machine has no {family.name} networking ({exc.strerror})"
        ) from None
    try:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind((host, port))
    except socket.gaierror as exc:
        raise _problem(
            "--host",
            f"{host!r} is not an address or a name this machine can resolve ({exc.strerror})",
        ) from None
    except (UnicodeError, ValueError) as exc:
        raise _problem("--host", f"{host!r} is not an address or a host name ({exc})") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = (
                f"port {port} on {host} is already in use (another dashboard or program listens "
                "there); choose another with --port"
            )
            raise _problem("--port", message) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise _problem(
                "--host",
                f"{host} is not an address of this machine, so the dashboard cannot listen on it",
            ) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise _problem(
                "--port",
                f"not allowed to listen on port {port} (ports below 1024 usually need "
                "administrator rights); choose another with --port",
            ) from None
        raise _problem("--host", f"cannot listen on {url(host, port)}: {exc.strerror}") from None
    finally:
        sock.close()


def serve(host: str = "127.0.0.1", port: int = 8501) -> int:
    """Run the dashboard until interrupted (Ctrl+C or SIGTERM); return the exit code.

    Raises BadInput, before anything starts or is printed, if it cannot listen on host:port.
    """
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]  # an IPv6 address as written in a URL
    check_address(host, port)
    if host not in LOOPBACK:
        print(
            f"note: listening on {host}: anyone who can reach this address can use the dashboard",
            file=sys.stderr,
        )
    print(f"crisislab dashboard: {url(host, port)} (Ctrl+C stops it)", file=sys.stderr)
    process = subprocess.Popen(streamlit_command(host, port))

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        stop(process)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            stop(process)
    return code if code >= 0 else 128 - code
