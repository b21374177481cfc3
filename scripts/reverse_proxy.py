"""A small reverse proxy for the production drill (scripts/production_drill.py): what nginx does in front
of the app processes, in about a hundred lines of aiohttp.

    .venv/bin/python scripts/reverse_proxy.py --listen 8341 --upstream 127.0.0.1:8342 --upstream 127.0.0.1:8343 \
        [--certificate proxy.crt --key proxy.key] [--static /srv/dichvucong/static] [--max-body-mb 101]

- Round-robin over the upstreams; a request carrying `X-Drill-Upstream: N` goes to upstream N, so the
  drill can prove that what one process wrote, the other reads (nginx has no such header: drill only).
- Terminates TLS with --certificate/--key (plain HTTP without them) and talks plain HTTP to the app.
- Appends the client's address to `X-Forwarded-For` (nginx's $proxy_add_x_forwarded_for: whatever the
  client sent stays on the left, which is why the portal believes only the last TRUSTED_PROXY_HOPS
  entries), sets `X-Forwarded-Proto` to the client's scheme (the portal runs with
  TRUST_X_FORWARDED_PROTO=1) and passes `Host` through, as the nginx example in docs/operations.md does.
- Refuses bodies over --max-body-mb with 413 before they reach the app (nginx's client_max_body_size).
- Serves /static/ from --static itself when given (nginx's `location /static/`).
- Streams both ways (an upload or a download is never held in memory whole) and answers 502 when the
  chosen upstream is down. Each response names the upstream that served it in `X-Drill-Upstream`.
"""

from __future__ import annotations

import argparse
import itertools
import ssl
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout, TCPConnector, client_exceptions, web

# Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own business, never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
PIN_HEADER = "X-Drill-Upstream"


def build_app(*, upstreams: list[str], static: Path | None, max_body_mb: int) -> web.Application:
    limit = max_body_mb * 1024 * 1024
    app = web.Application(client_max_size=limit)
    turn = itertools.cycle(range(len(upstreams)))

    async def session_start(app: web.Application):
        # No decompression and no cookie jar: the proxy passes bytes and headers through untouched.
        app["session"] = ClientSession(
            connector=TCPConnector(limit=100),
            timeout=ClientTimeout(total=300, sock_connect=5),
            auto_decompress=False,
            cookie_jar=None,
        )
        yield
        await app["session"].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        # Bodies are streamed, not read, so aiohttp's own client_max_size never sees them: check here.
        length = request.content_length
        if length is not None and length > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=length)
        pinned = request.headers.get(PIN_HEADER, "")
        index = int(pinned) % len(upstreams) if pinned.isdigit() else next(turn)
        upstream = upstreams[index]
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP and k != PIN_HEADER}
        sent = request.headers.get("X-Forwarded-For", "")
        headers["X-Forwarded-For"] = f"{sent}, {request.remote}" if sent else request.remote or ""
        headers["X-Forwarded-Proto"] = request.scheme
        headers["X-Forwarded-Host"] = request.host
        body = request.content if request.body_exists else None
        try:
            async with request.app["session"].request(
                request.method,
                f"http://{upstream}{request.rel_url}",
                headers=headers,
                data=body,
                allow_redirects=False,
            ) as answer:
                response = web.StreamResponse(status=answer.status, reason=answer.reason)
                for key, value in answer.headers.items():
                    if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                        response.headers.add(key, value)
                if answer.content_length is not None:
                    response.content_length = answer.content_length
                response.headers[PIN_HEADER] = str(index)
                await response.prepare(request)
                async for chunk in answer.content.iter_chunked(1 << 16):
                    await response.write(chunk)
                await response.write_eof()
                return response
        except (client_exceptions.ClientConnectorError, client_exceptions.ServerDisconnectedError):
            return web.Response(status=502, text="upstream unavailable", headers={PIN_HEADER: str(index)})

    app.cleanup_ctx.append(session_start)
    if static is not None:
        app.router.add_static("/static/", static, append_version=False)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--upstream", action="append", required=True, help="host:port of an app process")
    parser.add_argument("--certificate", type=Path, help="PEM certificate: serve HTTPS")
    parser.add_argument("--key", type=Path, help="PEM private key of --certificate")
    parser.add_argument("--static", type=Path, help="folder served at /static/ (STATIC_ROOT after collectstatic)")
    parser.add_argument("--max-body-mb", type=int, default=101, help="largest request body (default 101)")
    args = parser.parse_args()
    app = build_app(upstreams=args.upstream, static=args.static, max_body_mb=args.max_body_mb)
    tls = None
    if args.certificate:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.certificate, args.key)
    web.run_app(app, host="127.0.0.1", port=args.listen, ssl_context=tls, print=None, access_log=None)


if __name__ == "__main__":
    main()
