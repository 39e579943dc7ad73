#!/usr/bin/env python3
"""A fake OpenAI-compatible model server on 127.0.0.1 for the benchmarks.

It serves the replies recorded in a prototype's `.wow/exchanges/` (for the
bundled examples: written by hand, not by a model), answering each prompt
with the reply recorded for the prompt closest to it (longest common
prefix of the user messages), streamed as Chat Completions server-sent
events at a set rate: `--first-token` seconds before the first token, then
`--rate` output tokens per second (a token taken as 4 characters of text),
with the usage in the last chunk as `stream_options.include_usage` asks.
Each request is paced on its own (one thread per request), so the calls of
a sharded prototype's round stream at once, each at the full rate.

Usage: fake-model.py EXCHANGES_DIR [--rate 80] [--first-token 0.5] [--port 0]
                     [--log FILE]
Prints `port N` on stdout once listening. With `--log`, appends a line per
request: the recorded exchange served, and `exact` when the user message is
the recorded one, else how many of its characters matched. Standard
library only.
"""

import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHARS_PER_TOKEN = 4
CHUNK_SECONDS = 0.05


def load(folder):
    exchanges = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                exchange = json.load(f)
            exchange["file"] = name
            exchanges.append(exchange)
    if not exchanges:
        sys.exit(f"no exchanges in {folder}")
    return exchanges


def common_prefix(a, b):
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("exchanges")
    parser.add_argument("--rate", type=float, default=80.0, help="output tokens per second")
    parser.add_argument("--first-token", type=float, default=0.5, help="seconds to the first token")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", help="append the exchange served for each request to this file")
    args = parser.parse_args()
    exchanges = load(args.exchanges)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            messages = body.get("messages", [])
            asked = "\n".join(m.get("content", "") for m in messages)
            user = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
            # The user message decides: the recorded system text may be of an
            # older prompt version, the same for every round.
            best = max(exchanges, key=lambda e: common_prefix(user, e["prompt"]["user"]))
            text = best["reply"]["text"]
            if args.log:
                recorded = best["prompt"]["user"]
                matched = common_prefix(user, recorded)
                how = "exact" if user == recorded else f"{matched} of {len(recorded)} characters"
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(f"{best['file']} {how}\n")
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

            def send(payload):
                data = f"data: {payload}\n\n".encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            time.sleep(args.first_token)
            step = max(1, int(args.rate * CHUNK_SECONDS * CHARS_PER_TOKEN))
            started = time.monotonic()
            for sent in range(0, len(text), step):
                piece = text[sent : sent + step]
                send(json.dumps({"choices": [{"index": 0, "delta": {"content": piece}}]}))
                # Keep to the rate from the start, whatever the writes cost.
                due = started + (sent + len(piece)) / CHARS_PER_TOKEN / args.rate
                time.sleep(max(0.0, due - time.monotonic()))
            tokens = len(text) // CHARS_PER_TOKEN
            send(json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
            send(json.dumps({"choices": [], "usage": {"prompt_tokens": len(asked) // CHARS_PER_TOKEN, "completion_tokens": tokens}}))
            send("[DONE]")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
