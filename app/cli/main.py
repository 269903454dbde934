"""``deskhand`` on the command line (contract in DESIGN.md, "CLI contract").

Errors are caught once, here, and printed as one line:
``deskhand: error: <what was attempted>, but <why>. <what to do>.`` with exit code 2 for
usage and set-up problems; task results map to 0 (finished), 1 (failed or gave up) and
3 (stopped by the user).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

from deskhand.core.errors import DeskhandError, ModelError, SetupError, Stopped, UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_STOPPED = 0, 1, 2, 3


def package_version() -> str:
    try:
        return version("deskhand")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line and exit code 2 -- no usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


class _CommandParser(_Parser):
    """A subcommand's parser: it rejects flags it does not know itself, so the error names
    the command's help (`deskhand do --help`), not the top level's, and suggests the flag
    a typo most likely meant (``--modle`` -> ``--model``)."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            message = f"unrecognized arguments: {' '.join(extras)}"
            flags = [e.split("=", 1)[0] for e in extras if e.startswith("--")]
            close = difflib.get_close_matches(flags[0], self._option_string_actions, n=1) if flags else []
            self.error(message + (f"; did you mean {close[0]}?" if close else ""))
        return parsed, extras


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type for whole numbers no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="deskhand", description="A local desktop agent driven by a vision model.")
    parser.add_argument("--version", action="version", version=f"deskhand {package_version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", parser_class=_CommandParser, metavar="COMMAND")

    do = sub.add_parser("do", help="run one task in the terminal")
    do.set_defaults(run=_lazy("deskhand.app.cli.run_command", "run_do"))
    do.add_argument("task", help="what to do, in plain words")
    _add_task_options(do)
    _add_skills_parser(sub)
    teach = sub.add_parser("teach", help="record your own demonstration as a skill (stop: the stop hotkey)")
    teach.set_defaults(run=_lazy("deskhand.app.cli.teach_command", "run_teach"))
    teach.add_argument("name", metavar="NAME", help="lower-case letters, digits, - and _")
    teach.add_argument("--param", action="append", metavar="KEY=LITERAL",
                       help="every place LITERAL was typed becomes parameter KEY (default LITERAL)")  # fmt: skip
    teach.add_argument("--yes", action="store_true", help="keep the skill without asking (after showing it)")

    doctor = sub.add_parser("doctor", help="check display, capture, input, Ollama and model")
    doctor.set_defaults(run=_lazy("deskhand.app.cli.doctor", "run_doctor"))
    _add_server_options(doctor)

    models = sub.add_parser("models", help="list vision-capable models")
    models.set_defaults(run=_lazy("deskhand.app.cli.model_commands", "run_models"))
    _add_server_options(models, model=False)
    models.add_argument("--all", action="store_true", help="also list models without vision")

    history = sub.add_parser("history", help="past tasks, newest first")
    history.set_defaults(run=_lazy("deskhand.app.cli.history_command", "run_history"))
    history.add_argument(
        "task_id", nargs="?", type=int_at_least(1), metavar="TASK_ID", help="show one task step by step"
    )
    history.add_argument(
        "--limit", type=int_at_least(1), default=20, metavar="N", help="how many tasks to list (default 20)"
    )

    listen = sub.add_parser("listen", help="recognize speech (microphone or WAV file) and print the text")
    listen.set_defaults(run=_lazy("deskhand.app.cli.listen_command", "run_listen"))
    listen.add_argument(
        "--file", metavar="WAV", help="read speech from this WAV file instead of the microphone"
    )
    listen.add_argument(
        "--grammar", choices=["commands"], help="only the words yes, no, allow, deny, stop, cancel"
    )

    _add_memory_parser(sub)
    _add_schedule_parser(sub)
    mcp = sub.add_parser("mcp", help="serve Deskhand's tools to MCP clients (stdio; --http on loopback)")
    mcp.set_defaults(run=_lazy("deskhand.app.cli.mcp_command", "run_mcp"))
    mcp.add_argument(
        "--http", action="store_true", help="serve streamable HTTP on 127.0.0.1 instead of stdio"
    )
    mcp.add_argument(
        "--port", type=int_at_least(1), metavar="P", help="HTTP port (with --http; default 8765)"
    )

    pull = sub.add_parser("pull", help="download a model with a progress bar")
    pull.add_argument("name", help="model to pull, e.g. qwen2.5vl:7b")
    pull.set_defaults(run=_lazy("deskhand.app.cli.model_commands", "run_pull"))
    _add_server_options(pull, model=False)
    return parser


def _add_task_options(p: argparse.ArgumentParser) -> None:
    """`do`'s options, shared by every command that runs a task (`skills run`)."""
    _add_server_options(p)
    p.add_argument(
        "--planner",
        metavar="MODEL",
        help="a second model that plans each step in words; --model then grounds it (default: config)",
    )
    p.add_argument(
        "--dialect",
        choices=["json", "ui-tars", "qwen2.5-vl", "qwen3-vl", "holo"],
        help="model output format (default: from the model name)",
    )
    p.add_argument("--max-steps", type=int_at_least(1), help="step budget (default 30)")
    p.add_argument(
        "--yes", action="store_true", help='approve actions the policy marks "confirm" (never "block")'
    )
    p.add_argument("--trace", metavar="DIR", help="write steps.jsonl and screenshots to DIR")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow sending screenshots to a model server on another machine (remembered per host)",
    )
    p.add_argument(
        "--allow-insecure-remote",
        action="store_true",
        help="also allow plain http:// to a public address (anyone on the way can read your screen)",
    )
    p.add_argument(
        "--monitor",
        type=int_at_least(0),
        metavar="N",
        help="monitor to watch (1 = first, 0 = all; default: the focused one)",
    )


def _add_skills_parser(sub: argparse._SubParsersAction[_CommandParser]) -> None:
    skills = sub.add_parser("skills", help="tasks kept as skills: save, run, list, show, delete")
    skills.set_defaults(run=_lazy("deskhand.app.cli.skill_command", "run_skills"))
    what = skills.add_subparsers(dest="skills_command", parser_class=_Parser, metavar="ACTION", required=True)
    save = what.add_parser("save", help="keep a finished task as a skill")
    save.add_argument("name", metavar="NAME", help="lower-case letters, digits, - and _")
    which = save.add_mutually_exclusive_group(required=True)
    which.add_argument("--last", action="store_true", help="the newest task in the history")
    which.add_argument(
        "--task", type=int_at_least(1), metavar="TASK_ID", help="a task id from `deskhand history`"
    )
    save.add_argument("--param", action="append", metavar="KEY=LITERAL",
                      help="every place LITERAL was typed or run becomes parameter KEY (default LITERAL)")  # fmt: skip
    run = what.add_parser("run", help="replay a skill (do's options; same gate and exit codes)")
    run.add_argument("name", metavar="NAME")
    run.add_argument("--param", action="append", metavar="KEY=VALUE", help="a parameter's value for this run")
    _add_task_options(run)
    what.add_parser("list", help="list skills")
    what.add_parser("show", help="a skill's parameters and steps in words").add_argument(
        "name", metavar="NAME"
    )
    what.add_parser("delete", help="delete a skill").add_argument("name", metavar="NAME")


def _add_memory_parser(sub: argparse._SubParsersAction[_CommandParser]) -> None:
    memory = sub.add_parser("memory", help="facts Deskhand remembers about you and your setup")
    memory.set_defaults(run=_lazy("deskhand.app.cli.memory_command", "run_memory"))
    what = memory.add_subparsers(dest="memory_command", parser_class=_Parser, metavar="ACTION", required=True)
    what.add_parser("add", help="remember a fact").add_argument("text", help='e.g. "my editor is mousepad"')
    what.add_parser("list", help="list what is remembered")
    what.add_parser("forget", help="forget one fact").add_argument("id", type=int_at_least(1), metavar="ID")
    what.add_parser("clear", help="forget everything")
    what.add_parser("export", help="print every fact as plain text")


def _add_schedule_parser(sub: argparse._SubParsersAction[_CommandParser]) -> None:
    schedule = sub.add_parser("schedule", help="tasks the tray app runs on a schedule")
    schedule.set_defaults(run=_lazy("deskhand.app.cli.schedule_command", "run_schedule"))
    what = schedule.add_subparsers(
        dest="schedule_command", parser_class=_Parser, metavar="ACTION", required=True
    )
    add = what.add_parser("add", help="add a schedule")
    add.add_argument("when", help='e.g. "every weekday 09:00", "every 2h", "tomorrow 08:30", or a cron line')
    add.add_argument("task", help="what to do, in plain words")
    what.add_parser("list", help="list schedules with their next run")
    what.add_parser("remove", help="remove a schedule").add_argument("id", type=int_at_least(1), metavar="ID")
    run_now = what.add_parser("run-now", help="run a scheduled task now, in this terminal")
    run_now.add_argument("id", type=int_at_least(1), metavar="ID")


def _add_server_options(p: argparse.ArgumentParser, *, model: bool = True) -> None:
    if model:
        p.add_argument("--model", help="model name (default: config, DESKHAND_MODEL, first vision model)")
    p.add_argument(
        "--host",
        help="model server (default: OLLAMA_HOST, else http://127.0.0.1:11434); for --backend openai "
        "the base URL including /v1 (default: OPENAI_BASE_URL, else http://127.0.0.1:8000/v1)",
    )
    p.add_argument(
        "--backend",
        choices=["ollama", "openai"],
        help="model server protocol: ollama, or openai for vLLM, llama-server, LM Studio, SGLang "
        "(default: config, else ollama)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="deskhand: %(levelname)s: %(message)s",
        )
        return _dispatch(args)
    except (UsageError, SetupError, ModelError) as exc:
        _fail(exc)  # the message says what to do; the same command can be run again
        return EXIT_USAGE
    except Stopped as exc:
        _fail(exc)
        return EXIT_STOPPED
    except DeskhandError as exc:
        _fail(exc)
        return EXIT_FAILED


def _fail(exc: BaseException) -> None:
    from deskhand.app.cli.terminal import printable  # here: `--version` and `--help` stay instant

    sys.stderr.write(f"deskhand: error: {printable(str(exc))}\n")
    sys.stderr.flush()


def _lazy(module: str, function: str) -> Callable[[argparse.Namespace], int]:
    """Import a command's module only when it runs, so `--version` and `--help` stay instant."""

    def run(args: argparse.Namespace) -> int:
        handler: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), function)
        return handler(args)

    return run


def _dispatch(args: argparse.Namespace) -> int:
    run: Callable[[argparse.Namespace], int] = getattr(
        args, "run", _lazy("deskhand.app.tray.launch", "run_app")
    )
    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
