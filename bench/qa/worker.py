"""One router in a fresh process: prints "ready", then answers the questions and reports.

Run by bench/qa (the parent times start-up from spawn to "ready"); not meant to be run by hand.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from methods import build  # noqa: E402


def main(method: str, content_dir: str, known: str = "known") -> None:
    """Load the router, say ready, then route each question line and report one JSON line."""
    route = build(method, Path(content_dir), known=known == "known")
    # As gunicorn.conf.py's post_worker_init does in production: what was loaded leaves the
    # collector's rounds, else a full collection walking it stalls one question for ~40 ms.
    gc.collect()
    gc.freeze()
    print("ready", flush=True)
    questions = json.loads(sys.stdin.readline())
    answers, latencies = [], []
    for question in questions:
        start = time.perf_counter()
        answers.append(route(question))
        latencies.append((time.perf_counter() - start) * 1000)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"answers": answers, "latencies_ms": latencies, "peak_mb": peak_mb}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
