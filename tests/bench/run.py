"""`nox -s bench`: medians of repeated runs, and ratios measured side by side in one run.

Nothing here passes or fails on an absolute time: machines are shared and noisy. Each line says
what ran, the median of the repeats, and the ratio to a baseline that ran interleaved with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
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


MKDOCS_BASE = """\
site_name: Bench
docs_dir: {docs}
theme:
  name: material
  font: false
plugins:
  - search
extra:
  generator: false
"""


def calendar_site_project(root: Path) -> Path:
    """mkdocs.yml for a synthetic calendar, using the repository's site settings."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "docs_dir: scripts/postcal/site/docs", f"docs_dir: {ROOT}/scripts/postcal/site/docs"
    )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return root


def plain_material_project(root: Path, pages: int) -> Path:
    """The baseline: mkdocs-material with the same number of simple pages, out of the nav."""
    docs = root / "docs"
    (docs / "p").mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Home\n\nHello.\n", encoding="utf-8")
    for number in range(pages):
        (docs / "p" / f"{number}.md").write_text(
            f"# Page {number}\n\nA simple page with a paragraph of text, number {number}.\n",
            encoding="utf-8",
        )
    nav = "nav:\n  - Home: index.md\nnot_in_nav: |\n  /p/\n"
    (root / "mkdocs.yml").write_text(MKDOCS_BASE.format(docs=docs) + nav, encoding="utf-8")
    return root


def mkdocs_build(project: Path, now: str) -> None:
    env = {**os.environ, "POSTCAL_NOW": now, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"}
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(project / "_site")]
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(f"mkdocs build failed in {project}: {result.stderr[-2000:]}")


def bench_site(sizes: list[int], repeat: int) -> None:
    print(f"\n## Site build (mkdocs build, whole process), median of {repeat}")
    print("calendar        | pages | postcal site | plain Material, same pages | ratio")
    with tempfile.TemporaryDirectory() as scratch:
        cases: list[tuple[str, Path, str]] = [("demo", ROOT, "2026-11-26T09:00:00+02:00")]
        for size in sizes:
            root = generate(Path(scratch) / f"site{size}", size)
            cases.append((f"{size} posts", calendar_site_project(root), NOW.isoformat()))
        for label, project, now in cases:
            mkdocs_build(project, now)
            site = project / "_site"
            pages = sum(1 for _ in site.rglob("index.html"))
            plain = plain_material_project(Path(scratch) / f"plain-{label.split()[0]}", pages)
            subject, baseline = side_by_side(
                repeat,
                lambda p=project, n=now: mkdocs_build(p, n),
                lambda p=plain, n=now: mkdocs_build(p, n),
            )
            shutil.rmtree(site, ignore_errors=True)
            print(
                f"{label:<15} | {pages:>5} | {subject:>10.1f} s | {baseline:>24.1f} s | {subject / baseline:.2f}x"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated post counts")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--site-repeat", type=int, default=3)
    parser.add_argument("--only", choices=("lint", "x", "site"), help="run one benchmark")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.only in (None, "lint"):
        bench_lint(sizes, args.repeat)
    if args.only in (None, "x"):
        bench_x_counting(args.repeat)
    if args.only in (None, "site"):
        bench_site(sizes, args.site_repeat)


if __name__ == "__main__":
    main()
