"""`postcal preview --base REF` on real git repositories: the exact Markdown for a change that
adds, edits, moves and removes posts and clashes with the base, hostile text kept inert, a
bounded size, and a bad ref refused in one line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import markdown
import pytest
from PIL import Image

from postcal.review.calendar_diff import compare
from postcal.review.preview import render_markdown
from tests.publish.gitrepo import GIT_ENV, git

NOW = datetime.fromisoformat("2026-11-26T09:00:00+02:00")
REPO = Path(__file__).resolve().parents[2]
SETTINGS = """\
name: Preview Roastery
timezone: Europe/Bucharest
rules:
  min_gap: 2h
  daily_cap: 2
  cadence_gap: 90d
channels:
  masto:
    platform: mastodon
    account: "@roastery@mastodon.example"
    secrets: {token: MASTO_TOKEN}
  sky:
    platform: bluesky
    account: roastery.bsky.social
    secrets: {app_password: SKY_PASSWORD}
"""


def post(post_id: str, title: str, at: str, channels: str, body: str, extra: str = "") -> str:
    front = [
        f"id: {post_id}",
        f"title: {title}",
        f"publish_at: {at}",
        f"channels: [{channels}]",
        "status: ready",
        *textwrap.dedent(extra).strip("\n").splitlines(),
    ]
    return "---\n" + "\n".join(front) + "\n---\n" + textwrap.dedent(body).strip("\n") + "\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", message)


EDIT_ME = "calendar/2026/12/02-edit-me.md"
MOVE_ME = "calendar/2026/12/03-move-me.md"
LINK = "link: https://roastery.ro/beans"


def base_repository(tmp_path: Path) -> Path:
    """Commit 1 on main: five posts."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "--quiet")
    write(root, "postcal.yml", SETTINGS)
    write(
        root,
        "calendar/2026/12/01-steady.md",
        post("steady", "Steady", "2026-12-01T10:00", "masto", "Steady post, untouched."),
    )
    write(
        root,
        EDIT_ME,
        post(
            "edit-me",
            "Beans of the week",
            "2026-12-02T10:00",
            "masto, sky",
            "Fresh beans this week: {link}",
            LINK,
        ),
    )
    write(
        root,
        MOVE_ME,
        post(
            "move-me",
            "Saturday opening",
            "2026-12-03T10:00",
            "masto",
            "The roastery is open on Saturday.",
        ),
    )
    write(
        root,
        "calendar/2026/12/04-drop-me.md",
        post("drop-me", "Dropped post", "2026-12-04T10:00", "sky", "A post that will go away."),
    )
    write(
        root,
        "calendar/2026/12/05-market.md",
        post("market", "Market stall", "2026-12-05T13:00", "masto", "Find us at the market."),
    )
    write(
        root,
        "calendar/2026/12/07-anchor.md",
        post("anchor", "Cupping", "2026-12-07T10:00", "masto", "Cupping session at ten."),
    )
    commit(root, "base")
    return root


def pull_request(root: Path) -> None:
    """Commit 2 on a branch: edit one, move one, remove one, add two (one clashes)."""
    git(root, "checkout", "--quiet", "-b", "pr")
    write(
        root,
        EDIT_ME,
        post(
            "edit-me",
            "Beans of the week",
            "2026-12-02T10:00",
            "masto, sky",
            "Fresh Kenyan beans this week: {link}",
            LINK,
        ),
    )
    write(
        root,
        MOVE_ME,
        post(
            "move-me",
            "Saturday opening",
            "2026-12-05T12:00",
            "masto",
            "The roastery is open on Saturday.",
        ),
    )
    (root / "calendar/2026/12/04-drop-me.md").unlink()
    write(
        root,
        "calendar/2026/12/06-fresh.md",
        post(
            "fresh",
            "Winter blend launch",
            "2026-12-06T09:30",
            "masto, sky",
            """
            Our winter blend is here. {link}

            ::: thread
            Roasted on Tuesday, shipped on Wednesday.

            ::: variant sky
            Winter blend, out now: {link}

            ::: first-comment
            Questions? Reply here.
            """,
            """
            link: https://roastery.ro/winter
            media:
              - file: photo.png
                alt: A paper bag of winter blend on a wooden counter
            """,
        ),
    )
    Image.new("RGB", (640, 480), (120, 80, 40)).save(root / "calendar/2026/12/photo.png")
    write(
        root,
        "calendar/2026/12/07-clasher.md",
        post(
            "clasher",
            "Second cupping",
            "2026-12-07T11:00",
            "masto",
            "Second cupping slot at eleven.",
        ),
    )
    commit(root, "pr")


PREVIEW = (sys.executable, "-m", "postcal", "preview")


def run_preview(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PREVIEW, "--root", str(root), "--now", NOW.isoformat(), *args],
        env={
            **GIT_ENV,
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO / "scripts"),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


EXPECTED = """\
## postcal preview against `main`

2 added, 1 changed, 1 moved, 1 removed; 2 clash(es) with `main`. Times are in Europe/Bucharest.

### Posts

#### Changed · Wed 2026-12-02 10:00 · `edit-me`

- title: `Beans of the week`
- file: `calendar/2026/12/02-edit-me.md`
- changed: text
- status: ready
- channels: `masto`, `sky`
- media: none
- problems: none

##### `masto` · mastodon · default text

Text · 53/500 characters · fits

```text
Fresh Kenyan beans this week: https://roastery.ro/beans?utm_source=mastodon&utm_medium=social&utm_content=edit-me
```

##### `sky` · bluesky · default text

Text · 112/300 characters, 112/3000 bytes · fits

```text
Fresh Kenyan beans this week: https://roastery.ro/beans?utm_source=bluesky&utm_medium=social&utm_content=edit-me
```

#### Moved · Sat 2026-12-05 12:00 · `move-me`

- title: `Saturday opening`
- file: `calendar/2026/12/03-move-me.md`
- moved: Thu 2026-12-03 10:00 → Sat 2026-12-05 12:00
- status: ready
- channels: `masto`
- media: none
- problems: none

##### `masto` · mastodon · default text

Text · 33/500 characters · fits

```text
The roastery is open on Saturday.
```

#### Added · Sun 2026-12-06 09:30 · `fresh`

- title: `Winter blend launch`
- file: `calendar/2026/12/06-fresh.md`
- status: ready
- channels: `masto`, `sky`
- media:
  - `photo.png`, alt: `A paper bag of winter blend on a wooden counter`
- problems: none

##### `masto` · mastodon · default text

Part 1 of 2 · 49/500 characters · fits

```text
Our winter blend is here. https://roastery.ro/winter?utm_source=mastodon&utm_medium=social&utm_content=fresh
```

Part 2 of 2 · 41/500 characters · fits

```text
Roasted on Tuesday, shipped on Wednesday.
```

First comment · 22/500 characters · fits

```text
Questions? Reply here.
```

##### `sky` · bluesky · variant `sky`

Text · 104/300 characters, 104/3000 bytes · fits

```text
Winter blend, out now: https://roastery.ro/winter?utm_source=bluesky&utm_medium=social&utm_content=fresh
```

First comment · 22/300 characters, 22/3000 bytes · fits

```text
Questions? Reply here.
```

#### Added · Mon 2026-12-07 11:00 · `clasher`

- title: `Second cupping`
- file: `calendar/2026/12/07-clasher.md`
- status: ready
- channels: `masto`
- media: none
- problems:
  - error `calendar/2026/12/07-clasher.md:4:13` min-gap: `only 1h after anchor on masto; the minimum gap is 2h`

##### `masto` · mastodon · default text

Text · 30/500 characters · fits

```text
Second cupping slot at eleven.
```

### What changes on the calendar

#### New

- Sun 2026-12-06 09:30 · `fresh` · `masto`, `sky` · `Winter blend launch`
- Mon 2026-12-07 11:00 · `clasher` · `masto` · `Second cupping`

#### Moved

- Thu 2026-12-03 10:00 → Sat 2026-12-05 12:00 · `move-me` · `masto` · `Saturday opening`

#### Removed

- Fri 2026-12-04 10:00 · `drop-me` · `sky` · `Dropped post`

#### Changed in place

- Wed 2026-12-02 10:00 · `edit-me` · `masto`, `sky` · `Beans of the week` · text

#### Clashes with `main`

- error `calendar/2026/12/05-market.md:4:13` (on `main`) min-gap: `only 1h after move-me on masto; the minimum gap is 2h`
- error `calendar/2026/12/07-clasher.md:4:13` min-gap: `only 1h after anchor on masto; the minimum gap is 2h`
"""


def test_preview_of_a_two_commit_repository_is_this_markdown(tmp_path: Path) -> None:
    root = base_repository(tmp_path)
    pull_request(root)
    before = git(root, "status", "--porcelain", "--ignored")

    result = run_preview(root, "--base", "main")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == EXPECTED
    assert git(root, "status", "--porcelain", "--ignored") == before  # nothing written
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD") == "pr\n"


def test_out_writes_the_same_markdown_and_problems_do_not_fail_it(tmp_path: Path) -> None:
    root = base_repository(tmp_path)
    pull_request(root)
    out = tmp_path / "summary.md"

    result = run_preview(root, "--base", "main", "--out", str(out))

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert out.read_text(encoding="utf-8") == EXPECTED


def test_uncommitted_edits_count_and_an_unchanged_tree_says_so(tmp_path: Path) -> None:
    root = base_repository(tmp_path)

    assert run_preview(root, "--base", "main").stdout == (
        "## postcal preview against `main`\n\n"
        "0 added, 0 changed, 0 moved, 0 removed; 0 clash(es) with `main`."
        " Times are in Europe/Bucharest.\n\n"
        "No post is added, changed, moved or removed.\n\n"
        "### What changes on the calendar\n\n"
        "#### Clashes with `main`\n\n"
        "None: no min-gap or daily-cap problem involves a post of this change.\n"
    )

    path = root / "calendar/2026/12/05-market.md"
    path.write_text(path.read_text(encoding="utf-8").replace("T13:00", "T13:30"), "utf-8")
    output = run_preview(root, "--base", "main").stdout

    assert "- Sat 2026-12-05 13:00 → Sat 2026-12-05 13:30 · `market` · `masto`" in output


def test_posts_added_to_main_since_the_branch_are_not_removals_but_can_clash(
    tmp_path: Path,
) -> None:
    root = base_repository(tmp_path)
    pull_request(root)
    git(root, "checkout", "--quiet", "main")
    write(
        root,
        "calendar/2026/12/07-late.md",
        post("late", "Late cupping", "2026-12-07T12:00", "masto", "A third cupping at noon."),
    )
    commit(root, "main moves on")
    main = git(root, "rev-parse", "main").strip()
    fork = git(root, "rev-parse", "main~1").strip()
    git(root, "checkout", "--quiet", "pr")

    output = run_preview(root, "--base", "main").stdout

    assert "`late`" not in output.split("#### Clashes", 1)[0]
    assert (
        f"Changes are counted from `{fork[:12]}`, where this branch left `main`; clashes are"
        f" checked against `main` as it is now, `{main[:12]}`."
    ) in output
    assert output.endswith(
        "- error `calendar/2026/12/05-market.md:4:13` (on `main`) min-gap:"
        " `only 1h after move-me on masto; the minimum gap is 2h`\n"
        "- error `calendar/2026/12/07-clasher.md:4:13` min-gap:"
        " `only 1h after anchor on masto; the minimum gap is 2h`\n"
        "- error `calendar/2026/12/07-late.md:4:13` (on `main`) daily-cap:"
        " `post 3 on masto on 2026-12-07; the cap is 2 a day`\n"
        "- error `calendar/2026/12/07-late.md:4:13` (on `main`) min-gap:"
        " `only 1h after clasher on masto; the minimum gap is 2h`\n"
    )
    assert "2 added, 1 changed, 1 moved, 1 removed; 4 clash(es)" in output


def test_a_rename_a_replaced_photo_and_a_broken_file(tmp_path: Path) -> None:
    root = base_repository(tmp_path)
    write(
        root,
        "calendar/2026/12/09-pictured.md",
        post(
            "pictured",
            "Pictured",
            "2026-12-09T10:00",
            "masto",
            "Our new grinder.",
            """
            media:
              - file: grinder.png
                alt: A steel grinder on the counter
            """,
        ),
    )
    Image.new("RGB", (640, 480), (10, 10, 10)).save(root / "calendar/2026/12/grinder.png")
    commit(root, "a post with a photo")
    Image.new("RGB", (640, 480), (200, 10, 10)).save(root / "calendar/2026/12/grinder.png")
    (root / "calendar/2026/12/01-steady.md").rename(root / "calendar/2026/12/01-renamed.md")
    broken = root / "calendar/2026/12/04-drop-me.md"
    broken.write_text(
        broken.read_text("utf-8").replace("title: Dropped post", "title: [x"), "utf-8"
    )

    output = run_preview(root, "--base", "main").stdout

    assert output.startswith(
        "## postcal preview against `main`\n\n"
        "0 added, 2 changed, 0 moved, 0 removed; 0 clash(es) with `main`."
        " Times are in Europe/Bucharest.\n\n"
        "### Post files that do not load\n\n"
        "- `calendar/2026/12/04-drop-me.md`\n"
        "  - error `calendar/2026/12/04-drop-me.md:4:11` syntax: `YAML syntax error: while"
        " parsing a flow sequence did not find expected ',' or ']'`\n\n"
        "### Posts\n\n"
    )
    assert (
        "- file: `calendar/2026/12/01-steady.md` → `calendar/2026/12/01-renamed.md`\n"
        "- changed: file\n"
    ) in output
    assert output.split("#### Changed in place\n\n", 1)[1].startswith(
        "- Tue 2026-12-01 10:00 · `steady` · `masto` · `Steady` · file\n"
        "- Wed 2026-12-09 10:00 · `pictured` · `masto` · `Pictured` · media\n"
    )
    assert "#### Removed" not in output


def test_a_link_out_of_the_repository_on_the_base_is_left_out(tmp_path: Path) -> None:
    root = base_repository(tmp_path)
    (root / "calendar/2026/12/outside.png").symlink_to("/etc/hostname")
    (root / "calendar/2026/12/up.png").symlink_to("../../../../outside.png")
    commit(root, "links")

    result = run_preview(root, "--base", "main")

    assert (result.returncode, result.stderr) == (0, "")
    assert "No post is added, changed, moved or removed." in result.stdout


HOSTILE = [
    "</details><script>alert(1)</script>",
    "```",
    "````` five",
    "@everyone and @roastery-team look",
    "<!-- hidden -->",
    "<img src=x onerror=alert(2)>",
    "\u202eevil\u202c and a carriage\rreturn",
]


def _outside_code(text: str) -> str:
    """What a CommonMark reader sees outside fenced blocks and code spans (which GitHub shows
    literally, without mentions)."""
    seen: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        if fence is not None:
            closing = re.fullmatch(r"(`{3,})\s*", line)
            if closing and len(closing.group(1)) >= len(fence):
                fence = None
            continue
        opening = re.match(r"(`{3,})[^`]*$", line)
        if opening:
            fence = opening.group(1)
            continue
        seen.append(re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", line))
    assert fence is None, "a fence is left open"
    return "\n".join(seen)


def test_hostile_text_comes_out_inert(tmp_path: Path) -> None:
    root = base_repository(tmp_path)
    git(root, "checkout", "--quiet", "-b", "pr")
    body = "\n".join(HOSTILE)
    write(
        root,
        "calendar/2026/12/08-a`b@everyone<i>.md",
        post(
            "hostile",
            '"</details><script>alert(3)</script> @everyone <!--"',
            "2026-12-08T10:00",
            "masto",
            body + "\n\n::: first-comment\n`` @everyone ``` </details>",
            """
            media:
              - file: "<b>@everyone.png"
                alt: "@everyone ` -->"
            """,
        ),
    )

    result = run_preview(root, "--base", "main")

    assert result.returncode == 0, result.stderr
    output = result.stdout
    assert "\n\n``````text\n</details><script>alert(1)</script>\n```\n````` five\n" in output
    assert "\n\n```text\n`` @everyone ``` </details>\n```\n" not in output
    assert "\n\n````text\n`` @everyone ``` </details>\n````\n" in output
    assert "\\u202eevil\\u202c and a carriage\\rreturn" in output  # shown, not obeyed
    assert "\r" not in output and "\u202e" not in output
    outside = _outside_code(output)
    for marker in ("<", ">", "@", "-->", "everyone"):
        assert marker not in outside
    html = markdown.markdown(output, extensions=["fenced_code"])
    assert "<script" not in html and "<!--" not in html and "</details>" not in html
    assert "<img" not in html and "<b>" not in html and "<i>" not in html
    for found in re.finditer("@everyone", html):
        assert html.rfind("<code", 0, found.start()) > html.rfind("</code>", 0, found.start())


def test_a_large_preview_is_cut_between_blocks_and_keeps_the_calendar(tmp_path: Path) -> None:
    root = base_repository(tmp_path)
    pull_request(root)
    diff = compare(root, "main", NOW)

    output = render_markdown(diff, limit=3500)

    assert len(output.encode("utf-8")) <= 3500
    posts = output.split("### What changes")[0]
    assert posts.endswith(
        "- problems: none\n\n"  # the facts of `fresh`, but none of its channels
        "> **The preview stops here**, to stay under GitHub's 1 MiB limit for a job summary:"
        " 2 of 4 posts are not shown in full. Run postcal preview with --base `main` to see"
        " them all.\n\n"
    )
    assert "#### Added · Sun 2026-12-06 09:30 · `fresh`" in posts
    assert "Part 1 of 2" not in posts and "`clasher`" not in posts
    assert output.endswith(EXPECTED[EXPECTED.index("### What changes") :])
    _outside_code(output)  # every fence is closed
    assert render_markdown(diff) == EXPECTED


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=/tmp/x"])
def test_a_bad_base_is_one_line_and_exit_2(tmp_path: Path, ref: str) -> None:
    root = base_repository(tmp_path)

    result = run_preview(root, f"--base={ref}")

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"postcal: --base '{ref}' is not a branch, tag or commit of this repository\n"
    )


def test_outside_a_git_repository_is_one_line_and_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "plain", "postcal.yml", SETTINGS)

    result = run_preview(tmp_path / "plain", "--base", "main")

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "is not in a git repository" in result.stderr
