"""The command line (DESIGN.md §10): a public contract for cron, systemd and scripts.

Each module in console/cli/commands/ adds its subcommands through `register(subparsers)`;
handlers take (Context, argparse.Namespace) and return the exit code.
Exit codes: 0 done, 1 a check failed, 2 bad input or usage, 3 refused.
Building the parser must stay cheap (`support24 --help`, issue 7): command modules import
only argparse, typing and models.i18n at the top and their real work inside the handlers.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence

from console.cli import commands
from models.core.i18n import LANGUAGES, _, choose_language, set_language


def common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--database",
        metavar=_("URL"),
        default=default,
        help=_("database URL (sqlite:///PATH or postgresql://USER@HOST/DB); env SUPPORT24_DATABASE_URL"),
    )
    parser.add_argument("--data-dir", metavar=_("DIR"), default=default, help=_("data folder; env SUPPORT24_DATA_DIR"))


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON document on stdout and nothing else"))


def day_option(text: str) -> str:
    """A day as typed on the command line: ISO 2026-11-24, or 24.11.2026 as Germans write it (turned
    into ISO here); anything else passes unchanged so that the domain names the option and the problem."""
    match = re.fullmatch(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*", text)
    if match is None:
        return text
    day, month, year = (int(part) for part in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def command_parent() -> argparse.ArgumentParser:
    """Options every subcommand accepts after its name too."""
    parent = argparse.ArgumentParser(add_help=False)
    common_options(parent, suppress=True)
    return parent


def command_modules() -> list[str]:
    """The modules of console/cli/commands/, sorted; a plain listing, as pkgutil would import inspect (issue 7)."""
    names = set()
    for folder in commands.__path__:
        for entry in os.scandir(folder):
            if entry.name.endswith(".py") and entry.name != "__init__.py":
                names.add(entry.name[:-3])
            elif entry.is_dir() and os.path.exists(os.path.join(entry.path, "__init__.py")):
                names.add(entry.name)
    return sorted(names)


def lang_option(argv: Sequence[str]) -> str | None:
    """The value of the global `--lang`, read before the parser is built so that its help is translated.

    Only options before the command count: `access export --lang` is the report's language."""
    tokens = list(argv)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "--lang":
            return tokens[index + 1] if index + 1 < len(tokens) else None
        if token.startswith("--lang="):
            return token.split("=", 1)[1]
        if token in ("--database", "--data-dir"):
            index += 2
            continue
        if not token.startswith("-"):
            return None
        index += 1
    return None


def configured_language() -> str | None:
    """`language` from config.toml, cheaply and quietly: a broken file is reported by the command itself."""
    from console.settings.paths import configured_language as read

    return read()


CONSOLE_OPTIONS = {"--database": "database", "--data-dir": "data_dir", "--lang": "ui_lang"}


def console_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments of a plain `support24 [--database URL] [--data-dir DIR] [--lang de|en]`, which opens
    the console, read without building the parser of every command (that imports all the command
    modules: a tenth of the console's start); None for anything else, which the full parser handles
    (and reports), so that this shortcut never accepts what the parser would refuse."""
    values: dict[str, str | None] = dict.fromkeys(CONSOLE_OPTIONS.values())
    tokens = list(argv)
    index = 0
    while index < len(tokens):
        option, equals, value = tokens[index].partition("=")
        if option not in CONSOLE_OPTIONS:
            return None
        if not equals:
            if index + 1 >= len(tokens):
                return None
            value = tokens[index + 1]
            index += 1
            if value.startswith("-"):
                return None  # argparse would take it for an option
        values[CONSOLE_OPTIONS[option]] = value
        index += 1
    if values["ui_lang"] is not None and values["ui_lang"] not in LANGUAGES:
        return None
    return argparse.Namespace(command=None, **values)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="support24",
        description=_(
            "Data-protection console for SUPPORT-24 remote maintenance. Without a command it opens the console."
        ),
        epilog=_(
            "Language: --lang de|en for one run; otherwise the environment (LANGUAGE, LC_ALL, LANG, "
            'e.g. LANG=en_US.UTF-8), otherwise language = "de" or "en" in config.toml; German by default. '
            "--json output is English in every language."
        ),
    )
    common_options(parser, suppress=False)
    parser.add_argument(
        "--lang",
        dest="ui_lang",
        choices=LANGUAGES,
        default=None,
        help=_("language of this run (de or en); overrides LANG and config.toml"),
    )
    subparsers = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    for name in command_modules():
        module = importlib.import_module(f"{commands.__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(choose_language(lang_option(argv), configured_language()))
    args = console_only(argv)
    parser = None
    if args is None:
        parser = build_parser()
        args = parser.parse_args(argv)
    # Only now: `--help` and usage errors exit above without loading the database layer.
    from console.settings.config import skip_postgres_driver
    from models.core.errors import Support24Error

    skip_postgres_driver(getattr(args, "database", None), getattr(args, "data_dir", None))

    from console.cli.context import Context

    ctx = Context(
        database_option=getattr(args, "database", None),
        data_dir_option=getattr(args, "data_dir", None),
        json_output=bool(getattr(args, "json", False)),
    )
    try:
        if args.command is None:
            from console.cli.app import run_console

            return run_console(ctx)
        handler = getattr(args, "handler", None)
        if handler is None:
            assert parser is not None  # a command was given, so the full parser read it
            parser.parse_args([args.command, "--help"])
            return 2
        code = int(handler(ctx, args))
        sys.stdout.flush()  # a closed pipe shows here, inside the handling below
        return code
    except Support24Error as exc:
        from console.cli.flags import message

        print(f"support24: {message(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("support24: interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:
        from models.core.db import database_problem

        problem = database_problem(exc)
        if problem is None:
            raise
        print(f"support24: {problem}", file=sys.stderr)
        return problem.exit_code


def _closed_pipe() -> int:
    """The reader went away (`support24 … | head`): stop quietly.

    stdout is pointed at /dev/null so the interpreter's final flush cannot fail a second time.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
