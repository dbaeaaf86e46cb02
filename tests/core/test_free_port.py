"""``deskframe.testing.free_port`` hands out ports an outgoing connection cannot take: below the
kernel's ephemeral range, where connect() never picks a local port, so a test server's bind
cannot lose a race against a database client or curl (a CI failure: the README example's server
got a port from the ephemeral range and never came up)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from deskframe.testing import free_port

RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


@pytest.mark.skipif(not RANGE.exists(), reason="Linux's ephemeral port range only")
def test_ports_come_from_below_the_ephemeral_range() -> None:
    low = int(RANGE.read_text(encoding="ascii").split()[0])
    ports = {free_port() for _ in range(20)}
    assert all(1024 <= port < low for port in ports), ports
    assert len(ports) > 1  # drawn at random, so parallel test processes rarely meet


def test_the_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
