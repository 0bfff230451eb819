"""`nox -s bench`: medians of repeated runs, and ratios measured side by side in one run.

Nothing here passes or fails on an absolute time: machines are shared and noisy. Each line says
what ran, the median of the repeats, and the ratio to a baseline that ran interleaved with it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from postcal.text.count import x_weighted, x_weighted_reference  # noqa: E402
from tests.bench.synth import NOW, generate  # noqa: E402


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def side_by_side(
    repeat: int, subject: Callable[[], object], baseline: Callable[[], object]
) -> tuple[float, float]:
    """Interleave the two so that load from other processes hits both alike."""
    subject_times, baseline_times = [], []
    for _ in range(repeat):
        subject_times.append(timed(subject))
        baseline_times.append(timed(baseline))
    return statistics.median(subject_times), statistics.median(baseline_times)


def lint_cli(root: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "postcal",
        "lint",
        "--root",
        str(root),
        "--now",
        NOW.isoformat(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):
        raise SystemExit(f"lint failed: {result.stderr}")


def yaml_floor(root: Path) -> None:
    """The least any YAML-based linter must do: read every post and parse its front matter."""
    for path in sorted((root / "calendar").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        yaml.load(text.split("---\n", 2)[1], Loader=yaml.CSafeLoader)


def bench_lint(sizes: list[int], repeat: int) -> None:
    print(f"## postcal lint (CLI, whole process), median of {repeat}")
    print("posts   | postcal lint | yaml.safe_load floor | ratio")
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            root = generate(Path(scratch) / f"cal{size}", size)
            lint_cli(root)  # warm the file cache for both
            subject, baseline = side_by_side(
                repeat, lambda r=root: lint_cli(r), lambda r=root: yaml_floor(r)
            )
            print(
                f"{size:>7} | {subject:>10.2f} s | {baseline:>18.2f} s | {subject / baseline:.1f}x"
            )


def bench_x_counting(repeat: int) -> None:
    texts = [
        path.read_text(encoding="utf-8").split("---\n", 2)[-1]
        for path in sorted((ROOT / "calendar").rglob("*.md"))
    ]
    if not texts:
        return
    subject, baseline = side_by_side(
        repeat,
        lambda: [x_weighted(t) for t in texts],
        lambda: [x_weighted_reference(t) for t in texts],
    )
    print(f"\n## X weighted counting of the {len(texts)} demo post bodies, median of {repeat}")
    print(
        f"postcal x_weighted {subject * 1000:.1f} ms | twitter-text parse_tweet {baseline * 1000:.1f} ms"
        f" | {baseline / subject:.1f}x faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated post counts")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    bench_lint(sizes, args.repeat)
    bench_x_counting(args.repeat)


if __name__ == "__main__":
    main()
