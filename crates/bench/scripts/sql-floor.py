#!/usr/bin/env python3
"""The SQL floor of the one-on-ones list (docs/BENCHMARKS.md, "Side by side"): how many times a
second PostgreSQL can run, with nothing else in the way, exactly the statements one request of
each scenario sends.

    crates/bench/scripts/sql-floor.py --bin target/release/manageros \\
        --database-url postgres://postgres@127.0.0.1:5432/perf_same \\
        --light-tokens tokens.txt --heavy-tokens tokens-heavy.txt [--seconds 8]

1. Starts the server on the database with `log_min_duration_statement = 0` for its own
   connections only (a startup option in its URL, with `application_name=sql-floor`), sends
   each scenario's request three times as one of the users (the first fills the kept totals),
   and reads from PostgreSQL's log (--log, Debian's default, whose line prefix carries the
   backend's PID) the statements the server's connections executed for the last one, with
   their parameters. For a bench database: the log then holds the session tokens' hashes.
2. Writes each scenario's statements as a pgbench script, the parameters as `-D` variables
   (bound, as the server binds them), under --out.
3. Replays each with `pgbench -M prepared -c 16 -j 2` and `plan_cache_mode =
   force_generic_plan` (the server's setting) and prints its transactions per second: the
   requests per second the route could answer if the server cost nothing.

Scenarios and users are the bench's `--peer` ones (crates/bench/src/side_by_side.rs);
docs/BENCHMARKS.md, "Side by side again", shows a run.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

SCENARIOS = [
    ("light, first page", False, "limit=20"),
    ("heavy, first page", True, "limit=20"),
    ("heavy, page 50", True, "limit=20&page=50"),
    ("heavy, a one-month window", True,
     "limit=20&scheduledFrom=2025-06-01T00:00:00Z&scheduledTo=2025-06-30T23:59:59Z"),
    ("heavy, sort by report name", True, "limit=20&sort=report:asc,scheduledAt:desc"),
]

EXECUTE = re.compile(r"\[(\d+)\].*LOG:  duration: [0-9.]+ ms  execute [^:]+: (.*)$")
DETAIL = re.compile(r"DETAIL:  parameters: (.*)$")
PARAM = re.compile(r"\$(\d+) = (NULL|'((?:[^']|'')*)')")


def first_token(path):
    with open(path) as f:
        return f.readline().split("\t")[0].strip()


def psql(url, sql):
    return subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True,
                          text=True).stdout


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, token):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as r:
        r.read()
        return r.status


def statements(log_text, pids):
    """(sql, [params]) of each `execute` line of the backends `pids` in this stretch of the
    log."""
    lines = log_text.splitlines()
    found = []
    for i, line in enumerate(lines):
        m = EXECUTE.search(line)
        if not m or m.group(1) not in pids:
            continue
        params = []
        if i + 1 < len(lines):
            d = DETAIL.search(lines[i + 1])
            if d:
                for n, raw, text in PARAM.findall(d.group(1)):
                    # pgbench's -D cannot pass a NULL; the route binds none.
                    assert raw != "NULL", f"a NULL parameter in {m.group(2)[:80]}"
                    params.append((int(n), text.replace("''", "'")))
        # The server's own background work (the mailer's poll of the outbox) runs on the same
        # connections; it is not the route's.
        if '"outbox"' not in m.group(2):
            found.append((m.group(2), params))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--light-tokens", required=True)
    ap.add_argument("--heavy-tokens", required=True)
    ap.add_argument("--log", default="/var/log/postgresql/postgresql-15-main.log")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--out")
    a = ap.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="sql-floor-")
    os.makedirs(out, exist_ok=True)
    tokens = {False: first_token(a.light_tokens), True: first_token(a.heavy_tokens)}
    plain_url = a.database_url.split("?")[0]
    logged = a.database_url + ("&" if "?" in a.database_url else "?") + urllib.parse.urlencode(
        {"application_name": "sql-floor", "options": "-c log_min_duration_statement=0"})

    port = free_port()
    outbox = tempfile.mkdtemp()
    server = subprocess.Popen(
        [a.bin, "serve", "--listen", f"127.0.0.1:{port}", "--database-url", logged,
         "--outbox", outbox],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": "warn"})
    captured = {}
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz").read()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)
        for name, heavy, query in SCENARIOS:
            path = f"{base}/api/oneonones?{query}"
            for _ in range(2):
                get(path, tokens[heavy])
            time.sleep(0.2)
            start = os.path.getsize(a.log)
            status = get(path, tokens[heavy])
            time.sleep(0.3)
            pids = set(psql(plain_url, "SELECT pid FROM pg_stat_activity "
                                        "WHERE application_name = 'sql-floor'").split())
            with open(a.log, errors="replace") as f:
                f.seek(start)
                captured[name] = statements(f.read(), pids)
            assert status == 200 and captured[name], f"{name}: nothing captured"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
        shutil.rmtree(outbox, ignore_errors=True)

    env = {**os.environ, "PGOPTIONS": "-c plan_cache_mode=force_generic_plan"}
    print(f"| scenario | statements | pgbench tx/s (-M prepared, 16 clients, {a.seconds} s) |")
    print("|---|---:|---:|")
    for k, (name, _, _) in enumerate(SCENARIOS):
        defines, script = [], []
        for s, (sql, params) in enumerate(captured[name]):
            values = dict(params)
            sql = re.sub(r"\$(\d+)", lambda m: f":s{s}p{m.group(1)}", sql)
            for n, v in values.items():
                defines += ["-D", f"s{s}p{n}={v}"]
            script.append(sql + ";")
        file = os.path.join(out, f"scenario-{k}.pgbench")
        with open(file, "w") as f:
            f.write(f"-- {name}: the statements of one request, in order\n")
            f.write("\n".join(script) + "\n")
        run = subprocess.run(
            ["pgbench", "-n", "-M", "prepared", "-c", "16", "-j", "2", "-T", str(a.seconds),
             "-f", file, *defines, plain_url],
            env=env, capture_output=True, text=True, check=True)
        tps = re.search(r"tps = ([0-9.]+)", run.stdout).group(1)
        print(f"| {name} | {len(script)} | {float(tps):,.0f} |")
    print(f"\nscripts: {out}")


if __name__ == "__main__":
    main()
