"""Starting the dashboard: `streamlit run` on the app file, bound to localhost by default."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from crisislab.dashboard.state import MAX_UPLOAD_MB

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


def serve(host: str = "127.0.0.1", port: int = 8501) -> int:
    """Run the dashboard until interrupted (Ctrl+C or SIGTERM); return the exit code."""
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
