"""Every string a person reads in console/ and screens/ goes through `_()`: an AST scan of the
literals passed to widgets, notifications, bindings, exceptions and `print`.

A literal counts as words when it holds a run of two or more letters; what is allowed unwrapped
(product names, units, technical tokens) is listed in ALLOWED with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("console", "screens")
TRANSLATORS = {"_", "ngettext", "N_"}
# Widget classes and calls whose (first) positional arguments people read.
SHOWN_POSITIONAL = {
    "Static",
    "Label",
    "Button",
    "Checkbox",
    "Tick",
    "notify",
    "hint",
    "print",
    "Text",
    "say",
    "add_column",
    "append",
    "update",
    "push_screen",
}
SHOWN_ATTRIBUTES = {"TITLE", "SUB_TITLE", "QUESTION"}  # class attributes Textual and our forms show
SHOWN_KEYWORDS = {"placeholder", "description", "title", "label", "prompt", "tooltip", "help", "message"}
EXCEPTION = re.compile(r"(Error|Exception|Denied|Refused|Violation|Unknown\w*)$")
KEY_PREFIX = re.compile(r"[a-z_]+:")
FIELD = re.compile(r"[a-z_][a-z0-9_.]*")
WORDS = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")

# Unwrapped on purpose: names, units and technical tokens that read the same in every language.
ALLOWED = {
    "SHA-256",  # the hash's name
    "support24",  # the program's name
    "support24:",  # prefix of every error line, as command-line tools do
    "min",  # unit after a duration in the billing outbox listing
    "sqlite",
    "IP",
    "DB",
}
# Guards against programming mistakes; the command line shows only Support24Error messages to people.
PROGRAMMING_ERRORS = {"TypeError", "ValueError", "AssertionError", "NotImplementedError", "RuntimeError", "ImportError"}
# Files whose literals are not for people: demo names and texts (German already), report tables per language.
SKIPPED = {"console/demo/names.py", "console/reports/texts.py"}


def name_of(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def untranslated(node: ast.expr) -> list[str]:
    """The literal text in `node` that people would read without a translation."""
    if isinstance(node, ast.Call) and name_of(node.func) in TRANSLATORS:
        return []
    if isinstance(node, ast.Call) and name_of(node.func) == "format" and isinstance(node.func, ast.Attribute):
        return untranslated(node.func.value)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        if KEY_PREFIX.fullmatch(text):  # "sid:", "request:": the prefix of an internal key, not prose
            return []
        return [node.value] if WORDS.search(text) and text not in ALLOWED else []
    if isinstance(node, ast.JoinedStr):
        found: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                found += untranslated(part)
        return found
    if isinstance(node, ast.BinOp):
        return untranslated(node.left) + untranslated(node.right)
    if isinstance(node, ast.IfExp):
        return untranslated(node.body) + untranslated(node.orelse)
    return []


def shown_arguments(call: ast.Call) -> list[ast.expr]:
    name = name_of(call.func)
    args: list[ast.expr] = []
    if name in SHOWN_POSITIONAL:
        args += call.args[:1] if name != "print" else call.args
    if name == "Binding" and len(call.args) >= 3:
        args.append(call.args[2])
    if EXCEPTION.search(name) and name not in PROGRAMMING_ERRORS:
        # ValidationError(field, problem) and its kin: the first of two arguments names a field or option,
        # and so does a single token such as "line" or "received_on"
        rest = call.args[1:] if len(call.args) >= 2 else call.args
        args += [a for a in rest if not (isinstance(a, ast.Constant) and FIELD.fullmatch(str(a.value)))]
    args += [kw.value for kw in call.keywords if kw.arg in SHOWN_KEYWORDS]
    return args


def scan() -> list[str]:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if any(rel.startswith(skip) for skip in SKIPPED):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in SHOWN_ATTRIBUTES for t in node.targets
                ):
                    problems += [f"{rel}:{node.lineno}: {text!r}" for text in untranslated(node.value)]
                if isinstance(node, ast.Call):
                    for arg in shown_arguments(node):
                        for text in untranslated(arg):
                            problems.append(f"{rel}:{node.lineno}: {text!r}")
    return problems


def test_user_facing_literals_go_through_the_catalogue() -> None:
    assert scan() == []


def test_the_scan_finds_an_unwrapped_literal(tmp_path: Path) -> None:
    """The scan itself: a bare literal in a Static, a Binding and an exception is found, a wrapped one not."""
    tree = ast.parse(
        'Static("Hello there")\nBinding("x", "go", "Go on")\nraise ValidationError("field", "is wrong")\n'
        'Static(_("fine"))\nprint(f"{n} deleted")\n'
    )
    found = [
        t
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for a in shown_arguments(node)
        for t in untranslated(a)
    ]
    assert sorted(found) == sorted(["Hello there", "Go on", "is wrong", " deleted"])
