"""The local Label Studio launcher without a server: port probing and what goes on the command line."""

from __future__ import annotations

import socket

from newsgold.annotation.server import free_port, port_is_free


def test_a_port_in_time_wait_is_free_and_a_listening_one_is_not() -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    assert not port_is_free("127.0.0.1", port)  # really taken
    assert free_port("127.0.0.1", port)[1] is True  # moved, and says so
    accepted.close()  # the server side closes first: its port goes to TIME_WAIT
    listener.close()
    client.close()
    assert port_is_free("127.0.0.1", port)  # as a server binds (SO_REUSEADDR), TIME_WAIT is no obstacle
    assert free_port("127.0.0.1", port) == (port, False)
