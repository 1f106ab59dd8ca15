"""Start ``phoenix serve`` with its gRPC OTLP receiver bound to 127.0.0.1 only.

Phoenix binds gRPC on ``[::]:PORT`` (every interface) with no setting to change it; this
launcher rewrites the address given to grpc.aio's ``add_insecure_port``/``add_secure_port``
before Phoenix starts. HTTP already honours PHOENIX_HOST. Used by scripts/services/phoenix.sh.
"""

from __future__ import annotations

import sys

import grpc.aio._server as grpc_server

_WILDCARDS = ("[::]:", "0.0.0.0:", ":")


def _loopback(address: str) -> str:
    for prefix in _WILDCARDS:
        if address.startswith(prefix):
            return "127.0.0.1:" + address[len(prefix) :]
    return address


_insecure = grpc_server.Server.add_insecure_port
_secure = grpc_server.Server.add_secure_port


def _add_insecure_port(self: grpc_server.Server, address: str) -> int:
    return _insecure(self, _loopback(address))


def _add_secure_port(self: grpc_server.Server, address: str, credentials: object) -> int:
    return _secure(self, _loopback(address), credentials)  # type: ignore[arg-type]


grpc_server.Server.add_insecure_port = _add_insecure_port  # type: ignore[method-assign]
grpc_server.Server.add_secure_port = _add_secure_port  # type: ignore[method-assign]

if __name__ == "__main__":
    from phoenix.server.main import main

    sys.argv = ["phoenix", "serve", *sys.argv[1:]]
    sys.exit(main())
