"""``luocdo serve``: the store as a read-only SPARQL endpoint (see :mod:`luocdo.kg.serve`).

    $ luocdo --store ./luocdo-data serve --port 8000
    luocdo: serving ./luocdo-data read-only at http://127.0.0.1:8000/ (SPARQL: /sparql; Ctrl-C stops)
"""

from __future__ import annotations

import signal
import threading

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 shares the endpoint with the network).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free one).")
@click.option("--timeout", type=click.FloatRange(min=0.05), default=10.0, show_default=True,
              help="Seconds a query may run before it is stopped.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Most rows a SELECT returns; a cut result says so in a header.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Queries run at the same time (one process each).")
@click.option("--quiet", is_flag=True, help="Do not log each request to stderr.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, timeout: float, max_rows: int, workers: int,
                  quiet: bool) -> None:
    """Serve the store read-only over HTTP: SPARQL 1.1 Protocol, the query library, the views."""
    from .serve import make_server

    url = ctx.find_root().obj["store"]
    log = None if quiet else (lambda line: click.echo(f"luocdo serve: {line}", err=True))
    server = make_server(url, host=host, port=port, timeout=timeout, max_rows=max_rows, workers=workers, log=log)
    click.echo(f"luocdo: serving {url} read-only at {server.url}/ (SPARQL: {server.url}/sparql; Ctrl-C stops)",
               err=True)
    # Ctrl-C stops the server even when it was started with SIGINT ignored (a background job of a
    # script inherits that), as `luocdo ingest` installs its own handler.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def register(main: click.Group) -> None:
    """Add ``luocdo serve`` to the command group."""
    main.add_command(serve_command)
