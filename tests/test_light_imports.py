"""Lint and the site build read ledger records but send nothing: loading them must not load
the networks' HTTP client and the publishing core (about 50 ms for every `postcal lint` and
every build)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.ci.fakegh import ROOT

HEAVY = {"httpx", "postcal.platforms.base", "postcal.publish.records", "mkdocs.livereload"}
"""The networks' client and the publishing core; `mkdocs serve`'s server (and watchdog, 18 ms),
which a build never starts."""


def _python(script: str) -> str:
    """What ``script`` prints, run in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout


@pytest.mark.parametrize("module", ["postcal.lint.engine", "postcal.site.plugin"])
def test_lint_and_the_site_do_not_load_the_network_clients(module: str) -> None:
    loaded = set(_python(f"import sys, {module}; print('\\n'.join(sys.modules))").split())
    assert module in loaded
    assert HEAVY & loaded == set()


def test_counting_loads_only_twitter_texts_link_patterns() -> None:
    """Counting needs twitter-text's link patterns and its emoji list: not its package
    ``__init__``, which imports all of it and compiles the emoji into one regular expression
    (0.1 s), nor ``pkg_resources`` (90-100 ms), through which that reads the list. The real
    package still imports afterwards, whole."""
    script = (
        "import sys\n"
        "from postcal.text import count\n"
        "count.load_patterns()\n"
        "names = ('twitter_text', 'twitter_text.parse_tweet', 'twitter_text.regexp.emoji',"
        " 'pkg_resources', 'twitter_text.extract_urls')\n"
        "print(*[name in sys.modules for name in names])\n"
        "print(count.x_weighted('ok example.com'), count.x_weighted_reference('ok example.com'))\n"
        "import twitter_text\n"
        "print(hasattr(twitter_text, 'parse_tweet'))\n"
    )
    loaded, weights, whole = _python(script).splitlines()
    assert loaded.split() == ["False", "False", "False", "False", "True"]
    assert weights.split() == ["26", "26"]  # 3 for "ok ", 23 for the link
    assert whole == "True"


PATTERNS = (
    "import sys\n"
    "{load}\n"
    "for name, module in sorted(sys.modules.items()):\n"
    "    if name.startswith('twitter_text.'):\n"
    "        for attr, value in sorted(vars(module).items()):\n"
    "            if isinstance(getattr(value, 'pattern', None), str):\n"
    "                kind = type(value).__name__\n"
    "                if 'compiled' in getattr(value, '__dict__', ()):\n"
    "                    kind += '-compiled'\n"
    "                print(name, attr, repr(value.pattern), value.flags, kind)\n"
)
"""Every regular expression of twitter-text's loaded modules: module, name, text, flags, and
its type (a stand-in's with ``-compiled`` once it has compiled its pattern)."""


def _patterns(load: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    found = {}
    for line in _python(PATTERNS.format(load=load)).splitlines():
        module, name, rest = line.split(" ", 2)
        text, flags, kind = rest.rsplit(" ", 2)
        found[(module, name)] = (text, flags, kind)
    return found


def test_link_patterns_are_twitter_texts_own_compiled_at_first_use() -> None:
    """Counting's link patterns are twitter-text's, text and flags, as its own import makes
    them; but only those matched against are compiled, at their first use: not the top-level
    domain lists it assembles them from (about 25 ms of its 60)."""
    ours = _patterns(
        "from postcal.text import count\n"
        "assert count.x_weighted('see https://example.com/a and example.org') == 55"
    )
    theirs = _patterns("import twitter_text")
    assert {k: (text, flags) for k, (text, flags, _) in ours.items()} == {
        k: theirs[k][:2] for k in ours
    }
    assert all(kind == "Pattern" for _, _, kind in theirs.values())
    assert len(ours) >= 20
    # The four patterns that finding those two links matched with compiled; the domain lists
    # that went into them did not, and twitter-text's modules compiled none themselves.
    used = {
        "extract_url",
        "valid_tco_url",
        "invalid_url_without_protocol_preceding_chars",
        "valid_ascii_domain",
    }
    assert {name for (_, name), (_, _, kind) in ours.items() if kind.endswith("-compiled")} == used
    assert {kind for _, _, kind in ours.values()} == {"PatternSource", "PatternSource-compiled"}
    assert ours[("twitter_text.regexp.valid_gtld", "valid_gtld")][2] == "PatternSource"


def test_a_build_collects_once_at_exit_and_skips_the_shutdowns_collections() -> None:
    """The plugin's exit hook runs the finalizers of what is garbage at exit (a cycle whose
    finalizer writes a line), then freezes the rest so that the shutdown does not walk it."""
    script = (
        "import atexit, gc, sys\n"
        "# Exit handlers run last in, first out: this one after the plugin's.\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() >= 1000))\n"
        "from postcal.site.plugin import PostcalPlugin\n"
        "PostcalPlugin().on_startup(command='build', dirty=False)\n"
        "class Cycle:\n"
        "    def __del__(self): print('finalized')\n"
        "gc.disable()\n"
        "c = Cycle(); c.me = c; del c\n"
        "live = [[n] for n in range(1000)]\n"
    )
    assert _python(script).split("\n") == ["finalized", "frozen True", ""]
