"""`postcal recycle`: the posts that did best, copied as drafts to refresh, on hand-made ledger
records and metric lines whose answers are worked out by hand below.

The calendar is conftest's (Europe/Bucharest, min gap 2 h, 3 posts a day, quiet 22:00-07:00,
one ready post on masto and sky on Thursday 3 December 10:00). NOW is Tuesday 1 December 2026
11:00. Followers: masto 1000, sky 500 (Mastodon and Bluesky divide by followers); X divides by
impressions.

| post | evergreen | out (local) | masto | sky | xx |
| --- | --- | --- | --- | --- | --- |
| A espresso-at-home-aaaa | yes | Thu 10 Sep 10:00 | 45 = 4.5% | | 10/1000 = 1.0% |
| B brew-guide-bbbb | | Tue 22 Sep 09:00 | 50 = 5.0% | 40 = 8.0% | |
| C cold-brew-cccc | | Fri 20 Nov 12:00 | 80 = 8.0% | | |
| D decaf-dddd | | Sat 1 Aug 18:00 | 100 = 10% | | |
| E espresso-blend-eeee | | Tue 15 Sep 10:00 | | 30 = 6.0% | |
| G grinder-gggg | | Fri 25 Sep 17:00 | 3 = 0.3% | | |
| H hario-hhhh | | Tue 20 Oct 12:00 | | 5 = 1.0% | |

F (a draft on sky, Wednesday 2 December 12:00) was recycled from E.

Over 90 days (from 2 September) masto ranks C 8, B 5, A 4.5, G 0.3, mean 17.8 / 4 = 4.45:
C, B and A did well. sky ranks B 8, E 6, H 1, mean 5: B and E did well. xx has A alone (1.0,
its own mean): nothing. D is out of the window. Order: A (evergreen) first; then by best rank
and rate over mean: C (1st on masto, 8 / 4.45 = 1.80), B (1st on sky, 8 / 5 = 1.6), E (2nd
on sky). C went out 11 days ago (cooldown 60 days); E has a copy (F).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from postcal.cli import main
from postcal.content.loader import load_calendar
from postcal.ledger.records import LedgerRecord, read_ledger, write_record
from postcal.lint.engine import lint
from postcal.metrics import fields
from postcal.metrics.snapshots import Snapshot, append_snapshots, read_snapshots
from postcal.problems import Severity
from postcal.proposals.recycle import Plan, plan_recycling, write_proposals
from tests.conftest import WriteFile, post_text

ZONE = ZoneInfo("Europe/Bucharest")
UTC = ZoneInfo("UTC")
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=ZONE)
MARK_A = (
    "[refresh] rewrite this copy of espresso-at-home-aaaa (out 2026-09-10), then delete this line"
)
MARK_B = "[refresh] rewrite this copy of brew-guide-bbbb (out 2026-09-22), then delete this line"

A_FRONT = """\
id: espresso-at-home-aaaa
title: Espresso at home
publish_at: 2026-09-10T10:00
channels: [masto, xx]
status: ready
evergreen: true
# the deadline below was for the launch week
not_after: 2026-09-10T18:00
tags: [espresso]
"""
A_BODY = """\
Espresso at home: grind fine, 18 g in, 36 g out, 28 seconds.

::: variant xx
Espresso at home, the short version.

::: thread
18 g in, 36 g out."""
B_FRONT = """\
id: brew-guide-bbbb
title: Brew guide
publish_at: 2026-09-22T09:00
channels: [masto, sky]
status: ready
"""
B_BODY = """\
Pour-over in four steps: rinse, bloom, pour, wait.

::: variant sky
Pour-over, four steps.

::: first-comment masto
Which dripper do you use?"""

A_COPY = f"""\
---
id: espresso-at-home-wxyz
recycled_from: espresso-at-home-aaaa
title: Espresso at home
publish_at: 2026-12-04T12:00
channels: [masto]
status: draft
evergreen: true
# the deadline below was for the launch week
tags: [espresso]
---
{MARK_A}

Espresso at home: grind fine, 18 g in, 36 g out, 28 seconds.
"""
B_COPY = f"""\
---
id: brew-guide-vwxy
recycled_from: brew-guide-bbbb
title: Brew guide
publish_at: 2026-12-05T18:00
channels: [masto, sky]
status: draft
---
{MARK_B}

Pour-over in four steps: rinse, bloom, pour, wait.

::: variant sky
{MARK_B}

Pour-over, four steps.

::: first-comment masto
Which dripper do you use?
"""


def zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def out(
    root: Path, post: str, channel: str, when: str, likes: int, impressions: int | None = None
) -> None:
    """A delivery out at ``when`` (local), measured 7 days later."""
    moment = datetime.fromisoformat(when).replace(tzinfo=ZONE)
    write_record(
        root,
        LedgerRecord(
            post_id=post,
            channel=channel,
            status="published",
            idempotency_key=f"{post}-{channel}",
            finished_at=zulu(moment),
        ),
    )
    metrics = dict.fromkeys(fields.NORMALISED) | {"likes": likes, "impressions": impressions}
    network = {"masto": "mastodon", "sky": "bluesky", "xx": "x"}[channel]
    snapshot = Snapshot(
        kind="post",
        channel=channel,
        network=network,
        fetched_at=zulu(moment + timedelta(days=7)),
        run="r1",
        metrics=metrics,
        post=post,
        remote_id=f"r-{post}",
        published_at=zulu(moment),
        age="7d",
    )
    append_snapshots(root, [snapshot])


def followers(root: Path, channel: str, network: str, count: int) -> None:
    snapshot = Snapshot(
        kind="account",
        channel=channel,
        network=network,
        fetched_at="2026-11-30T08:00:00Z",
        run="r1",
        metrics={"followers": count},
    )
    append_snapshots(root, [snapshot])


def simple(post_id: str, title: str, when: str, channels: str) -> str:
    front = f"id: {post_id}\ntitle: {title}\npublish_at: {when}\nchannels: {channels}\n"
    return post_text(front + "status: ready\n", f"{title}: notes from the roastery.")


@pytest.fixture
def history(calendar_root: Path, write_file: WriteFile) -> Path:
    root = calendar_root
    write_file("calendar/2026/09/10-espresso-at-home.md", post_text(A_FRONT, A_BODY))
    write_file("calendar/2026/09/22-brew-guide.md", post_text(B_FRONT, B_BODY))
    posts = {
        "cold-brew-cccc": ("Cold brew <b>@everyone</b>", "2026-11-20T12:00", "[masto]"),
        "decaf-dddd": ("Decaf", "2026-08-01T18:00", "[masto]"),
        "espresso-blend-eeee": ("Espresso blend", "2026-09-15T10:00", "[sky]"),
        "grinder-gggg": ("Grinder", "2026-09-25T17:00", "[masto]"),
        "hario-hhhh": ("Hario", "2026-10-20T12:00", "[sky]"),
    }
    for post_id, (title, when, channels) in posts.items():
        name = f"calendar/{when[:4]}/{when[5:7]}/{when[8:10]}-{post_id[:-5]}.md"
        write_file(name, simple(post_id, title, when, channels))
    copy = "id: espresso-blend-ffff\ntitle: Espresso blend again\npublish_at: 2026-12-02T12:00\n"
    copy += "channels: [sky]\nstatus: draft\nrecycled_from: espresso-blend-eeee\n"
    write_file("calendar/2026/12/02-espresso-blend-again.md", post_text(copy, "Blend, again."))
    followers(root, "masto", "mastodon", 1000)
    followers(root, "sky", "bluesky", 500)
    out(root, "espresso-at-home-aaaa", "masto", "2026-09-10T10:00", 45)
    out(root, "espresso-at-home-aaaa", "xx", "2026-09-10T10:00", 10, impressions=1000)
    out(root, "brew-guide-bbbb", "masto", "2026-09-22T09:00", 50)
    out(root, "brew-guide-bbbb", "sky", "2026-09-22T09:00", 40)
    out(root, "cold-brew-cccc", "masto", "2026-11-20T12:00", 80)
    out(root, "decaf-dddd", "masto", "2026-08-01T18:00", 100)
    out(root, "espresso-blend-eeee", "sky", "2026-09-15T10:00", 30)
    out(root, "grinder-gggg", "masto", "2026-09-25T17:00", 3)
    out(root, "hario-hhhh", "sky", "2026-10-20T12:00", 5)
    return root


def suffixes(*values: str) -> Iterator[str]:
    yield from values


def plan(root: Path, **options: object) -> Plan:
    calendar, _ = load_calendar(root)
    assert calendar.settings is not None
    entries, _ = read_ledger(root)
    snapshots, problems = read_snapshots(root)
    assert problems == []
    drawn = suffixes("wxyz", "vwxy", "tuvw")
    return plan_recycling(
        calendar,
        calendar.settings.model,
        [e.record for e in entries.values()],
        snapshots,
        NOW,
        suffix=lambda: next(drawn),
        **options,  # type: ignore[arg-type]
    )


def summary(found: Plan) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (p.candidate.post_id, f"{p.slot.at:%Y-%m-%d %H:%M}", p.candidate.channels)
        for p in found.proposals
    ]


def left_out(found: Plan) -> list[tuple[str, str]]:
    return [(s.candidate.post_id, s.said) for s in found.skipped]


def test_evergreen_first_then_rank_with_cooldown_and_earlier_copies_respected(
    history: Path,
) -> None:
    found = plan(history)
    # A on masto: the three best masto cells are Sat 18 (D, 100), Fri 12 (C, 80), Tue 9
    # (B, 50); Tuesday 1 Dec 09:00 has passed, so Friday 4 Dec 12:00. B on masto and sky (their
    # histories pooled: Tue 9 holds B twice, mean (50 + 40) / 2 = 45, and beats Thu 10's single
    # 45): Friday 12:00 is A's copy on masto (0 h apart), so Saturday 5 Dec 18:00.
    assert summary(found) == [
        ("espresso-at-home-aaaa", "2026-12-04 12:00", ("masto",)),
        ("brew-guide-bbbb", "2026-12-05 18:00", ("masto", "sky")),
    ]
    assert left_out(found) == [
        ("cold-brew-cccc", "last shared 2026-11-20 12:00, less than 60d ago"),
        ("espresso-blend-eeee", "already proposed: calendar/2026/12/02-espresso-blend-again.md"),
    ]
    [(a_rank, a_rated, a_mean)] = [
        (s.rank, s.rated, round(s.mean, 6)) for s in found.proposals[0].candidate.standings
    ]
    assert (a_rank, a_rated, a_mean) == (3, 4, 4.45)
    b = [
        (s.channel, s.rank, s.rated, s.numbers.engagements, s.numbers.denominator, s.rate)
        for s in found.proposals[1].candidate.standings
    ]
    assert b == [("masto", 2, 4, 50, 1000, 5.0), ("sky", 1, 3, 40, 500, 8.0)]
    assert [p.history for p in found.proposals] == [5, 8]


def test_the_copies_are_the_originals_redated_marked_and_trimmed(history: Path) -> None:
    found = plan(history)
    written = write_proposals(found)
    assert [p.relative_to(history).as_posix() for p in written] == [
        "calendar/2026/09/recycled-2026-12-04-espresso-at-home-wxyz.md",
        "calendar/2026/09/recycled-2026-12-05-brew-guide-vwxy.md",
    ]
    # A goes out on masto only (it did not beat X's mean): its X variant and thread part go,
    # and so do its old deadline; its comment and evergreen mark stay.
    assert written[0].read_text(encoding="utf-8") == A_COPY
    assert written[1].read_text(encoding="utf-8") == B_COPY


def test_the_copies_lint_as_drafts_to_refresh_and_block_when_ready(history: Path) -> None:
    written = write_proposals(plan(history))
    paths = [p.relative_to(history).as_posix() for p in written]
    found = lint(history, NOW, paths).problems
    # The marker lines, and nothing else: A's body starts on line 12 (after ten lines of front
    # matter and two fences); B's on line 9, and its sky variant's text on line 14.
    assert [(p.path, p.line, p.rule, p.severity) for p in found] == [
        (paths[0], 12, "refresh-text", Severity.WARNING),
        (paths[1], 9, "refresh-text", Severity.WARNING),
        (paths[1], 14, "refresh-text", Severity.WARNING),
    ]
    ready = A_COPY.replace("status: draft", "status: ready")
    written[0].write_text(ready, encoding="utf-8")
    marked = [p for p in lint(history, NOW, paths[:1]).problems if p.rule == "refresh-text"]
    assert [(p.line, p.severity, p.message, p.hint) for p in marked] == [
        (
            12,
            Severity.ERROR,
            "the text is marked for a refresh ('[refresh]')",
            "rewrite the text, then delete the line that starts with [refresh]",
        )
    ]


def test_recycled_from_must_name_another_post(history: Path, write_file: WriteFile) -> None:
    front = "id: typo-kkkk\ntitle: Typo\nstatus: idea\nrecycled_from: brew-guide-bbbx\n"
    write_file("calendar/2026/12/typo.md", post_text(front))
    front = "id: self-mmmm\ntitle: Self\nstatus: idea\nrecycled_from: self-mmmm\n"
    write_file("calendar/2026/12/self.md", post_text(front))
    found = [
        (p.path, p.line, p.column, p.severity, p.message, p.hint)
        for p in lint(history, NOW, ["calendar/2026/12"]).problems
        if p.rule == "recycled-from"
    ]
    assert found == [
        (
            "calendar/2026/12/self.md",
            5,
            16,
            Severity.ERROR,
            "recycled_from names this post itself",
            "name the post this one re-shares, or delete the line",
        ),
        (
            "calendar/2026/12/typo.md",
            5,
            16,
            Severity.ERROR,
            "recycled_from names 'brew-guide-bbbx', which no post has",
            "did you mean 'brew-guide-bbbb'?",
        ),
    ]


def test_a_wider_window_counts_older_posts_and_each_copy_keeps_its_good_channels(
    history: Path,
) -> None:
    found = plan(history, window=timedelta(days=150))
    # From 4 July, D counts: masto ranks D 10, C 8, B 5, A 4.5, G 0.3, mean 27.8 / 5 = 5.56.
    # D and C did well on masto; A no longer does; B only on sky. Order: D (1st, 10 / 5.56 =
    # 1.80), B (1st on sky, 1.6), C (2nd), E (2nd). B goes to sky alone, where only 3 posts have
    # numbers: the plain hours, and Tuesday 1 Dec 12:00 is free (F is on Wednesday).
    assert summary(found) == [
        ("decaf-dddd", "2026-12-04 12:00", ("masto",)),
        ("brew-guide-bbbb", "2026-12-01 12:00", ("sky",)),
    ]
    assert [s[0] for s in left_out(found)] == ["cold-brew-cccc", "espresso-blend-eeee"]
    assert found.proposals[1].history == 3 and found.proposals[1].slot.cell is None
    # Without masto, B's first comment for masto goes; the default text and sky's variant stay.
    text = found.proposals[1].text
    assert text.split("---\n", 2)[2] == (
        f"{MARK_B}\n\nPour-over in four steps: rinse, bloom, pour, wait.\n\n::: variant sky\n"
        f"{MARK_B}\n\nPour-over, four steps.\n"
    )
    assert "channels: [sky]\n" in text


def test_a_shorter_cooldown_lets_a_recent_post_in_up_to_the_limit(history: Path) -> None:
    found = plan(history, cooldown=timedelta(days=10))
    # C went out 10 days 23 hours ago. A takes Fri 4 Dec 12:00 and C the next masto cell free,
    # Sat 5 Dec 18:00; B (masto and sky) finds Friday and Saturday taken on masto: Tuesday 8
    # Dec 09:00. Three is the limit: E is never reached.
    assert summary(found) == [
        ("espresso-at-home-aaaa", "2026-12-04 12:00", ("masto",)),
        ("cold-brew-cccc", "2026-12-05 18:00", ("masto",)),
        ("brew-guide-bbbb", "2026-12-08 09:00", ("masto", "sky")),
    ]
    assert found.skipped == ()
    assert summary(plan(history, limit=1)) == [
        ("espresso-at-home-aaaa", "2026-12-04 12:00", ("masto",))
    ]


def test_a_post_with_a_copy_in_the_calendar_is_never_proposed_again(history: Path) -> None:
    write_proposals(plan(history))
    again = plan(history)
    assert again.proposals == ()
    assert left_out(again) == [
        (
            "espresso-at-home-aaaa",
            "already proposed: calendar/2026/09/recycled-2026-12-04-espresso-at-home-wxyz.md",
        ),
        ("cold-brew-cccc", "last shared 2026-11-20 12:00, less than 60d ago"),
        (
            "brew-guide-bbbb",
            "already proposed: calendar/2026/09/recycled-2026-12-05-brew-guide-vwxy.md",
        ),
        ("espresso-blend-eeee", "already proposed: calendar/2026/12/02-espresso-blend-again.md"),
    ]


def test_a_front_matter_the_copy_cannot_follow_is_left_out_with_the_reason(
    history: Path, write_file: WriteFile
) -> None:
    flow = (
        "---\n{id: espresso-at-home-aaaa, title: Espresso at home, publish_at:"
        " 2026-09-10T10:00, channels: [masto, xx], status: ready, evergreen: true}\n---\nHi\n"
    )
    write_file("calendar/2026/09/10-espresso-at-home.md", flow)
    found = plan(history)
    assert left_out(found)[0] == (
        "espresso-at-home-aaaa",
        "cannot be copied: the copy would not load: YAML syntax error: while scanning a simple"
        " key could not find expected ':'",
    )
    # (One flow mapping holds every key on line 2: the edited lines no longer make a mapping,
    # and the copy is read back before anything is written.)
    assert not list(history.rglob("recycled-*"))
    assert [p.candidate.post_id for p in found.proposals] == ["brew-guide-bbbb"]


# --- the command ----------------------------------------------------------------------------


def run(*args: str) -> Result:
    result = CliRunner(env={"POSTCAL_NOW": None}).invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


PR_BODY = """\
## Recycle what worked

As of 2026-12-01 11:00 (Europe/Bucharest): posts out in the last 90d whose engagement rate on \
a channel beat that channel's mean over the same days, by the network's own formula, and last \
shared at least 60d ago; evergreen posts first, at most 3.

Each copy is a draft beside its original, on the channels where the original did well. \
Rewrite its text (each line that starts with `[refresh]` marks one), check the time, and set \
`status: ready`.

### 1. `Espresso at home`

- **Copy:** `calendar/2026/09/recycled-2026-12-04-espresso-at-home-wxyz.md`, id \
`espresso-at-home-wxyz`, a draft, evergreen
- **Of:** `espresso-at-home-aaaa` (`calendar/2026/09/10-espresso-at-home.md`), last out 2026-09-10
- **When:** Fri 2026-12-04 12:00 on masto: 1 post(s) out at this hour on a Friday, mean 80.0 \
engagements

| channel | engagement rate | engagements | over | formula | rank, last 90d |
| --- | ---: | ---: | ---: | --- | --- |
| masto | 4.50% | 45 | 1000 followers | Mastodon: (likes + shares + replies + quotes) / \
followers | 3rd of 4 (mean 4.45%) |

### 2. `Brew guide`

- **Copy:** `calendar/2026/09/recycled-2026-12-05-brew-guide-vwxy.md`, id `brew-guide-vwxy`, \
a draft
- **Of:** `brew-guide-bbbb` (`calendar/2026/09/22-brew-guide.md`), last out 2026-09-22
- **When:** Sat 2026-12-05 18:00 on masto, sky: 1 post(s) out at this hour on a Saturday, \
mean 100.0 engagements

| channel | engagement rate | engagements | over | formula | rank, last 90d |
| --- | ---: | ---: | ---: | --- | --- |
| masto | 5.00% | 50 | 1000 followers | Mastodon: (likes + shares + replies + quotes) / \
followers | 2nd of 4 (mean 4.45%) |
| sky | 8.00% | 40 | 500 followers | Bluesky: (likes + shares + replies + quotes + saves) / \
followers | 1st of 3 (mean 5.00%) |

### Left out

- `cold-brew-cccc` `Cold brew <b>@everyone</b>`: last shared 2026-11-20 12:00, less than 60d ago
- `espresso-blend-eeee` `Espresso blend`: already proposed: \
`calendar/2026/12/02-espresso-blend-again.md`
"""


def test_recycle_writes_the_copies_and_the_pull_request_body(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = suffixes("wxyz", "vwxy")
    monkeypatch.setattr("postcal.proposals.recycle.random_suffix", lambda: next(drawn))
    body = tmp_path / "body.md"
    result = run(
        "recycle", "--root", str(history), "--now", NOW.isoformat(), "--pr-body", str(body)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "calendar/2026/09/recycled-2026-12-04-espresso-at-home-wxyz.md",
        "calendar/2026/09/recycled-2026-12-05-brew-guide-vwxy.md",
    ]
    assert result.stderr.splitlines()[-2:] == [
        "postcal: left out cold-brew-cccc: last shared 2026-11-20 12:00, less than 60d ago",
        "postcal: left out espresso-blend-eeee: already proposed:"
        " calendar/2026/12/02-espresso-blend-again.md",
    ]
    assert body.read_text(encoding="utf-8") == PR_BODY
    copy = history / "calendar/2026/09/recycled-2026-12-04-espresso-at-home-wxyz.md"
    assert copy.read_text(encoding="utf-8") == A_COPY


def test_nothing_to_recycle_writes_no_file_and_says_so(history: Path, tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    before = sorted(p for p in (history / "calendar").rglob("*.md"))
    result = run(
        "recycle",
        "--root",
        str(history),
        "--now",
        NOW.isoformat(),
        "--window",
        "30d",
        "--cooldown",
        "20d",
        "--pr-body",
        str(body),
    )
    # From 1 November only C is out (masto, alone, so not above its own mean): nothing did well.
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "postcal: nothing to recycle"
    assert sorted(p for p in (history / "calendar").rglob("*.md")) == before
    assert body.read_text(encoding="utf-8").endswith("at most 3.\n\nNothing to recycle.\n")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--window", "30d", "--cooldown", "30d"],
            "postcal: --cooldown 30d is not shorter than --window 30d: every post out in the"
            " window was shared within the cooldown (make --cooldown shorter)",
        ),
        (
            ["--window", "90 days"],
            "postcal: --window: '90 days' is not a duration (write a number and a unit: 30m,"
            " 2h, 7d, 6w)",
        ),
        (["--cooldown", "0d"], "postcal: --cooldown: must be longer than 0 (like 30d)"),
    ],
)
def test_options_that_cannot_work_are_refused(history: Path, args: list[str], said: str) -> None:
    result = run("recycle", "--root", str(history), "--now", NOW.isoformat(), *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == said


def test_a_post_with_no_free_time_on_its_channels_is_left_out(history: Path) -> None:
    settings = history / "postcal.yml"
    text = settings.read_text(encoding="utf-8")
    quiet = 'quiet_hours: {start: "22:00", end: "07:00"}'
    settings.write_text(
        text.replace(quiet, 'quiet_hours: {start: "08:00", end: "23:00"}'), encoding="utf-8"
    )
    found = plan(history)
    # Every candidate cell (Saturday 18, Friday 12, Tuesday 9) is inside 08:00-23:00.
    assert found.proposals == ()
    assert left_out(found) == [
        ("espresso-at-home-aaaa", "no free time on masto in the next 28 days"),
        ("cold-brew-cccc", "last shared 2026-11-20 12:00, less than 60d ago"),
        ("brew-guide-bbbb", "no free time on masto, sky in the next 28 days"),
        ("espresso-blend-eeee", "already proposed: calendar/2026/12/02-espresso-blend-again.md"),
    ]


def test_the_post_schema_has_evergreen_and_recycled_from() -> None:
    from postcal.schema import schema_documents

    properties = schema_documents()["post.schema.json"]["properties"]
    assert properties["evergreen"] == {
        "default": False,
        "description": "Still worth saying months later: `postcal recycle` considers it first",
        "title": "Evergreen",
        "type": "boolean",
    }
    assert properties["recycled_from"]["default"] is None
    assert properties["recycled_from"]["description"] == (
        "The id of the post this one re-shares (written by `postcal recycle`)"
    )
