# HTTP/1.1 over the daemon's Unix socket, for the benchmark scripts (scale.py, soak.py).
import http.client, socket


class UnixConnection(http.client.HTTPConnection):
    """A keep-alive connection to the daemon listening on `socket_path`."""

    def __init__(self, socket_path):
        super().__init__("localhost")
        self.socket_path = socket_path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.socket_path)
