"""`support24 --help` starts fast (issue 7): building the parser and printing help or a usage
error loads neither the database layer nor any domain module; the real work is imported by
the handlers. Checked in a fresh interpreter, as a user's shell would start it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from console.cli.commands import retention as retention_command

ROOT = Path(__file__).resolve().parents[1]

# Runs every parser's --help, then two usage errors, and reports what each loaded that it should not.
PROBE = r"""
import argparse, contextlib, io, json, sys
from console.cli.main import build_parser, main

def heavy():
    return sorted(m for m in sys.modules
                  if m.split(".")[0] in ("peewee", "psycopg", "playhouse", "textual", "rich")
                  or (m.startswith("models.") and m not in ("models.core", "models.core.i18n"))
                  or m in ("console.cli.context", "console.cli.app", "console.settings.config"))

def paths(parser, prefix):
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from paths(sub, prefix + [name])

def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return {"argv": argv, "code": code, "printed": len(out.getvalue()) + len(err.getvalue()), "heavy": heavy()}

results = [run(p + ["--help"]) for p in paths(build_parser(), [])]
results.append(run(["retention", "queue", "--state", "nope"]))
results.append(run(["access-request", "open"]))
print(json.dumps(results))
"""


def probe() -> list[dict[str, object]]:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_help_and_usage_errors_load_no_database_layer_or_domain_module() -> None:
    results = probe()
    helps = [r for r in results if r["argv"][-1] == "--help"]
    assert len(helps) > 30  # the top level, every command and every action
    assert [r["argv"] for r in helps if r["code"] != 0 or not r["printed"]] == []
    assert results[-2]["code"] == 2 and results[-1]["code"] == 2  # a bad choice, missing required options
    assert [(r["argv"], r["heavy"]) for r in results if r["heavy"]] == []


def test_the_parsers_choices_are_the_domains() -> None:
    """The retention command spells out its states so that --help need not import the models."""
    from models.retention import queue as retention

    assert retention_command.STATES == retention.STATES


def test_a_console_on_sqlite_never_loads_the_postgresql_driver(tmp_path: Path) -> None:
    """peewee would import psycopg (11 MiB) at once; on an embedded database the CLI keeps it out."""
    code = (
        "import sys\n"
        "from console.cli.main import main\n"
        f"status = main(['--database', 'sqlite:///{tmp_path}/x.db', '--data-dir', '{tmp_path}/data', "
        "'init', '--admin', 'anna', "
        "'--name', 'Anna Admin', '--commitment-date', '2024-01-02'])\n"
        "print(status, bool(sys.modules.get('psycopg')), 'peewee' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip().splitlines()[-1] == "0 False True", done.stderr[-2000:]


def test_opening_the_console_reads_its_options_as_the_full_parser_does() -> None:
    """A plain `support24 [--database …] [--data-dir …] [--lang …]` is read without building every
    command's parser (a tenth of the console's start); anything else goes to the parser, which
    refuses or helps exactly as before."""
    from console.cli.main import build_parser, console_only

    parser = build_parser()
    same = [
        [],
        ["--database", "sqlite:///x.db"],
        ["--database=sqlite:///x.db", "--data-dir", "d", "--lang", "en"],
        ["--lang=de", "--database", "a", "--database", "b"],
        ["--database="],
    ]
    for argv in same:
        quick = console_only(argv)
        assert quick is not None, argv
        full = vars(parser.parse_args(argv))
        assert vars(quick) == {k: full[k] for k in ("command", "database", "data_dir", "ui_lang")}, argv
    for argv in (["--lang", "fr"], ["--lang"], ["--data", "x"], ["--database", "-x"], ["-h"], ["stats"], ["x"]):
        assert console_only(argv) is None, argv
