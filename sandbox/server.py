"""The sandbox over real sockets: a threading HTTP/1.1 server around `SandboxApp.handle`.

Keep-alive is on, so a client's `requests.Session` reuses one connection the way it would against PowerSchool.
Injected "no answer" faults hold the connection (until the hold ends or the server stops) and then close it;
"dropped after write" faults close it at once, after the write was committed.
"""

import contextlib
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from sandbox.faults import DroppedConnection, NoAnswer
from sandbox.http import Request

logger = logging.getLogger(__name__)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app, host, port):
        self.app = app
        self.stopping = threading.Event()
        super().__init__((host, port), SandboxRequestHandler)

    @property
    def base_url(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def shutdown(self):
        self.stopping.set()
        super().shutdown()


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle on, delayed ACKs would add ~40 ms to every answer.
    disable_nagle_algorithm = True
    server_version = "PowerSchool"
    sys_version = ""

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _serve(self):
        target = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request.build(self.command, target.path, target.query, dict(self.headers.items()), body)
        try:
            response = self.server.app.handle(request)
        except NoAnswer as fault:
            self.server.stopping.wait(fault.hold_s)
            self._drop()
            return
        except DroppedConnection:
            self._drop()
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _drop(self):
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may already have gone
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format, *args):
        logger.debug("%s - %s", self.address_string(), format % args)


def make_server(app, host="127.0.0.1", port=0):
    return SandboxHTTPServer(app, host, port)


def serve(app, host="127.0.0.1", port=8765, ready=None):
    """Serve until interrupted (Ctrl-C); `ready(server)` is called once the socket listens."""
    server = make_server(app, host, port)
    if ready is not None:
        ready(server)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    finally:
        server.server_close()


class SandboxServer:
    """Runs the HTTP server on a free port in a background thread for the length of a `with` block."""

    def __init__(self, app, host="127.0.0.1", port=0):
        self.app = app
        self.host = host
        self.port = port
        self.server = None
        self._thread = None

    def __enter__(self):
        self.server = make_server(self.app, self.host, self.port)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, name="powerschool-sandbox", daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self):
        return self.server.base_url

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
