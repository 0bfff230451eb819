"""The command line: the only module that prints and exits.

Each command imports what it needs when it runs: the common cron tick (``postcal publish``
with nothing due) must not pay for the content model, lint and every network's client.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import click

from postcal import collector
from postcal.clock import Moment, resolve_moment
from postcal.errors import PostcalError
from postcal.lint.output import FORMATS, FORMATTERS, line_reader, summary
from postcal.networks import NETWORKS
from postcal.problems import Problem
from postcal.secrets import REDACTOR

if TYPE_CHECKING:
    from postcal.content.models import Settings
    from postcal.gitops import Git
    from postcal.slots import Suggestions

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="The calendar repository.",
)
now_option = click.option(
    "--now",
    metavar="ISO",
    help="Pretend it is this time (also POSTCAL_NOW). Default: postcal.yml as_of, else the clock.",
)


def _fail(message: str) -> NoReturn:
    click.echo(f"postcal: {message}", err=True)
    sys.exit(EXIT_USAGE)


class PinnedCalendar(PostcalError):
    """postcal.yml pins ``as_of``: the calendar is a snapshot and must not go out."""


def _now(option: str | None, root: Path, *, live: bool = False) -> datetime:
    """The moment to work at: ``--now``, POSTCAL_NOW, postcal.yml's ``as_of`` or the clock.
    POSTCAL_NOW and ``as_of`` (nothing on the command line shows them) are said on stderr;
    ``live`` (publish, metrics) refuses ``as_of``."""
    from postcal.content.loader import load_settings

    settings_file = load_settings(root)[0] if root.is_dir() else None
    settings = settings_file.model if settings_file else None
    as_of = settings.as_of if settings else None
    if live and as_of is not None:
        raise PinnedCalendar(
            f"postcal.yml pins as_of: {as_of.isoformat()}: this calendar is a snapshot shown as"
            " of that moment, and nothing is published or fetched for it. Delete the as_of line"
            " to go live (or pass --dry-run to see what would go out)"
        )
    return _announced(resolve_moment(option, os.environ, as_of), settings.zone if settings else UTC)


def _announced(moment: Moment, zone: tzinfo) -> datetime:
    note = moment.note(zone)
    if note:
        click.echo(f"postcal: {note}", err=True)
    return moment.at


class ErrorBoundary(click.Group):
    """The one place postcal's own errors become a message and an exit code, never a
    traceback: every command runs inside it."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PostcalError as exc:
            _fail(REDACTOR.redact(str(exc)))


@click.group(cls=ErrorBoundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="postcal")
def main() -> None:
    """Social media management as code."""


@main.command()
@click.argument("paths", nargs=-1)
@root_option
@now_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    help="Default: github under GitHub Actions, else human.",
)
def lint(paths: tuple[str, ...], root: Path, now: str | None, output_format: str | None) -> None:
    """Check the whole calendar and report every problem at once.

    PATHS (files or folders, relative to the root) limit what is reported; the whole calendar
    is always loaded so references can be checked. Exit 0: clean (warnings allowed), 1: errors,
    2: usage or configuration error.
    """
    moment = _now(now, root)
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "human"
    if not root.is_dir():
        _fail(f"{root} is not a directory")
    with collector.paused(then_freeze=True):  # the process ends after the output
        _lint_and_report(root, moment, paths, output_format)


def _lint_and_report(
    root: Path, moment: datetime, paths: tuple[str, ...], output_format: str
) -> NoReturn:
    from postcal.lint.engine import lint as run_lint

    relative = [p.replace(os.sep, "/").removeprefix("./") for p in paths]
    result = run_lint(root, moment, relative, parallel=True)
    text = FORMATTERS[output_format](result.problems, line_reader(result.calendar.root))
    click.echo(text, nl=False)
    if output_format == "human":
        click.echo(
            ("\n" if result.problems else "") + summary(result.problems, result.files), err=True
        )
    if result.calendar.settings is None:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if result.errors else EXIT_OK)


@main.command()
@click.option("--platform", "-p", required=True, type=click.Choice(sorted(NETWORKS)))
@click.option(
    "--limit", type=click.IntRange(min=1), help="Override the limit (Mastodon instances)."
)
def measure(platform: str, limit: int | None) -> None:
    """Measure the text on stdin as PLATFORM counts it. Exit 1 when it is too long."""
    from postcal.text.measure import measure as measure_text

    text = sys.stdin.read()
    if text.endswith("\n"):
        text = text[:-1]  # the newline that ends the terminal input is not part of the text
    result = measure_text(text, platform, limit=limit)
    verdict = "fits" if result.ok else "too long"
    click.echo(f"{result.platform}: {result.describe()} ({verdict})")
    sys.exit(EXIT_OK if result.ok else EXIT_PROBLEMS)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".postcal/schemas"),
    show_default=True,
)
def schema(out: Path) -> None:
    """Write JSON Schemas for postcal.yml, posts, personas and campaigns."""
    from postcal.schema import write_schemas

    for path in write_schemas(out):
        click.echo(str(path))


AT_EXAMPLE = "2026-12-03T10:00"


SLOT_HORIZON = 28


def _suggestions(
    root: Path, settings: Settings, channels: list[str], now: datetime, start: datetime, count: int
) -> Suggestions:
    from postcal.content.loader import load_calendar
    from postcal.ledger.records import read_ledger
    from postcal.metrics.snapshots import read_snapshots
    from postcal.slots import history, suggest

    calendar, _ = load_calendar(
        root
    )  # lint reports the calendar's problems; here they only hide posts
    entries, _ = read_ledger(root)
    snapshots, _ = read_snapshots(root)
    records = [entry.record for entry in entries.values()]
    taken, numbers = history(calendar, settings, records, snapshots, channels, now)
    return suggest(settings, channels, taken, numbers, start, count)


@main.command()
@click.argument("channel")
@click.option("--count", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--from", "start", metavar="TIME", help=f"Like {AT_EXAMPLE}; default: now.")
@root_option
@now_option
def slots(channel: str, count: int, start: str | None, root: Path, now: str | None) -> None:
    """The next free times on CHANNEL, best first by our own engagement by weekday and hour
    (the site's heatmap), within its min gap, daily cap and quiet hours."""
    from postcal.content.loader import load_settings
    from postcal.content.times import TimeProblem, parse_datetime
    from postcal.scaffold import unknown_channel
    from postcal.slots import why

    moment = _now(now, root)
    settings_file, problems = load_settings(root)
    if settings_file is None:
        _report_and_exit(root, problems)
        return
    settings = settings_file.model
    if channel not in settings.channels:
        _fail(unknown_channel(channel, settings.channels))
    begin = moment
    if start is not None:
        try:
            begin = max(moment, parse_datetime(start, settings.zone))
        except TimeProblem as exc:
            _fail(f"--from: {exc} (like {AT_EXAMPLE})")
    found = _suggestions(root, settings, [channel], moment, begin, count)
    click.echo(f"{channel}: {found.basis}")
    if not found.slots:
        click.echo(f"no free time in the next {SLOT_HORIZON} days")
    for slot in found.slots:
        click.echo(f"{slot.at:%Y-%m-%d %a %H:%M}  {why(slot)}")


@main.command()
@click.argument("title")
@click.option(
    "--at",
    "at",
    required=True,
    metavar="TIME",
    help=f"Like {AT_EXAMPLE} (calendar time zone); not before now. `next`: the first time"
    " `postcal slots` suggests for all the channels.",
)
@click.option("--channels", required=True, help="Comma-separated channel ids.")
@click.option("--campaign", help="Campaign id (file stem under campaigns/).")
@root_option
@now_option
def new(
    title: str, at: str, channels: str, campaign: str | None, root: Path, now: str | None
) -> None:
    """Create a draft post with a fresh id, in the right place under calendar/, with the
    optional fields (type, personas, link, media) as comments to fill in."""
    from postcal.content.loader import load_settings
    from postcal.scaffold import plan_post, random_suffix, write_post

    moment = _now(now, root)
    settings, problems = load_settings(root)
    if settings is None:
        _report_and_exit(root, problems)
        return
    if campaign and not (root / "campaigns" / f"{campaign}.yml").is_file():
        _fail(f"no campaign '{campaign}' (campaigns/{campaign}.yml)")
    chosen = [c.strip() for c in channels.split(",") if c.strip()]
    if at == "next" and chosen and all(c in settings.model.channels for c in chosen):
        found = _suggestions(root, settings.model, chosen, moment, moment, 1)
        if not found.slots:
            _fail(f"no free time on {', '.join(chosen)} in the next {SLOT_HORIZON} days")
        at = f"{found.slots[0].at:%Y-%m-%dT%H:%M}"
        click.echo(f"postcal: --at next is {at} ({found.basis})", err=True)
    try:
        planned = plan_post(
            root, settings.model, title, at, chosen, campaign, random_suffix(), now=moment
        )
        write_post(planned)
    except FileExistsError:
        _fail("that file appeared meanwhile; run again")
    click.echo(planned.path.relative_to(root).as_posix())


def _duration(name: str, text: str) -> timedelta:
    from postcal.content.times import TimeProblem, parse_duration

    try:
        value = parse_duration(text)
    except TimeProblem as exc:
        message, hint = exc.args
        _fail(f"{name}: {message} ({hint})")
    if not value:
        _fail(f"{name}: must be longer than 0 (like 30d)")
    return value


@main.command()
@click.option("--window", default="90d", show_default=True, help="Rank posts out this recently.")
@click.option(
    "--cooldown", default="60d", show_default=True, help="Leave posts shared this recently."
)
@click.option("--limit", type=click.IntRange(1, 50), default=3, show_default=True)
@click.option(
    "--pr-body",
    "pr_body_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the pull request's Markdown body here: each copy and its numbers.",
)
@root_option
@now_option
def recycle(
    window: str, cooldown: str, limit: int, pr_body_file: Path | None, root: Path, now: str | None
) -> None:
    """Copy the posts that did best (engagement rate per network, over the window) and were
    last shared before the cooldown into new drafts at free times, marked for a refresh,
    evergreen posts first. Prints each file written. Exit 0, also with nothing to recycle;
    2 for a usage or configuration error."""
    from postcal.content.loader import load_calendar
    from postcal.ledger.records import read_ledger
    from postcal.metrics.snapshots import read_snapshots
    from postcal.proposals.recycle import plan_recycling, write_proposals
    from postcal.proposals.recycle_note import pr_body

    moment = _now(now, root)
    spans = _duration("--window", window), _duration("--cooldown", cooldown)
    calendar, problems = load_calendar(root)  # lint reports them; here they only hide posts
    if calendar.settings is None:
        _report_and_exit(root, problems)
        return
    entries, _ = read_ledger(root)
    snapshots, _ = read_snapshots(root)
    records = [entry.record for entry in entries.values()]
    plan = plan_recycling(
        calendar,
        calendar.settings.model,
        records,
        snapshots,
        moment,
        window=spans[0],
        cooldown=spans[1],
        limit=limit,
    )
    try:
        written = write_proposals(plan)
        if pr_body_file is not None:
            pr_body_file.write_text(pr_body(plan), encoding="utf-8")
    except FileExistsError as exc:
        _fail(f"{exc.filename} appeared meanwhile; run again")
    except OSError as exc:
        _fail(f"cannot write {exc.filename}: {exc.strerror or exc}")
    for path in written:
        click.echo(path.relative_to(calendar.root).as_posix())
    for item in plan.skipped:
        click.echo(f"postcal: left out {item.candidate.post_id}: {item.said}", err=True)
    if not written:
        click.echo("postcal: nothing to recycle", err=True)


@main.command()
@click.argument("source")
@click.option("--channels", required=True, help="Comma-separated channel ids, one draft each.")
@click.option(
    "--start",
    metavar="DAY",
    help="First day (like 2026-12-03) or time (like 2026-12-03T10:00); default: tomorrow.",
)
@click.option("--campaign", help="Campaign id (file stem under campaigns/).")
@click.option("--dry-run", is_flag=True, help="Print the paths it would write; write nothing.")
@root_option
@now_option
def atomize(
    source: str,
    channels: str,
    start: str | None,
    campaign: str | None,
    dry_run: bool,
    root: Path,
    now: str | None,
) -> None:
    """Turn an article (an http(s) URL, or a Markdown or HTML file) into draft posts for
    the chosen channels: a thread on X, Bluesky, Mastodon and Threads, a longer LinkedIn text,
    an Instagram caption with a carousel outline, a single post elsewhere; one a day from
    --start, within each channel's rules. Prints the paths written.

    Exit 0 when the drafts are written; 2 when the article cannot be read or the drafts
    cannot be placed (nothing is written then).
    """
    from postcal.content.loader import load_settings
    from postcal.proposals.atomize import atomize as plan_drafts
    from postcal.proposals.atomize import paths_to_write, start_at, write_drafts

    moment = _now(now, root)
    settings, problems = load_settings(root)
    if settings is None:
        _report_and_exit(root, problems)
        return
    chosen = [c.strip() for c in channels.split(",") if c.strip()]
    planned = plan_drafts(
        source,
        root=root,
        settings=settings.model,
        channels=chosen,
        start=start_at(start, moment, settings.model.zone),
        campaign=campaign,
    )
    written = paths_to_write(planned) if dry_run else write_drafts(planned)
    base = root.resolve()
    for path in written:
        click.echo(path.relative_to(base).as_posix())


@main.command()
@root_option
@now_option
@click.option(
    "--known",
    "known_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Proposal branches that exist or had a pull request, one a line (what"
    " `scripts/ci/propose.py known` prints): their entries count as seen.",
)
@click.option(
    "--proposals",
    "proposals_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".postcal/proposals"),
    show_default=True,
    help="Where each proposal's pull request is described (`scripts/ci/propose.py manifests`).",
)
def feeds(root: Path, now: str | None, known_file: Path | None, proposals_dir: Path) -> None:
    """Check the feeds in postcal.yml and, for each new article, write its draft posts
    (atomized for the feed's channels), remember the entry under data/feeds/, and describe its
    pull request in --proposals. Nothing is committed, pushed or posted.

    Exit 0 when every feed was read (with or without news); 1 when a feed or an article could
    not be read (the others still get their proposals); 2 for a usage or configuration error.
    """
    from postcal.content.loader import load_settings
    from postcal.proposals.feeds_run import FeedsRun
    from postcal.proposals.feeds_seen import known_keys

    moment = _now(now, root)
    settings, problems = load_settings(root)
    if settings is None:
        _report_and_exit(root, problems)
        return
    if not settings.model.feeds:
        click.echo("feeds: postcal.yml lists no feeds (add `feeds:`; see the README)")
        return
    known: frozenset[str] = frozenset()
    if known_file is not None:
        try:
            known = known_keys(known_file.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"cannot read --known {known_file}: {exc}")
    report = FeedsRun(root, settings.model, moment, proposals=proposals_dir, known=known).run()
    click.echo(report.text(), nl=False)
    sys.exit(EXIT_PROBLEMS if report.failed else EXIT_OK)


@main.command()
@root_option
@now_option
@click.option("--dry-run", is_flag=True, help="Show what would be sent where; change nothing.")
@click.option(
    "--no-git", is_flag=True, help="Do not sync, commit or push (local experiments only)."
)
@click.option(
    "--summary",
    "summary_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a Markdown summary here (default: $GITHUB_STEP_SUMMARY when set).",
)
def publish(
    root: Path, now: str | None, dry_run: bool, no_git: bool, summary_file: Path | None
) -> None:
    """Publish every due post to every channel exactly once, and record it in data/.

    Exit 0 when everything due went out (or nothing was due); 1 when anything failed, is
    unconfirmed, is only partly out (a first comment still owed), or is blocked (lint errors,
    a channel whose secrets are missing); 2 for a usage or configuration error.
    """
    from postcal.gitops import Git
    from postcal.publish import summary
    from postcal.publish.quickscan import plain_zone
    from postcal.publish.report import Report
    from postcal.publish.tick import nothing_to_do

    git = None if (no_git or dry_run) else Git(root.resolve())
    target = summary_file or (
        Path(os.environ["GITHUB_STEP_SUMMARY"]) if os.environ.get("GITHUB_STEP_SUMMARY") else None
    )
    zone = None if dry_run else plain_zone(root)
    if zone is not None:
        moment = resolve_moment(now, os.environ, None)
        if nothing_to_do(root, moment.at, git):
            _announced(moment, zone)
            _write_summaries(summary.text(Report()), summary.markdown(Report()), target)
            sys.exit(EXIT_OK)
    _publish(root, _now(now, root, live=not dry_run), dry_run, git, target)


def _write_summaries(text: str, markdown: str, target: Path | None) -> None:
    click.echo(text, nl=False)
    if target is not None:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(markdown)


def _publish(
    root: Path, moment: datetime, dry_run: bool, git: Git | None, target: Path | None
) -> NoReturn:
    from postcal.publish import summary
    from postcal.publish.runner import Publisher
    from postcal.secrets import secrets_environment

    environ = secrets_environment(os.environ)
    publisher = Publisher(
        root.resolve(),
        moment,
        environ,
        git,
        sleep=time.sleep,
        dry_run=dry_run,
        progress=lambda line: click.echo(line, err=True),
    )
    report = publisher.run()
    _write_summaries(summary.text(report), summary.markdown(report), target)
    sys.exit(EXIT_PROBLEMS if report.failed else EXIT_OK)


@main.command()
@root_option
@now_option
@click.option(
    "--no-git", is_flag=True, help="Do not sync, commit or push (local experiments only)."
)
def metrics(root: Path, now: str | None, no_git: bool) -> None:
    """Fetch the numbers that are due (posts at 1 h, 1 d, 7 d and 30 d; followers daily) and
    append them under data/metrics/.

    Exit 0 when every channel due was read; 1 when a channel could not be (its snapshots are
    fetched by the next run); 2 for a usage or configuration error.
    """
    from postcal.gitops import Git
    from postcal.metrics.run import MetricsRun
    from postcal.secrets import secrets_environment

    git = None if no_git else Git(root.resolve())
    environ = secrets_environment(os.environ)
    report = MetricsRun(
        root.resolve(), _now(now, root, live=True), environ, git, sleep=time.sleep
    ).run()
    click.echo(report.text(), nl=False)
    sys.exit(EXIT_PROBLEMS if report.failed else EXIT_OK)


@main.command()
@root_option
@now_option
@click.option(
    "--no-git", is_flag=True, help="Do not sync, commit or push (local experiments only)."
)
@click.option(
    "--markdown",
    "markdown_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the list as Markdown here (a job summary, the inbox issue).",
)
@click.option(
    "--outputs",
    "outputs_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append `awaiting=<count>` here (a workflow's $GITHUB_OUTPUT).",
)
def inbox(
    root: Path,
    now: str | None,
    no_git: bool,
    markdown_file: Path | None,
    outputs_file: Path | None,
) -> None:
    """Read the replies, comments and mentions addressed to each channel's account, list what
    awaits an answer (oldest first, by post), and append ids, permalinks and times (never
    anyone's words) under data/inbox/.

    Exit 0 when every channel with an inbox was read, whatever awaits; 1 when a channel could
    not be read (the next run tries again); 2 for a usage or configuration error.
    """
    from postcal.gitops import Git
    from postcal.inbox import show
    from postcal.inbox.run import InboxRun
    from postcal.secrets import secrets_environment

    git = None if no_git else Git(root.resolve())
    environ = secrets_environment(os.environ)
    report = InboxRun(
        root.resolve(), _now(now, root, live=True), environ, git, sleep=time.sleep
    ).run()
    click.echo(show.text(report), nl=False)
    try:
        if markdown_file is not None:
            markdown_file.write_text(show.markdown(report), encoding="utf-8")
        if outputs_file is not None:
            with outputs_file.open("a", encoding="utf-8") as outputs:
                outputs.write(f"awaiting={len(report.waiting)}\n")
    except OSError as exc:
        _fail(f"cannot write {exc.filename}: {exc.strerror or exc}")
    sys.exit(EXIT_PROBLEMS if report.failed else EXIT_OK)


@main.command()
@root_option
@click.option(
    "--from",
    "start",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day (calendar's zone).",
)
@click.option(
    "--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day, included."
)
@click.option(
    "--out",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="CSV file (default: standard output).",
)
def export(root: Path, start: datetime, end: datetime, out: TextIO) -> None:
    """Write a CSV of the posts published from --from to --to with their latest numbers.

    Empty number cells are unknown (not given by the network, or not fetched yet), never 0.
    """
    from postcal.content.loader import load_calendar
    from postcal.ledger.records import read_ledger
    from postcal.metrics.export import export_rows, write_csv
    from postcal.metrics.snapshots import read_snapshots

    calendar, problems = load_calendar(root)
    if calendar.settings is None:
        _report_and_exit(root, problems)
        return
    settings = calendar.settings.model
    ledger, _ = read_ledger(calendar.root)
    snapshots, unreadable = read_snapshots(calendar.root)
    for problem in unreadable:
        click.echo(f"{problem.path}:{problem.line}:{problem.column}: {problem.message}", err=True)
    rows = export_rows(
        [entry.record for entry in ledger.values()],
        snapshots,
        {post.id: post.front.title for post in calendar.posts if post.id},
        {name: channel.platform for name, channel in settings.channels.items()},
        start.date(),
        end.date(),
        settings.zone,
    )
    write_csv(rows, out)


@main.command()
@click.option(
    "--base", required=True, metavar="REF", help="Compare with this branch or commit (main)."
)
@root_option
@now_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown here (like $GITHUB_STEP_SUMMARY). Default: standard output.",
)
def preview(base: str, root: Path, now: str | None, out: Path | None) -> None:
    """Preview a change against --base as Markdown: each post it adds or changes as each of
    its channels will show it (text, length, media, time, problems), then what changes on the
    calendar (new, moved, removed) and any min-gap or daily-cap clash with posts on the base.

    Exit 0 also when posts have problems (`postcal lint` is the check); 2 for a --base that
    names no commit, or a calendar that cannot be read.
    """
    from postcal.review.preview import preview_markdown

    if not root.is_dir():
        _fail(f"{root} is not a directory")
    text = preview_markdown(root.resolve(), base, _now(now, root))
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror or exc}")


@main.command()
def rules() -> None:
    """Print the documentation of every lint rule (Markdown)."""
    from postcal.lint.rules_doc import rules_markdown

    click.echo(rules_markdown(), nl=False)


@main.command()
@root_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the file differs.")
def codeowners(root: Path, check: bool) -> None:
    """Write .github/CODEOWNERS: each post to the reviewers of its campaign and channels.

    Exit 0 when written or already up to date (and when no `reviewers:` are configured: the
    file is then left alone), 1 when --check finds it out of step, 2 when the calendar does
    not load completely (fix what lint reports first).
    """
    from postcal.content.loader import load_calendar
    from postcal.review import codeowners as owners

    calendar, problems = load_calendar(root)
    blocking = problems if calendar.settings is None else owners.blocking(problems)
    if blocking:
        _report_and_exit(root, blocking)
    text = owners.codeowners_text(calendar)
    if text is None:
        click.echo("no `reviewers:` in postcal.yml or campaigns/: nothing to route", err=True)
        return
    if check:
        found = owners.drift(calendar.root, text)
        if found is not None:
            click.echo(f"{owners.PATH}:{found.line}:{found.column}: {found.message}", err=True)
            click.echo("  hint: run `postcal codeowners`", err=True)
            sys.exit(EXIT_PROBLEMS)
        click.echo(f"{owners.PATH} is up to date")
        return
    try:
        written = owners.write(calendar.root, text)
    except OSError as exc:
        _fail(f"cannot write {owners.PATH}: {exc.strerror or exc}")
    click.echo(f"wrote {owners.PATH}" if written else f"{owners.PATH} is up to date")


@main.command()
@root_option
@now_option
@click.option(
    "--warn-days",
    type=click.IntRange(min=0),
    default=14,
    show_default=True,
    help="Report credentials that expire within this many days.",
)
@click.option(
    "--markdown",
    "markdown_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as Markdown here (an issue body, a job summary).",
)
def doctor(root: Path, now: str | None, warn_days: int, markdown_file: Path | None) -> None:
    """Check every channel's credentials against its network with read-only calls, and how
    long the repository has been quiet (GitHub stops scheduled workflows after 60 days).

    One line per channel: the verdict, the expiry date where the network gives one, and what
    to do. Exit 0 when all is well (a network that cannot be reached is reported, not failed);
    1 when credentials expire within --warn-days, are expired, revoked, for the wrong account
    or missing, a check was refused, or the repository has had no commit for 50 days; 2 for a
    usage or configuration error.
    """
    from postcal.doctor import diagnose
    from postcal.gitops import Git
    from postcal.secrets import secrets_environment

    if not root.is_dir():
        _fail(f"{root} is not a directory")
    report = diagnose(
        root.resolve(),
        _now(now, root),
        secrets_environment(os.environ),
        warn_days=warn_days,
        git=Git(root.resolve()),
    )
    click.echo(report.text(), nl=False)
    if markdown_file is not None:
        try:
            markdown_file.write_text(report.markdown(), encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {markdown_file}: {exc.strerror or exc}")
    sys.exit(EXIT_PROBLEMS if report.failed else EXIT_OK)


def _report_and_exit(root: Path, problems: list[Problem]) -> None:
    click.echo(FORMATTERS["human"](problems, line_reader(root)), nl=False, err=True)
    sys.exit(EXIT_USAGE)


def run() -> NoReturn:
    """The console entry point: ``main``, then an exit that skips tearing objects down.

    Freeing a 10,000-post calendar object by object takes a quarter of a second after the
    output is complete. By then every file is closed, so the exit flushes the standard streams
    and ends the process (mypy ends the same way)."""
    try:
        main()
        code = EXIT_OK
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else EXIT_OK if exc.code is None else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
