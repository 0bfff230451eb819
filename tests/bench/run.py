"""`nox -s bench`: medians of repeated runs, and ratios measured side by side in one run.

Nothing here passes or fails on an absolute time: machines are shared and noisy. Each line says
what ran, the median of the repeats, and the ratio to a baseline that ran interleaved with it.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from postcal.text.count import x_weighted, x_weighted_reference  # noqa: E402
from tests.bench.synth import (  # noqa: E402
    NOW,
    WORDS,
    YEAR_ON,
    generate,
    metrics_year,
    past_year,
)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def side_by_side(
    repeat: int, subject: Callable[[], object], baseline: Callable[[], object]
) -> tuple[float, float]:
    """Interleave the two so that load from other processes hits both alike."""
    subject_time, baseline_time = interleaved(repeat, subject, baseline)
    return subject_time, baseline_time


def interleaved(repeat: int, *functions: Callable[[], object]) -> list[float]:
    """The median time of each of ``functions``, run in turn ``repeat`` times."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, taken in zip(functions, times, strict=True):
            taken.append(timed(function))
    return [statistics.median(taken) for taken in times]


def cpu_seconds() -> float:
    """User and system time of this process and of every child it has waited for."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cpu_side_by_side(
    repeat: int, subject: Callable[[], object], baseline: Callable[[], object]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Like side_by_side, with the CPU time each took as well: (wall, CPU) medians of the
    subject, then of the baseline. CPU time varies less than wall time when other processes
    share the machine, since waiting for a core is not counted."""
    runs: dict[str, list[tuple[float, float]]] = {"subject": [], "baseline": []}
    for _ in range(repeat):
        for name, function in (("subject", subject), ("baseline", baseline)):
            cpu = cpu_seconds()
            wall = timed(function)
            runs[name].append((wall, cpu_seconds() - cpu))
    subject_runs, baseline_runs = runs["subject"], runs["baseline"]
    return (
        (
            statistics.median(w for w, _ in subject_runs),
            statistics.median(c for _, c in subject_runs),
        ),
        (
            statistics.median(w for w, _ in baseline_runs),
            statistics.median(c for _, c in baseline_runs),
        ),
    )


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


PLAIN_WORDS = 150
"""The baseline's page, as issue 11 defines it: mkdocs-material building as many plain pages
of about 150 words, out of the nav, search on."""
SHORT_WORDS = 12
"""A second baseline with one short sentence a page, which the bench used alone until 7
December 2026: each page costs Material less, so postcal's ratio to it is higher."""


def plain_material_project(root: Path, pages: int, words: int = PLAIN_WORDS) -> Path:
    """mkdocs-material with ``pages`` pages of ``words`` words of plain prose (in paragraphs of
    at most 75), out of the nav; the same words for the same arguments."""
    rng = random.Random(f"{pages}/{words}")
    docs = root / "docs"
    (docs / "p").mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Home\n\nHello.\n", encoding="utf-8")
    for number in range(pages):
        paragraphs = [_prose(rng, min(75, words - start)) for start in range(0, words, 75)]
        body = "\n\n".join(paragraphs)
        (docs / "p" / f"{number}.md").write_text(f"# Page {number}\n\n{body}\n", encoding="utf-8")
    nav = "nav:\n  - Home: index.md\nnot_in_nav: |\n  /p/\n"
    (root / "mkdocs.yml").write_text(MKDOCS_BASE.format(docs=docs) + nav, encoding="utf-8")
    return root


def _prose(rng: random.Random, words: int) -> str:
    """``words`` words from the synthetic calendars' list, in sentences of six to fifteen."""
    sentences = []
    left = words
    while left:
        length = min(left, rng.randint(6, 15))
        left -= length
        sentence = " ".join(rng.choice(WORDS) for _ in range(length))
        sentences.append(sentence.capitalize() + ".")
    return " ".join(sentences)


def _build_env(now: str) -> dict[str, str]:
    return {**os.environ, "POSTCAL_NOW": now, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"}


def mkdocs_build(project: Path, now: str, site: str = "_site") -> None:
    """`mkdocs build` in a new process, into ``project / site``."""
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(project / site)]
    done = subprocess.run(
        command, cwd=project, env=_build_env(now), capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"mkdocs build failed in {project}: {done.stderr[-2000:]}")


def build_memory(project: Path, now: str) -> int:
    """The peak memory of `mkdocs build` in bytes: the proportional set size of the process
    and of any forked copy, summed, sampled every 10 ms (shared pages count once across them),
    or its own peak resident size when that is larger. A build of its own, not timed: reading
    a 700 MB process's memory map every 10 ms took a core's worth of time from it (a
    10,000-post build: 12.0 s sampled, against 8.0 s not)."""
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(project / "_site")]
    peak = 0
    with subprocess.Popen(
        command, cwd=project, env=_build_env(now), stderr=subprocess.PIPE, text=True
    ) as child:
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_pss(child.pid))
            time.sleep(0.01)
        child.returncode = os.waitstatus_to_exitcode(status)
        errors = child.stderr.read() if child.stderr else ""
    if child.returncode:
        raise SystemExit(f"mkdocs build failed in {project}: {errors[-2000:]}")
    return max(peak, usage.ru_maxrss * 1024)  # ru_maxrss is in kilobytes on Linux


def _tree_pss(pid: int) -> int:
    """Bytes: the proportional set size of ``pid`` and its children (0 once they are gone)."""
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return total
    return total + sum(_tree_pss(int(c)) for c in children)


REBUILD = r"""
import sys, threading, time
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
root, post = Path(sys.argv[1]), Path(sys.argv[2])
# `mkdocs serve` builds while its file watcher and server threads run: postcal does not fork
# then (postcal.forked), so neither may this rebuild.
stop = threading.Event()
threading.Thread(target=stop.wait, daemon=True).start()
def once():
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "_serve"), strict=False)
    config.plugins.on_startup(command="serve", dirty=False)
    start = time.perf_counter()
    build(config, serve_url="http://127.0.0.1:8000/")
    config.plugins.on_shutdown()
    return time.perf_counter() - start
once()
post.write_text(post.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
print(once())
"""
"""What `mkdocs serve` does when a file changes: load the configuration again and build the
whole site (serve never builds "dirty"), in a process that has already built it once and has
other threads running."""


def serve_rebuild(project: Path, now: str) -> float:
    post = sorted((project / "calendar").rglob("*.md"))[0]
    original = post.read_bytes()
    try:
        result = subprocess.run(
            [sys.executable, "-c", REBUILD, str(project), str(post)],
            cwd=project,
            env=_build_env(now),
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        post.write_bytes(original)
    if result.returncode:
        raise SystemExit(f"rebuild failed in {project}: {result.stderr[-2000:]}")
    return float(result.stdout.split()[-1])


def into_fresh(project: Path, now: str, folders: list[str]) -> Callable[[], object]:
    """A build of ``project`` into the next of ``folders`` at each call."""
    unused = iter(folders)
    return lambda: mkdocs_build(project, now, next(unused))


def fresh_build(
    label: str, pages: int, project: Path, plains: tuple[Path, Path], now: str, repeat: int
) -> None:
    """The builds, each time into a folder no build has used, as on a fresh checkout: nothing
    to write over (postcal keeps the last build's post pages to write over them), nothing just
    deleted."""
    fresh = [f"_fresh{n}" for n in range(repeat)]
    projects = (project, *plains)
    subject, baseline, short = interleaved(repeat, *(into_fresh(p, now, fresh) for p in projects))
    for folder in (p / f for p in projects for f in fresh):
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{f'{label}, fresh':<15} | {pages:>5} | {subject:>6.1f} s | {baseline:>14.1f} s"
        f" | {subject / baseline:.2f}x | {short:>13.1f} s | {subject / short:.2f}x"
        " | (each into a folder no build used)"
    )


def bench_site(sizes: list[int], repeat: int) -> None:
    print(f"\n## Site build (mkdocs build, whole process), median of {repeat}")
    print(
        "Baselines: mkdocs-material building as many plain pages out of the nav, search on,"
        f" of {PLAIN_WORDS} words (issue 11's baseline) and of {SHORT_WORDS} words."
    )
    print(
        f"calendar        | pages | postcal  | plain, {PLAIN_WORDS} words | ratio"
        f" | plain, {SHORT_WORDS} words | ratio"
        f" | peak memory (its processes together), postcal / plain {PLAIN_WORDS} words"
    )
    with tempfile.TemporaryDirectory() as scratch:
        cases: list[tuple[str, Path, str]] = [("demo", ROOT, "2026-11-26T09:00:00+02:00")]
        for size in sizes:
            root = generate(Path(scratch) / f"site{size}", size)
            cases.append((f"{size} posts", calendar_site_project(root), NOW.isoformat()))
        rebuilds = []
        for label, project, now in cases:
            mkdocs_build(project, now)
            site = project / "_site"
            pages = sum(1 for _ in site.rglob("*.html"))
            plains = (
                plain_material_project(Path(scratch) / f"plain-{label.split()[0]}", pages),
                plain_material_project(
                    Path(scratch) / f"short-{label.split()[0]}", pages, SHORT_WORDS
                ),
            )
            subject, baseline, short = interleaved(
                repeat, *(lambda p=p, n=now: mkdocs_build(p, n) for p in (project, *plains))
            )
            peak, plain_peak = build_memory(project, now), build_memory(plains[0], now)
            print(
                f"{label:<15} | {pages:>5} | {subject:>6.1f} s | {baseline:>14.1f} s"
                f" | {subject / baseline:.2f}x | {short:>13.1f} s | {subject / short:.2f}x"
                f" | {peak / 2**20:.0f} MB / {plain_peak / 2**20:.0f} MB"
            )
            shutil.rmtree(site, ignore_errors=True)
            if project != ROOT:  # the demo builds in the repository: no stray folders there
                fresh_build(label, pages, project, plains, now, repeat)
            if project != ROOT and len(rebuilds) < 1:
                times = [serve_rebuild(project, now) for _ in range(repeat)]
                rebuilds.append(f"{label}: {statistics.median(times):.2f} s")
        for line in rebuilds:
            print(
                f"Rebuild after editing one post, as `mkdocs serve` does, median of {repeat}: {line}"
            )


def bench_site_metrics(repeat: int, posts: int = 1000) -> None:
    """The same calendar a year on, built with and without a year of numbers under data/: the
    cost of the metrics pages (home headlines, channel stats, post numbers, monthly reports)."""
    print(
        f"\n## Site build with a year of metrics (mkdocs build, whole process), median of {repeat}"
    )
    print(
        "calendar   | pages, with / without | data/ lines (post, account, listening, spend)"
        " | with metrics | without metrics | ratio | CPU with | CPU without | CPU ratio"
    )
    with tempfile.TemporaryDirectory() as scratch:
        plain = generate(Path(scratch) / "without", posts)
        past_year(plain, YEAR_ON)
        measured = Path(scratch) / "with"
        shutil.copytree(plain, measured)
        year = metrics_year(measured, YEAR_ON)
        now = YEAR_ON.isoformat()
        projects = [calendar_site_project(plain), calendar_site_project(measured)]
        pages = []
        for project in projects:
            mkdocs_build(project, now)  # warm the file cache, and check that it builds
            pages.append(sum(1 for _ in (project / "_site").rglob("*.html")))
        (subject, subject_cpu), (baseline, baseline_cpu) = cpu_side_by_side(
            repeat,
            lambda: mkdocs_build(projects[1], now),
            lambda: mkdocs_build(projects[0], now),
        )
        lines = f"{year.posts:,}, {year.accounts:,}, {year.mentions:,}, {year.spend:,}"
        page_counts = f"{pages[1]} / {pages[0]}"
        print(
            f"{f'{posts} posts':<10} | {page_counts:>21} | {lines:>45} | {subject:>10.1f} s"
            f" | {baseline:>13.1f} s | {subject / baseline:.2f}x | {subject_cpu:>6.1f} s"
            f" | {baseline_cpu:>9.1f} s | {subject_cpu / baseline_cpu:.2f}x"
        )


PUBLISH_PLATFORMS = ("mastodon", "bluesky", "x", "linkedin", "telegram")


def bench_publish(repeat: int, posts: int = 100, latency: float = 0.05) -> None:
    """100 due posts on 5 channels against the fakes with 50 ms per request, git pushes included."""
    from tests.publish import platform_fakes
    from tests.publish.gitrepo import Remote
    from tests.publish.scenario import AT, publish_in_process, secrets_env, write_calendar

    print(
        f"\n## postcal publish: {posts} due posts x {len(PUBLISH_PLATFORMS)} channels, "
        f"{latency * 1000:.0f} ms per request, median of {repeat}"
    )
    networks = [platform_fakes.start(p) for p in PUBLISH_PLATFORMS]
    try:
        runs, floors = [], []
        for trial in range(repeat):
            with tempfile.TemporaryDirectory() as scratch:
                for network in networks:
                    network.prepare()
                    network.set_time(AT)
                    network.server.latency = latency
                    _lift_rate_limits(network.server)
                specs = [n.channel for n in networks]
                write_calendar(
                    Path(scratch) / "src",
                    specs,
                    posts,
                    body=f"Bench {trial} post {{n}}",
                    prefix=f"b{trial}",
                )
                remote = Remote(Path(scratch), Path(scratch) / "src")
                clone = remote.clone()
                report = None

                environ = secrets_env(specs)

                def publish(clone: Path = clone, env: dict[str, str] = environ) -> None:
                    nonlocal report
                    report = publish_in_process(clone, AT, env)

                runs.append(timed(publish))
                assert report is not None and report.count("published") == posts * len(networks)
                requests = sum(len(n.server.requests) for n in networks)
                floors.append(requests * latency)
        run, floor = statistics.median(runs), statistics.median(floors)
        print(
            f"run {run:.1f} s | requests x latency {floor:.1f} s | ratio {run / floor:.2f}x"
            f" | {posts * len(networks) / run:.1f} posts/s"
        )
    finally:
        for network in networks:
            network.stop()


def _lift_rate_limits(server: object) -> None:
    """The fakes enforce each network's real limits (Telegram: 20 a minute per channel); a
    throughput benchmark measures postcal, so it lifts them."""
    for name in ("rate_limit", "rate_per_minute", "daily_limit", "publish_limit"):
        if hasattr(server, name):
            setattr(server, name, 1_000_000)


def bench_cron_tick(repeat: int, posts: int = 10_000) -> None:
    """The common tick: nothing due on a big calendar whose past is published."""
    from postcal.ledger.records import LedgerRecord, write_record
    from tests.publish.gitrepo import Remote

    print(
        f"\n## postcal publish with nothing due, {posts} posts (half published), median of {repeat}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        source = generate(Path(scratch) / "src", posts)
        middle = NOW.replace(year=NOW.year + 2)
        for path in sorted((source / "calendar").rglob("*.md")):
            head = path.read_text(encoding="utf-8").split("---\n")[1]
            fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
            if fields["publish_at"] >= middle.strftime("%Y-%m-%dT%H:%M"):
                continue
            for channel in fields["channels"].strip("[]").split(", "):
                write_record(
                    source,
                    LedgerRecord(
                        post_id=fields["id"],
                        channel=channel,
                        status="published",
                        idempotency_key="k",
                    ),
                )
        remote = Remote(Path(scratch), source)
        clone = remote.clone()
        command = [
            sys.executable,
            "-m",
            "postcal",
            "publish",
            "--root",
            str(clone),
            "--now",
            middle.isoformat(),
        ]
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "b",
            "GIT_AUTHOR_EMAIL": "b@example.invalid",
            "GIT_COMMITTER_NAME": "b",
            "GIT_COMMITTER_EMAIL": "b@example.invalid",
        }

        def tick() -> None:
            result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            if result.returncode or "nothing due" not in result.stdout:
                raise SystemExit(f"tick failed: {result.stdout} {result.stderr}")

        def imports() -> None:
            subprocess.run([sys.executable, "-c", "import postcal.cli"], check=True)

        subject, baseline = side_by_side(repeat, tick, imports)
        print(
            f"tick {subject:.2f} s | python -c 'import postcal.cli' {baseline:.2f} s | ratio {subject / baseline:.1f}x"
        )


def bench_metrics(repeat: int, posts: int = 10_000, latency: float = 0.05) -> None:
    """A metrics run over ``posts`` published Bluesky posts, 50 ms per request, against the floor
    that the batched request count sets (25 URIs per getPosts, plus the session and profile)."""
    import math
    from datetime import timedelta

    from postcal.gitops import Git
    from postcal.ledger.records import LedgerRecord, write_record
    from postcal.metrics.run import MetricsRun
    from tests.fakes.bluesky import POST, FakeBluesky
    from tests.publish.gitrepo import Remote, git
    from tests.publish.scenario import AT, ChannelSpec, write_calendar

    print(
        f"\n## postcal metrics: {posts} published Bluesky posts, {latency * 1000:.0f} ms per"
        f" request, median of {repeat}"
    )
    password = "bench-app-password-0000"
    with FakeBluesky() as fake, tempfile.TemporaryDirectory() as scratch:
        did = fake.add_account("bench.test", password)
        spec = ChannelSpec(
            "sky", "bluesky", "bench.test", fake.base_url, {"app_password": password}
        )
        source = Path(scratch) / "src"
        write_calendar(source, [spec], 0)
        published = AT.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for number in range(posts):
            rkey = f"3lbench{number:07d}"
            fake.accounts[did].records[rkey] = ("bafybench", {"$type": POST, "text": f"p{number}"})
            write_record(
                source,
                LedgerRecord(
                    post_id=f"bench-{number:05d}",
                    channel="sky",
                    status="published",
                    idempotency_key=f"k{number}",
                    finished_at=published,
                    remote_id=f"at://{did}/{POST}/{rkey}",
                ),
            )
        remote = Remote(Path(scratch), source)
        seeded = git(remote.bare, "rev-parse", "main").strip()
        env = {"SKY_APP_PASSWORD": password}
        fake.latency = latency
        # A post is read once per age (due.AGES) and a run pushes what it took, so a later
        # trial on the same remote finds nothing due. Every trial is the same run instead:
        # the remote back at its seeded commit, a day after publishing, each post's 1d read.
        when = AT + timedelta(days=1, minutes=5)
        runs, floors = [], []
        for trial in range(repeat):
            git(remote.bare, "update-ref", "refs/heads/main", seeded)
            clone = remote.clone(f"trial{trial}")
            before = len(fake.requests)
            run = MetricsRun(clone, when, env, Git(clone))
            runs.append(timed(run.run))
            assert run.report.channels["sky"].posts == posts, run.report.text()
            requests = len(fake.requests) - before
            assert requests >= math.ceil(posts / 25)
            floors.append(requests * latency)
        median, floor = statistics.median(runs), statistics.median(floors)
        print(
            f"run {median:.1f} s | requests x latency {floor:.1f} s"
            f" ({round(floor / latency)} requests) | ratio {median / floor:.2f}x"
        )


def compile_package() -> None:
    """postcal's modules compiled to bytecode before anything is timed, as MkDocs' and
    Material's are (pip compiles what it installs). postcal runs from its source folder, where
    Python writes the bytecode at the first import, unless PYTHONDONTWRITEBYTECODE is set: then
    every process compiles postcal again, 0.08-0.10 s each here, and only postcal's side pays."""
    if not compileall.compile_dir(str(ROOT / "scripts" / "postcal"), quiet=1):
        raise SystemExit("bench: postcal's sources did not compile")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated post counts")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--site-repeat", type=int, default=5)
    parser.add_argument(
        "--only",
        choices=("lint", "x", "site", "site-metrics", "publish", "tick", "metrics"),
        help="run one benchmark",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    compile_package()
    if args.only in (None, "lint"):
        bench_lint(sizes, args.repeat)
    if args.only in (None, "x"):
        bench_x_counting(args.repeat)
    if args.only in (None, "site"):
        bench_site(sizes, args.site_repeat)
    if args.only in (None, "site-metrics"):
        bench_site_metrics(args.site_repeat)
    if args.only in (None, "publish"):
        bench_publish(args.site_repeat)
    if args.only in (None, "tick"):
        bench_cron_tick(args.repeat)
    if args.only in (None, "metrics"):
        bench_metrics(args.site_repeat)


if __name__ == "__main__":
    main()
