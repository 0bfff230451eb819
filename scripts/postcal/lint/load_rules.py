"""Documentation of the problems the strict loader reports before any lint rule runs."""

from __future__ import annotations

LOAD_RULES: dict[str, str] = {
    "read": "A file could not be read (permissions, a broken symlink).",
    "file-too-large": "A YAML or post file is over 256 KiB: media belongs in separate files.",
    "encoding": "Files are UTF-8 without a byte-order mark and without NUL bytes.",
    "front-matter": "A post starts with a `---` line, YAML front matter, and a closing `---` line.",
    "syntax": "The YAML does not parse; the position is where the parser gave up.",
    "tab": "YAML is indented with spaces; a tab in indentation is an error.",
    "duplicate-key": "A key appears twice in one mapping; YAML tools silently keep the last one.",
    "implicit-type": (
        "A plain value that YAML 1.1 tools read differently from YAML 1.2 tools: `yes`, `no`,"
        " `on`, `off` (booleans), `12:30` (base 60), `010` (octal), `0x1F`, `1_000`, `.inf`."
        " Quote it, or write `true`/`false` or a plain number."
    ),
    "anchor": "Anchors, aliases and merge keys are not allowed in posts, personas and campaigns:"
    " every file should read on its own in a pull-request diff. postcal.yml may use them.",
    "yaml-tag": "Explicit YAML tags (`!!str`, `!custom`) are not supported.",
    "schema": "A value has the wrong type, is out of range, or a required key is missing.",
    "unknown-key": "A key the format does not have; the hint suggests the closest known key.",
    "time": (
        "A date or time is not ISO 8601, has no time of day, falls into a daylight-saving gap"
        " (does not exist) or an overlap (happens twice) in the calendar's timezone, or"
        " `not_after` comes before `publish_at`."
    ),
    "body-marker": "A `:::` marker line in a post body is unknown, misplaced or repeated.",
    "empty-text": "A `::: thread` part, variant or first comment has no text.",
    "file-name": "Persona and campaign file names are their ids: lowercase letters, digits, dashes.",
    "settings": "postcal.yml is missing.",
    "ledger": "A publishing record under data/ledger/ is not valid JSON of the expected shape.",
    "metrics": "A line under data/metrics/ is not a JSON snapshot of the documented shape.",
    "spend": "A row of a spend file under data/spend/ has a bad date, amount, currency or count,"
    " or the file is in no layout postcal knows.",
    "suppression": "An `ignore:` entry names an unknown rule or gives no reason.",
    "unique-id": "Two persona or campaign files share an id (for example x.yml and x.yaml).",
}
