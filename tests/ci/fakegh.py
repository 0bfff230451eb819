"""A fake `gh` on PATH for the scripts under scripts/ci: it records every call (and the body
file it was handed, read at the time) and answers from a small JSON file the test writes."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "scripts" / "ci"

FAKE = """\
#!{python}
import json, pathlib, sys
here = pathlib.Path(__file__).parent
args = sys.argv[1:]
call = {{"args": args}}
if "--body-file" in args:
    call["body"] = pathlib.Path(args[args.index("--body-file") + 1]).read_text(encoding="utf-8")
with open(here / "calls.jsonl", "a", encoding="utf-8") as log:
    log.write(json.dumps(call) + "\\n")
answers = json.loads((here / "answers.json").read_text(encoding="utf-8"))
key = " ".join(args[:2])
if key in answers.get("fail", []):
    print("HTTP 502: the fake is down", file=sys.stderr)
    sys.exit(1)
print(answers.get("out", {{}}).get(key, ""))
"""


def load(name: str) -> ModuleType:
    """A script under scripts/ci as a module (scripts/ci is not a package, on purpose)."""
    spec = importlib.util.spec_from_file_location(f"ci_{name}", CI / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class FakeGh:
    def __init__(self, folder: Path) -> None:
        self.bin = folder / "bin"
        self.bin.mkdir(parents=True)
        script = self.bin / "gh"
        script.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
        script.chmod(0o755)
        self.answer()

    def answer(self, out: dict[str, str] | None = None, fail: list[str] | None = None) -> None:
        """What `gh A B ...` prints (by its first two words), and which calls fail."""
        answers = {"out": out or {}, "fail": fail or []}
        (self.bin / "answers.json").write_text(json.dumps(answers), encoding="utf-8")

    def calls(self) -> list[dict[str, Any]]:
        log = self.bin / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    def args(self) -> list[list[str]]:
        return [list(call["args"]) for call in self.calls()]

    def run(self, script: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
        """Run scripts/ci/<script> as the workflow does, with the fake first on PATH."""
        env = {
            **os.environ,
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "GH_TOKEN": "fake-token",
            "GH_REPO": "boabe/calendar",
        }
        return subprocess.run(
            [sys.executable, str(CI / script), *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=cwd,
            env=env,
        )
