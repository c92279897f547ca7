"""Every ``$ chaingraph ...`` example of the README and of docs/ runs, and prints what it shows.

The examples are read from the ```text blocks of README.md and docs/**/*.md: a line
``$ chaingraph ARGS`` and the lines up to the next ``$`` line or the end of the block are a
command and its output (stdout, then stderr). Each runs in-process through
:func:`chaingraph.cli.main` on the bundled data. The comparison normalises whitespace (runs
of spaces are one, blank lines and line ends do not count), takes a line ``...`` (or ``...``
inside a line) for any text, and a timing such as ``4.1 s`` for any timing. A command that
writes ``--output FILE`` writes into a temporary folder instead; ``; echo "exit $?"`` after
a command shows its exit code.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from chaingraph.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
ECHO_EXIT = '; echo "exit $?"'
TIMING = re.compile(r"\d+(?:\.\d+)? s\b")


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    command: str
    shown: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def examples(pages: list[Path] = PAGES) -> list[Example]:
    """Every ``$ chaingraph`` line of the pages' text blocks, with the output shown below it."""
    found = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for block in re.finditer(r"^```text\n(.*?)^```", text, flags=re.S | re.M):
            first = text.count("\n", 0, block.start(1)) + 1
            lines = block.group(1).rstrip("\n").split("\n")
            starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
            for n, start in enumerate(starts):
                end = starts[n + 1] if n + 1 < len(starts) else len(lines)
                if lines[start].startswith("$ chaingraph "):
                    found.append(Example(str(page.relative_to(ROOT)), first + start,
                                         lines[start][2:], "\n".join(lines[start + 1:end])))
    return found


EXAMPLES = examples()


def _normal(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def pattern(shown: str) -> re.Pattern[str]:
    """The shown output as a pattern: ``...`` any text, a timing any timing.

    Example:
        >>> bool(pattern("a\\n...\\nz (1.5 s)").fullmatch("a\\nb\\nc\\nz (0.2 s)"))
        True
    """
    parts = []
    for piece in re.split(rf"(\.\.\.|{TIMING.pattern})", _normal(shown)):
        if piece == "...":
            parts.append(".*?")
        elif TIMING.fullmatch(piece):
            parts.append(TIMING.pattern)
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts), flags=re.S)


def argv_of(command: str, tmp_path: Path) -> tuple[list[str], bool]:
    """The arguments after ``chaingraph``, with ``--output`` in ``tmp_path``; whether the
    example shows the exit code."""
    echo = command.endswith(ECHO_EXIT)
    argv = shlex.split(command.removesuffix(ECHO_EXIT))[1:]
    for flag in ("--output", "-o"):
        if flag in argv:
            where = argv.index(flag) + 1
            argv[where] = str(tmp_path / Path(argv[where]).name)
    return argv, echo


def test_the_pages_show_examples():
    pages = {e.page for e in EXAMPLES}
    assert "README.md" in pages and len(pages) >= 3, pages
    commands = {e.command.split()[1] for e in EXAMPLES}
    assert {"who", "audit", "chain", "raci", "query", "info", "monitor", "reason"} <= commands


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_prints_what_the_page_shows(example, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples name files relative to the repository
    argv, echo = argv_of(example.command, tmp_path)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2) and "Traceback" not in err, err
    printed = out + err + (f"exit {code}\n" if echo else "")
    assert pattern(example.shown).fullmatch(_normal(printed)), (
        f"{example.id}: `{example.command}` prints\n{printed}")
    if "--output" in argv:
        assert Path(argv[argv.index("--output") + 1]).stat().st_size > 0
