"""The load generator the HTTP benchmarks share: threads with keep-alive connections on
loopback, each request timed on its own; medians and percentiles from the timings."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable

Request = tuple[str, str, str | None, dict[str, str]]  # method, path, body, headers


def run_load(
    port: int, *, make_request: Callable[[int], Request], count: int, concurrency: int
) -> dict[str, object]:
    """Send `count` requests over `concurrency` connections; requests/s, p50, p99."""
    sent = iter(range(count))
    lock = threading.Lock()

    def stop() -> bool:
        with lock:
            return next(sent, None) is None

    figures = run_load_until(port, make_request=make_request, concurrency=concurrency, stop=stop)
    return {"requests": count, **{k: v for k, v in figures.items() if k != "requests"}}


def wait_for_server(port: int, *, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)


def medians(results: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    """Per kind of request, the medians over the rounds; `healthz` is the floor."""

    def median(rounds: list[dict[str, object]], figure: str) -> float:
        return statistics.median(float(str(r[figure])) for r in rounds)

    floor = median(results["healthz"], "per_second")
    return {
        kind: {
            "per_second_median": round(median(rounds, "per_second"), 1),
            "p50_ms_median": round(median(rounds, "p50_ms"), 2),
            "p99_ms_median": round(median(rounds, "p99_ms"), 2),
            "share_of_healthz": round(median(rounds, "per_second") / floor, 3),
            "statuses": [r["statuses"] for r in rounds],
        }
        for kind, rounds in results.items()
    }


def run_load_until(
    port: int, *, make_request: Callable[[int], Request], concurrency: int, stop: Callable[[], bool]
) -> dict[str, object]:
    """Send requests over `concurrency` connections until `stop()` says so; requests/s,
    p50, p99, the slowest answer, the statuses, and the requests that got no answer."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures = [0]
    lock = threading.Lock()
    counter = iter(range(1 << 62))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        seen: dict[int, int] = {}
        while not stop():
            with lock:
                index = next(counter)
            method, path, body, headers = make_request(index)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except OSError:
                with lock:
                    failures[0] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
            seen[response.status] = seen.get(response.status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)
            for status, number in seen.items():
                statuses[status] = statuses.get(status, 0) + number

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "seconds": seconds,
        "per_second": count / seconds,
        "p50_ms": 1000 * latencies[count // 2] if count else None,
        "p99_ms": 1000 * latencies[min(count - 1, int(count * 0.99))] if count else None,
        "max_ms": 1000 * latencies[-1] if count else None,
        "statuses": {str(status): number for status, number in sorted(statuses.items())},
        "no_answer": failures[0],
    }
