"""The receiver's limits, and decompression that can never inflate past one of them.

Every limit is a key of ``[[trace_sources]] kind = "otlp"`` (see :class:`ReceiverLimits` for the
defaults). :class:`Inflater` decompresses gzip or deflate *incrementally*, a chunk at a time,
asking zlib for at most ``limit + 1`` bytes of output per call, so a bomb (1 MiB of gzip that
inflates to 4 GiB) costs at most ``max_inflated_bytes`` of memory before it is refused with 413.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReceiverLimits:
    max_body_bytes: int = 64 * 1024 * 1024
    """Largest request body as sent (compressed or not); 413 past it."""
    max_inflated_bytes: int = 64 * 1024 * 1024
    """Largest body after gzip/deflate decompression; 413 past it (memory stays bounded)."""
    max_concurrent_requests: int = 64
    """Requests handled at once (HTTP and gRPC each); past it: 503 + ``Retry-After``."""
    header_timeout_s: float = 10.0
    """A new connection that has not sent a whole request head within this is closed."""
    body_timeout_s: float = 30.0
    """A body not fully received within this is answered 408 and the connection closed."""
    idle_timeout_s: float = 60.0
    """A keep-alive connection idle for this long is closed."""
    backlog: int = 1024
    """The listen backlog (the stdlib server had 5)."""
    retry_after_s: int = 1
    """The ``Retry-After`` sent with a 503."""

    @classmethod
    def from_config(cls, config: Any) -> ReceiverLimits:
        """The limits of an ``OtlpSourceConfig`` (keys it lacks keep their default)."""
        values = {
            name: getattr(config, name)
            for name in cls.__dataclass_fields__
            if getattr(config, name, None) is not None
        }
        return cls(**values)


class InflateError(ValueError):
    """The body is not valid gzip/deflate."""


class TooLarge(ValueError):
    """The body (or its inflated form) is over a limit."""


class Inflater:
    """Streaming decompression of one body with a cap on the inflated size."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.size = 0
        self._parts: list[bytes] = []
        self._d: Any = self._new() if encoding != "identity" else None
        self._first = True
        self._pending = b""

    def _new(self) -> Any:
        if self.encoding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is the zlib format (RFC 9110); some clients send raw deflate: auto-detect
        return zlib.decompressobj(zlib.MAX_WBITS)

    def _keep(self, out: bytes) -> None:
        self.size += len(out)
        if self.size > self.limit:
            raise TooLarge(f"inflated body over {self.limit} bytes")
        if out:
            self._parts.append(out)

    def feed(self, chunk: bytes) -> None:
        if self._d is None:
            self._keep(chunk)
            return
        if self._first and self.encoding == "deflate" and chunk:
            self._first = False
            # a zlib stream starts with CMF 0x78 (deflate, 32K window); anything else is raw
            if chunk[0] & 0x0F != 8 or (chunk[0] << 8 | (chunk[1] if len(chunk) > 1 else 0)) % 31:
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        data = chunk
        try:
            while data:
                if self._d.eof:
                    # gzip may have several members; anything after a deflate stream is junk
                    if self.encoding != "gzip":
                        raise InflateError("data after the end of the deflate stream")
                    data = self._d.unused_data + data if self._d.unused_data else data
                    self._d = self._new()
                out = self._d.decompress(data, self.limit - self.size + 1)
                self._keep(out)
                data = self._d.unconsumed_tail
                if self._d.eof and self._d.unused_data:
                    data = self._d.unused_data
                    if self.encoding != "gzip":
                        raise InflateError("data after the end of the deflate stream")
                    self._d = self._new()
        except zlib.error as exc:
            raise InflateError(f"body is not valid {self.encoding}: {exc}") from None

    def finish(self) -> bytes:
        if self._d is not None:
            try:
                self._keep(self._d.flush())
            except zlib.error as exc:
                raise InflateError(f"body is not valid {self.encoding}: {exc}") from None
            if not self._d.eof:
                raise InflateError(f"body is not valid {self.encoding}: truncated stream")
        return b"".join(self._parts)
