"""Fan-out benchmark: hide a comment, then time until the LAST of N websocket clients sees it go.

Run from the repository root, e.g. `python -m bench.fanout --clients 1000,5000,10000,max`.

The coordinator (this process) makes a temporary database, starts the server (or uses `--url`),
spreads the clients over load processes (this package run with `--worker`, spoken to in JSON
lines over stdin/stdout), hides and re-approves comments through the store, and prints a table:
connect time, failed connections, hide-to-`remove` latency over every client of every hide
(p50, p99, max) and the server's memory per connection (VmRSS growth / connected clients).
Everything stays on 127.0.0.1 and every wait is bounded; children are stopped on exit.

The load processes share the host's cores with the server, so by default (`--client lean`) their
clients are raw asyncio protocols that do the handshake, then only scan the server's bytes for
the events being timed; `--client websockets` uses the library's client, which parses every frame
and costs the load several times the server's CPU.

The modules, coordinator side: `options` (the command line), `coordinator` (every size in turn),
`run` (one size's phases), `server` (the server under test, run by `bench.served`), `worker`
(both ends of a load process's channel), `resources` and `stats` (what is measured), `results`
and `report` (what is printed). Load side: `load` (what both clients share), `lean_load` with
`frames` (the raw asyncio clients and the bytes they scan for), `library_load` (the websockets
library's clients).
"""
