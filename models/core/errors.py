"""Errors the core raises; the CLI and screens turn them into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


class Support24Error(Exception):
    """Base of every expected, user-facing failure."""

    exit_code = 2


@dataclass(frozen=True)
class FieldProblem:
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}"


class ValidationError(Support24Error):
    """Bad input: names the field and the problem."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class ValidationErrors(ValidationError):
    """Several bad inputs at once, each naming its field; behaves as the first one where one is expected."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        assert problems
        self.problems = list(problems)
        super().__init__(problems[0].field, problems[0].problem)
        self.args = ("; ".join(str(p) for p in self.problems),)

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)


def problems_of(exc: ValidationError) -> list[FieldProblem]:
    """The field problems of one or several validation errors."""
    return list(exc.problems) if isinstance(exc, ValidationErrors) else [FieldProblem(exc.field, exc.problem)]


class RuleViolation(Support24Error):
    """A policy rule (P3, P4, P6, P11, lifecycle) refuses the action."""


class NotFound(Support24Error):
    """A referenced record does not exist."""


class PermissionDenied(Support24Error):
    """The operator lacks the role for this action."""

    exit_code = 3


class UnknownOperator(PermissionDenied):
    """The operating-system account is not in the staff register."""


class SchemaError(Support24Error):
    """The database schema cannot be used by this version."""


class DatabaseUnavailable(Support24Error):
    """The database cannot be reached or written (refused, bad login, missing schema, read-only, full)."""


class Busy(Support24Error):
    """Another process holds a lock (e.g. the purge lease)."""

    exit_code = 3


class CheckFailed(Support24Error):
    """A verification found a problem (e.g. a broken audit chain)."""

    exit_code = 1
