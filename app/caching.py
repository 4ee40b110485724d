"""Caches that are never stale: a value is kept with the generation of what it was made from.

Whatever changes a cached thing (a user's role, a class's progress, a certificate's
revocation) bumps that thing's generation after its commit; a lookup compares the generation
it stored with the current one and rebuilds on a difference. Generations are shared by every
process that could serve the thing: a file mapped into memory in the instance folder (every
gunicorn worker, `flask` commands on the same host: a read is a memory access), or Redis when
REDIS_URL is set (several hosts: one GET per lookup). The values themselves live in each
process, in a bounded dict.

Order matters, and the helpers keep it: read the generation *before* building the value, bump
it *after* the commit, so a value built from data older than a change is never stored under the
generation that follows the change.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import brotli

from .metrics import count_cache

_SLOTS = 1 << 14  # 128 KiB; two keys sharing a slot only cost an extra rebuild
_SLOT = struct.Struct("<Q")


class FileGenerations:
    """Counters in a file mapped shared into every process on this host."""

    def __init__(self, path: str):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < _SLOTS * _SLOT.size:
                os.ftruncate(fd, _SLOTS * _SLOT.size)
            self._map = mmap.mmap(fd, _SLOTS * _SLOT.size, mmap.MAP_SHARED)
        finally:
            os.close(fd)

    @staticmethod
    def _offset(key: str) -> int:
        return (zlib.crc32(key.encode()) % _SLOTS) * _SLOT.size

    def get(self, key: str) -> int:
        return _SLOT.unpack_from(self._map, self._offset(key))[0]

    def get_many(self, keys: list[str]) -> tuple[int, ...]:
        return tuple(_SLOT.unpack_from(self._map, self._offset(k))[0] for k in keys)

    def bump(self, *keys: str) -> None:
        for key in keys:
            offset = self._offset(key)
            # Two processes bumping at once may both write n+1: still not n, which is what counts.
            _SLOT.pack_into(self._map, offset, (_SLOT.unpack_from(self._map, offset)[0] + 1) % 2**64)


class RedisGenerations:
    """Counters in Redis, for several hosts. Redis away: every lookup rebuilds (never stale)."""

    def __init__(self, url: str, prefix: str = "hocvuso:gen:"):
        import redis  # only with REDIS_URL

        self._redis = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self._prefix = prefix
        self._errors = (redis.RedisError, OSError)

    def get(self, key: str) -> int | None:
        try:
            value = self._redis.get(self._prefix + key)
        except self._errors:
            return None  # unknown: the caller rebuilds and stores nothing
        return int(value or 0)

    def get_many(self, keys: list[str]) -> tuple[int | None, ...]:
        if not keys:
            return ()
        try:
            values = self._redis.mget([self._prefix + k for k in keys])
        except self._errors:
            return (None,) * len(keys)
        return tuple(int(v or 0) for v in values)

    def bump(self, *keys: str) -> None:
        if not keys:
            return
        try:
            pipe = self._redis.pipeline(transaction=False)
            for key in keys:
                pipe.incr(self._prefix + key)
            pipe.execute()
        except self._errors:
            pass  # values made while Redis is away are never stored, so nothing can be stale


class BoundedCache:
    """At most `size` values, the least recently stored dropped first; thread-safe."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, generation: int | None):
        entry = self._values.get(key)
        if entry is not None and generation is not None and entry[0] == generation:
            self.hits += 1
            return entry[1]
        self.misses += 1
        return None

    def put(self, key: Hashable, generation: int | None, value) -> None:
        if generation is None:
            return
        with self._lock:
            self._values[key] = (generation, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


class Caches:
    """The app's generations and its named caches (app.extensions["caches"])."""

    def __init__(self, generations, size: int):
        self.generations = generations
        self.size = size
        self._caches: dict[str, BoundedCache] = {}

    def cache(self, name: str) -> BoundedCache:
        if name not in self._caches:
            self._caches[name] = BoundedCache(self.size)
        return self._caches[name]

    def fetch(self, name: str, key: Hashable, depends_on: str, build: Callable[[], Any]):
        """The value cached under `key`, built again when `depends_on` was bumped since."""
        cache = self.cache(name)
        generation = self.generations.get(depends_on)  # before building: see the module doc
        value = cache.get(key, generation)
        count_cache(name, hit=value is not None)  # hocvuso_cache_lookups_total on /metrics
        if value is None:
            value = build()
            cache.put(key, generation, value)
        return value

    def bump(self, *keys: str) -> None:
        self.generations.bump(*keys)

    def clear(self) -> None:
        """Forget every value (after rows changed behind the ORM's back, as tests do)."""
        for cache in self._caches.values():
            cache.clear()


def init_app(app) -> Caches:
    url = app.config.get("REDIS_URL")
    if url:
        generations = RedisGenerations(url)
    else:
        generations = FileGenerations(os.path.join(app.instance_path, "cache-generations"))
    caches = Caches(generations, app.config.get("CACHE_ENTRIES", 2000))
    app.config.setdefault("COMPRESS_CACHE_BACKEND", CompressedBodies)  # before compress.init_app
    app.config.setdefault("COMPRESS_CACHE_KEY", shared_body_key)
    app.extensions["caches"] = caches
    return caches


# -- whole pages shared by many ------------------------------------------------------------

CSRF_MARK = "csrf-token-filled-in-per-request"  # stands in a cached page for the visitor's token


def page_variant() -> tuple | None:
    """What a shared page depends on besides its own data: the address, the language, the
    display mode and the role (the menu). None when the page is not to be shared: a query
    string, or a message waiting to be shown once."""
    from flask import request, session
    from flask_babel import get_locale
    from flask_login import current_user

    if request.query_string or "_flashes" in session:
        return None
    role = current_user.role if current_user.is_authenticated else None
    return request.path, str(get_locale()), bool(session.get("large_text")), role


def cached_page(name: str, key: Hashable, depends_on: str,
                render: Callable[..., str | None]) -> str | None:
    """`render(**context)` once per variant (page_variant) until `depends_on` is bumped; only the
    CSRF token, the one personal thing such a page holds, is filled in per request.

    A page whose token comes last (base.html puts the sign-out form's token at the end of the
    body) is also compressed once: what comes before the token is shared by everyone, and only
    the short personal tail is added to its compressed bytes per request (CompressedBodies)."""
    from flask import current_app, g

    variant = page_variant()
    if variant is None:
        return render()

    def build():
        html = render(csrf_token=lambda: CSRF_MARK)
        if html is None:
            return None
        head, mark, tail = html.partition(CSRF_MARK)
        if mark and len(tail) > PERSONAL_TAIL:
            return html, "", ""  # tokens all over the page: filled in, compressed per request
        digest = hashlib.blake2b(head.encode(), digest_size=16).hexdigest()
        return head, digest, tail if mark else None  # None: no token, the same for everyone

    entry = current_app.extensions["caches"].fetch(name, (key, variant), depends_on, build)
    if entry is None:
        return None
    head, digest, tail = entry
    if not digest:
        return head.replace(CSRF_MARK, _csrf_token())
    personal = ""
    if tail is not None:
        token = _csrf_token()
        personal = token + tail.replace(CSRF_MARK, token)
    g.shared_body = (digest, head, personal.encode())
    return head + personal


_SIGNED_TOKENS = BoundedCache(10_000)


def _csrf_token() -> str:
    """flask-wtf's generate_csrf(), signed once per session token in each process: with
    WTF_CSRF_TIME_LIMIT None the time in a signature is never checked, so one signed token
    serves every page of a session (0.06 ms a page saved)."""
    from flask import current_app, g, session
    from flask_wtf.csrf import generate_csrf

    raw = session.get("csrf_token")
    if raw is None or current_app.config["WTF_CSRF_TIME_LIMIT"] is not None:
        return generate_csrf()
    key = (current_app.secret_key, raw)
    signed = _SIGNED_TOKENS.get(key, 0)
    if signed is None:
        signed = generate_csrf()
        _SIGNED_TOKENS.put(key, 0, signed)
    g.csrf_token = signed  # flask-wtf's own per-request copy: any other form gets the same
    return signed


# Characters after the first token, holding any others: sent uncompressed (brotli) or deflated
# apart (gzip) per request. A longer tail: the page is filled in and compressed per request.
PERSONAL_TAIL = 1024


class _CompressedHead:
    """What everyone shares of a page, compressed hard once, and the end of the stream it
    leaves open for the few personal bytes that follow (RFC 1952 gzip, RFC 7932 brotli)."""

    def __init__(self, algorithm: str, data: bytes, level: int):
        self.algorithm = algorithm
        if algorithm == "br":
            compressor = brotli.Compressor(quality=level, lgwin=22)
            # flush(): everything so far decodable and the stream byte-aligned, not yet ended.
            self.body = compressor.process(data) + compressor.flush()
        else:
            compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate
            self.body = (_GZIP_HEADER + compressor.compress(data)
                         + compressor.flush(zlib.Z_SYNC_FLUSH))  # byte-aligned, not final
            self.crc, self.size = zlib.crc32(data), len(data)

    def finish(self, tail: bytes) -> bytes:
        if self.algorithm == "br":
            # A meta-block of the tail's bytes as they are (ISLAST 0, 4 nibbles of MLEN-1,
            # ISUNCOMPRESSED 1, padding to the byte), then the last, empty meta-block (0b11).
            block = (((len(tail) - 1) << 3) | 1 << 19).to_bytes(3, "little") + tail if tail else b""
            return self.body + block + b"\x03"
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)  # its own final blocks
        return self.body + compressor.compress(tail) + compressor.flush() + struct.pack(
            "<II", zlib.crc32(tail, self.crc), (self.size + len(tail)) & 0xFFFFFFFF)


_ONCE_LEVELS = {"br": 5, "gzip": 9}
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time


class CompressedBodies:
    """flask-compress's cache (COMPRESS_CACHE_BACKEND): the shared part of a cached page's body
    compressed once per algorithm, a level above the per-request one (paid once; brotli 5 makes
    a module page 6% smaller than 4 for 0.1 ms more, 6 and up cost 10 ms and more), with the
    page's personal tail added per request. Keys are the algorithm and the shared part's digest,
    so a hit is the same bytes by construction; responses that are not cached pages have an
    empty key and are never kept."""

    def __init__(self, size: int = 500):
        self._cache = BoundedCache(size)

    def get(self, key: str):
        from flask import g

        algorithm, _, digest = key.partition(";")
        shared = g.get("shared_body")
        if not digest or shared is None or algorithm not in ("br", "gzip"):
            return None  # flask-compress compresses the whole body itself
        _digest, head, tail = shared
        compressed = self._cache.get(key, 0)
        if compressed is None:
            compressed = _CompressedHead(algorithm, head.encode(), _ONCE_LEVELS[algorithm])
            self._cache.put(key, 0, compressed)
        return compressed.finish(tail)

    def set(self, key: str, value) -> None:
        """Nothing to keep: get() stored the shared part when it compressed it."""


def shared_body_key(_request) -> str:
    from flask import g

    shared = g.get("shared_body")
    return shared[0] if shared else ""
