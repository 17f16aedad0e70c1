"""Bounded load test of the app: 8 concurrent gradio_client clients, 25 analyses each.

    python -m eval.load_test [--model DIR] [--clients 8] [--requests 25] [--out eval/reports/load_test.json]

Launches ``python app.py`` on a free 127.0.0.1 port (as a user would), records how long it
takes to answer, then has every client call ``/analyze`` with practice-scenario replies.
Counts errors (an exception, or a message instead of feedback) and writes p50/p95 latency
to ``eval/reports/load_test.json``. Not part of the default test run (``pytest -m load`` runs it).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from coach.io import write_json
from coach.paths import DEFAULT_MODEL_DIR, REPO_ROOT, REPORTS_DIR
from coach.scenarios import load_scenarios

START_TIMEOUT_S = 60
REQUEST_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(model_dir: Path, port: int) -> tuple[subprocess.Popen, float]:
    """Start ``python app.py``; return the process and the seconds until it answered HTTP."""
    env = {**os.environ, "EMPATHY_COACH_MODEL": str(model_dir)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "app.py"), "--port", str(port), "--model", str(model_dir)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while time.perf_counter() - started < START_TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with code {process.returncode} before answering")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process, time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"app.py did not answer within {START_TIMEOUT_S}s")


def workload() -> list[tuple[str, str]]:
    """(reply, client statement) pairs: every exemplar of every practice scenario."""
    return [(e.reply, s.client) for s in load_scenarios() for e in s.exemplars]


def client_loop(
    url: str, pairs: list[tuple[str, str]], offset: int, requests: int, latencies: list, errors: list
) -> None:
    """One client: ``requests`` sequential analyses, timing each."""
    from gradio_client import Client

    client = Client(url, verbose=False, analytics_enabled=False, httpx_kwargs={"timeout": REQUEST_TIMEOUT_S})
    for i in range(requests):
        reply, statement = pairs[(offset + i) % len(pairs)]
        start = time.perf_counter()
        try:
            message, *_, raw = client.predict(reply, statement, api_name="/analyze")
            if message or not raw:
                errors.append(f"message instead of feedback: {message[:120]}")
        except Exception as err:  # every failure is counted, not raised
            errors.append(repr(err)[:200])
        latencies.append(time.perf_counter() - start)


def cpu_seconds(pid: int | None = None) -> float | None:
    """CPU time (user + system) of a process so far: ``pid``, or this process; None where /proc is missing."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def run(
    model_dir: Path = DEFAULT_MODEL_DIR,
    clients: int = 8,
    requests: int = 25,
    out: Path = REPORTS_DIR / "load_test.json",
) -> dict:
    """Launch the app, run the clients concurrently, write and return the results."""
    port = free_port()
    process, startup = start_app(Path(model_dir), port)
    latencies, errors, pairs = [], [], workload()
    try:
        threads = [
            threading.Thread(
                target=client_loop, args=(f"http://127.0.0.1:{port}/", pairs, 7 * c, requests, latencies, errors)
            )
            for c in range(clients)
        ]
        began, app_cpu, clients_cpu = time.perf_counter(), cpu_seconds(process.pid), cpu_seconds()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        # Where the CPU went: on a small machine the clients compete with the app for the same cores.
        app_cpu = None if app_cpu is None else round(cpu_seconds(process.pid) - app_cpu, 1)
        clients_cpu = round(cpu_seconds() - clients_cpu, 1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    result = {
        "endpoint": "/analyze",
        "clients": clients,
        "requests_per_client": requests,
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "p50_s": round(percentile(latencies, 50), 4),
        "p95_s": round(percentile(latencies, 95), 4),
        "mean_s": round(statistics.fmean(latencies), 4),
        "max_s": round(max(latencies), 4),
        "throughput_per_s": round(len(latencies) / elapsed, 2),
        "wall_s": round(elapsed, 1),
        "app_cpu_s": app_cpu,
        "clients_cpu_s": clients_cpu,
        "startup_s": round(startup, 2),
        "model": str(model_dir),
        "cpus": os.cpu_count(),
        "machine": platform.platform(),
    }
    write_json(out, result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=25, help="analyses per client")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "load_test.json")
    args = parser.parse_args(argv)
    result = run(args.model, args.clients, args.requests, args.out)
    print(json.dumps(result, indent=2))
    print(
        f"\n{result['requests']} analyses, {result['errors']} errors; p50 {result['p50_s'] * 1000:.0f} ms, "
        f"p95 {result['p95_s'] * 1000:.0f} ms; app answered after {result['startup_s']:.1f} s -> {args.out}"
    )
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
