"""The help every command shows in its group's list: one line of plain words each (the first
paragraph of its docstring, which the list prints with its line breaks), no reStructuredText
markup written for developers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

from vinculo.cli import app


def _commands(group: Any, prefix: str = "vinculo") -> Iterator[tuple[str, Any]]:
    """Every command under a group (Typer's own click, whose types are private)."""
    ctx = group.context_class(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        path = f"{prefix} {name}"
        yield path, command
        if hasattr(command, "list_commands"):
            yield from _commands(command, path)


def test_every_command_has_a_one_line_summary_without_markup() -> None:
    commands = dict(_commands(typer.main.get_command(app)))
    # The walk reaches the nested groups (graph workspaces, auth tokens...).
    assert {"vinculo xref-files", "vinculo graph paths", "vinculo graph workspaces save"} <= set(
        commands
    )
    problems = []
    for path, command in commands.items():
        summary = (command.help or "").strip().split("\n\n")[0]
        if not summary:
            problems.append(f"{path}: no help")
        elif "\n" in summary:
            problems.append(f"{path}: summary spans lines: {summary!r}")
        if "``" in (command.help or ""):
            problems.append(f"{path}: reStructuredText in its help")
    assert problems == []
