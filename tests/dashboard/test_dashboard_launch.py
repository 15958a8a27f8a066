"""`crisislab dashboard` checks its address and port before the server starts: a bad host name,
an address of another machine or a port in use is one message and exit code 2, with no traceback
and no address printed as if the dashboard were running."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from crisislab.cli import main
from crisislab.dashboard import launch
from crisislab.dashboard.launch import check_address
from crisislab.errors import BadInput


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A localhost port another program is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test, rather than start a server, if the checks let the start-up through."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the server was started: {args}")

    monkeypatch.setattr(launch.subprocess, "Popen", refuse)


def _dashboard(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", *args])
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_a_free_localhost_port_passes_the_check():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    check_address("127.0.0.1", port)
    check_address("localhost", port)


def test_a_port_in_use_is_named(busy_port):
    with pytest.raises(BadInput, match=f"port {busy_port} on 127.0.0.1 is already in use"):
        check_address("127.0.0.1", busy_port)


@pytest.mark.parametrize("host", ["no-such-host.invalid", "bad host", "x" * 300, "[::1"])
def test_a_host_that_does_not_resolve_is_named(host):
    with pytest.raises(BadInput, match=r"--host: .* is not an address or a name") as raised:
        check_address(host, 8501)
    assert len(raised.value.problems) == 1


def test_an_address_of_another_machine_is_refused():
    with pytest.raises(BadInput, match=r"192\.0\.2\.1 is not an address of this machine"):
        check_address("192.0.2.1", 8501)  # TEST-NET-1: never a local address


def test_cli_bad_host_exits_2_with_one_line_and_no_address(capsys, no_server):
    code, out, err = _dashboard(capsys, "--host", "no-such-host.invalid")
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1  # the resolver's own words close it, e.g. "(Name or ...)"
    assert err.startswith(
        "error: --host: 'no-such-host.invalid' is not an address or a name this machine can "
        "resolve ("
    )
    assert "Traceback" not in err and "http://" not in err


def test_cli_port_in_use_exits_2_before_printing_the_address(capsys, no_server, busy_port):
    code, out, err = _dashboard(capsys, "--port", str(busy_port))
    assert code == 2
    assert out == ""
    assert err == (
        f"error: --port: port {busy_port} on 127.0.0.1 is already in use (another dashboard or "
        "program listens there); choose another with --port\n"
    )


def test_cli_address_of_another_machine_exits_2(capsys, no_server):
    code, out, err = _dashboard(capsys, "--host", "192.0.2.1")
    assert code == 2
    assert len(err.splitlines()) == 1 and "not an address of this machine" in err
    assert "http://" not in out + err
