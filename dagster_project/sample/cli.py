"""Command line of the sample-data generator."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from dagster_project.sample.common import SCALES
from dagster_project.sample.generate import generate
from dagster_project.sample.write import write_landing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project.sample",
        description="Write deterministic CRM, marketing and plan extracts in the landing layout.",
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="s")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="landing directory to write")
    parser.add_argument("--gzip", action="store_true", help="write .csv.gz instead of .csv")
    args = parser.parse_args(argv)
    started = time.monotonic()
    print(f"[sample] generating scale={args.scale} seed={args.seed}", flush=True)
    tables = generate(args.scale, args.seed)
    gen_s = time.monotonic() - started
    print(
        f"[sample] simulated {sum(len(t.frame) for t in tables):,} rows in {gen_s:.1f}s", flush=True
    )
    files = write_landing(tables, args.out, gzip=args.gzip, progress=print)
    total = time.monotonic() - started
    print(f"[sample] wrote {files} files to {args.out} in {total:.1f}s", flush=True)
    return 0
