"""Benchmark: peak memory while streaming a large corpus to disk.

Runs, in a child process, either the command line (``quoteframe analyze CORPUS -o OUT
-q``) or the Python API (:func:`quoteframe.analyze_to`) on a folder made by
benchmarks/make_corpus.py, samples the child's resident set (``VmRSS`` in
``/proc/<pid>/status``) every ``--interval`` seconds, and reports:

- the peak RSS (``ru_maxrss`` of the child, from ``wait4``: exact, not sampled);
- the sampled RSS at 10, 25, 50, 75 and 90 % of the run, and its growth from 25 % to
  90 %: a stream whose memory is bounded by the chunk stays flat;
- MB/s and documents/s end to end (reading, analysing, writing quotes.csv,
  quotes.jsonl and documents.csv), the output sizes, and the load average.

Usage::

    python3 benchmarks/make_corpus.py /tmp/qf-1gb --size-mb 1000
    PYTHONPATH=python python3 benchmarks/bench_stream.py /tmp/qf-1gb --mode both --json stream-1gb.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve()

API_CHILD = """
import sys
from quoteframe.stream import analyze_to
threads = int(sys.argv[3]) or None
s = analyze_to(sys.argv[1], sys.argv[2], threads=threads)
print(s.n_documents, s.n_quotes, s.n_failed, s.n_chunks)
"""


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_one(mode: str, corpus: Path, out: Path, threads: int, interval: float, env: Dict[str, str]) -> dict:
    if mode == "cli":
        cmd = [sys.executable, "-m", "quoteframe", "analyze", str(corpus), "-o", str(out), "-q"]
        if threads:
            cmd += ["--threads", str(threads)]
    else:
        cmd = [sys.executable, "-c", API_CHILD, str(corpus), str(out), str(threads)]
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: List[tuple] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.perf_counter() - t0, _rss_mb(proc.pid)))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # Read the pipes first (a full pipe would block the child), then reap it with wait4 for its rusage.
    stdout = proc.stdout.read() if proc.stdout else ""
    stderr = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    if proc.returncode not in (0, 4):  # 4: some documents failed, still a complete run
        raise SystemExit(f"{mode} exited with {proc.returncode}:\n{stderr}")
    files = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")
    n_bytes = sum(p.stat().st_size for p in files)
    rss = [r for _, r in samples if r == r]

    def at(frac: float) -> float:
        if not samples:
            return float("nan")
        t = frac * seconds
        return min(samples, key=lambda s: abs(s[0] - t))[1]

    outputs = {p.name: p.stat().st_size for p in out.iterdir() if not p.name.startswith(".")}
    return {
        "mode": mode, "threads": threads or os.cpu_count(), "documents": len(files), "mb": n_bytes / 1e6,
        "seconds": seconds, "mb_per_s": n_bytes / 1e6 / seconds, "docs_per_s": len(files) / seconds,
        "peak_rss_mb": usage.ru_maxrss / 1024, "max_sampled_rss_mb": max(rss) if rss else float("nan"),
        "rss_at": {f"{int(f * 100)}%": at(f) for f in (0.1, 0.25, 0.5, 0.75, 0.9)},
        "rss_growth_25_to_90_mb": at(0.9) - at(0.25),
        "n_samples": len(samples), "output_mb": {k: v / 1e6 for k, v in outputs.items()},
        "load_before": load0[0], "load_after": os.getloadavg()[0], "stdout": stdout.strip(),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", type=Path, help="a folder made by benchmarks/make_corpus.py")
    p.add_argument("--mode", choices=["cli", "api", "both"], default="both",
                   help="cli: quoteframe analyze; api: quoteframe.analyze_to; both (default)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary one, removed)")
    p.add_argument("--threads", type=int, default=0, help="core threads (default 0: every core)")
    p.add_argument("--interval", type=float, default=0.5, help="RSS sampling interval, s (default 0.5)")
    p.add_argument("--keep", action="store_true", help="keep the outputs")
    p.add_argument("--package-path", type=Path, default=HERE.parents[1] / "python",
                   help="where quoteframe is imported from (default: this checkout's python/; a copy keeps "
                        "a long run safe from rebuilds)")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = p.parse_args(argv)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(args.package_path), env.get("PYTHONPATH", "")])
    results = []
    modes = ["cli", "api"] if args.mode == "both" else [args.mode]
    for mode in modes:
        out = (args.out / mode) if args.out else Path(tempfile.mkdtemp(prefix=f"qf-stream-{mode}-"))
        out.mkdir(parents=True, exist_ok=True)
        r = run_one(mode, args.corpus, out, args.threads, args.interval, env)
        results.append(r)
        print(json.dumps(r, indent=1), flush=True)
        if not args.keep:
            for f in out.iterdir():
                f.unlink()
            out.rmdir()
    print()
    print(f"{'mode':<11}{'MB':>9}{'docs':>9}{'s':>9}{'MB/s':>8}{'peak RSS':>10}{'RSS 25%':>9}{'RSS 90%':>9}"
          f"{'load':>12}")
    for r in results:
        print(f"{r['mode']:<11}{r['mb']:9.1f}{r['documents']:9d}{r['seconds']:9.1f}{r['mb_per_s']:8.2f}"
              f"{r['peak_rss_mb']:9.0f}M{r['rss_at']['25%']:8.0f}M{r['rss_at']['90%']:8.0f}M"
              f"{r['load_before']:6.2f}-{r['load_after']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
