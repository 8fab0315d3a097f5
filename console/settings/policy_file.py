"""The retention policy as a TOML file (issue 4, DESIGN.md §4): found, validated, activated.

Lookup: --policy FILE, else `policy_file` in config.toml, else policy.toml in the config
folder, else the packaged default. Anything wrong (an unknown category or key, a missing or
negative period, an anchor a category cannot use) is a ValidationError naming the key, and
nothing runs.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from console.settings.config import Settings, load_settings, resolve_config_dir
from models.core.errors import ValidationError
from models.core.i18n import _
from models.retention import policy as policy_model
from models.retention.policy import CATEGORIES, Policy, Rule

TOP_KEYS = {"version", "unbilled_warning_days", "backup_rotation_days", "chat_video_reading", "rules"}
RULE_KEYS = {"clause", "anchor", "hours", "days", "months", "years", "anchor_rounding"}
PERIOD_KEYS = ("hours", "days", "months", "years")
ANCHORS_FOR = {
    **{
        c: ("order_completed", "order_billed")
        for c in ("system_info", "gathered_files", "connection", "activity", "chat", "video")
    },
    "billing": ("session_date",),
    "access_requests": ("request_closed",),
}
READINGS = ("P8", "P7")


class ConfigSource(Protocol):
    """Where the configuration is (console.cli.context.Context is one)."""

    @property
    def config_dir(self) -> Path: ...

    @property
    def settings(self) -> Settings: ...


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    source: str  # a path, or "built-in default"
    chat_video_reading: str


def default_text() -> str:
    # Beside this module (package data, installed as a file); importlib.resources would import zipfile
    # and its readers at every start of the console only to find it there.
    return Path(__file__).with_name("default_policy.toml").read_text(encoding="utf-8")


def _whole(where: str, value: Any, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(where, _("must be a whole number"))
    if value < minimum:
        raise ValidationError(
            where, _("must not be negative") if minimum == 0 else _("must be {n} or more").format(n=minimum)
        )
    return value


def _rule(name: str, raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ValidationError(where, _("must be a table"))
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise ValidationError(where, _("unknown keys: {keys}").format(keys=", ".join(sorted(unknown))))
    clause = raw.get("clause")
    if not isinstance(clause, str) or not clause.strip():
        raise ValidationError(f"{where}.clause", _("is required: the policy clause this rule keeps (e.g. P7)"))
    anchor = raw.get("anchor")
    if anchor not in ANCHORS_FOR[name]:
        raise ValidationError(
            f"{where}.anchor", _("must be one of: {allowed}").format(allowed=", ".join(ANCHORS_FOR[name]))
        )
    periods = {key: _whole(f"{where}.{key}", raw.get(key, 0)) for key in PERIOD_KEYS}
    if not any(periods.values()):
        raise ValidationError(where, _("needs a period: hours, days, months or years"))
    rounding = raw.get("anchor_rounding")
    if rounding not in (None, "end_of_year"):
        raise ValidationError(f"{where}.anchor_rounding", _('must be "end_of_year" or left out'))
    return Rule(name, anchor, clause.strip(), anchor_rounding=rounding, **periods)


def parse(text: str, source: str) -> LoadedPolicy:
    """Validate a policy document; the version carries a checksum of the text."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(source, _("is not valid TOML: {problem}").format(problem=exc)) from None
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise ValidationError(source, _("unknown keys: {keys}").format(keys=", ".join(sorted(unknown))))
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip() or len(version) > 40:
        raise ValidationError("version", _('is required: a short text such as "2026-1"'))
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, dict):
        raise ValidationError("rules", _("is required: one [rules.CATEGORY] table per category"))
    for name in rules_raw:
        if name not in CATEGORIES:
            raise ValidationError(
                f"rules.{name}", _("unknown category; known: {known}").format(known=", ".join(CATEGORIES))
            )
    missing = [c for c in CATEGORIES if c not in rules_raw]
    if missing:
        raise ValidationError("rules", _("missing rules for: {names}").format(names=", ".join(missing)))
    rules = {name: _rule(name, rules_raw[name], f"rules.{name}") for name in CATEGORIES}
    reading = raw.get("chat_video_reading", "P8")
    if reading not in READINGS:
        raise ValidationError("chat_video_reading", _('must be "P8" (default) or "P7" (stricter)'))
    if reading == "P7":
        for name in ("chat", "video"):
            rules[name] = Rule(name, "order_completed", "P7 (stricter reading)", hours=48)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    policy = Policy(
        version=f"{version.strip()}+{digest}",
        rules=rules,
        unbilled_warning_days=_whole("unbilled_warning_days", raw.get("unbilled_warning_days", 45), minimum=1),
        backup_rotation_days=_whole("backup_rotation_days", raw.get("backup_rotation_days", 30), minimum=1),
    )
    return LoadedPolicy(policy, source, reading)


def load(path: Path | None) -> LoadedPolicy:
    if path is None:
        return parse(default_text(), _("built-in default"))
    try:
        from models.core import modes

        modes.refuse_if_writable_by_others(path, _("policy file"))
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            "policy_file", _("cannot read {path}: {problem}").format(path=path, problem=exc)
        ) from None
    return parse(text, str(path))


def locate(config_dir: Path, settings: Settings, option: str | None) -> Path | None:
    """--policy, else config.toml's policy_file, else policy.toml in the config folder, else None."""
    if option:
        return Path(option).expanduser()
    if settings.policy_file:
        return Path(settings.policy_file).expanduser()
    candidate = config_dir / "policy.toml"
    return candidate if candidate.exists() else None


def activate(ctx: ConfigSource, option: str | None = None) -> LoadedPolicy:
    """Load, validate and activate the policy for this process; every due date follows it."""
    loaded = load(locate(ctx.config_dir, ctx.settings, option))
    policy_model.activate(loaded.policy)
    return loaded


def activate_configured(option: str | None = None) -> LoadedPolicy:
    """The same without a Context (the timer reloads it before each run, so an edit takes effect)."""
    config_dir = resolve_config_dir()
    loaded = load(locate(config_dir, load_settings(config_dir), option))
    policy_model.activate(loaded.policy)
    return loaded


def describe(loaded: LoadedPolicy) -> dict[str, Any]:
    """The policy as `policy show --json` prints it."""
    p = loaded.policy
    return {
        "version": p.version,
        "source": loaded.source,
        "chat_video_reading": loaded.chat_video_reading,
        "unbilled_warning_days": p.unbilled_warning_days,
        "backup_rotation_days": p.backup_rotation_days,
        "rules": [
            {
                "category": r.category,
                "clause": r.clause,
                "anchor": r.anchor,
                "hours": r.hours,
                "days": r.days,
                "months": r.months,
                "years": r.years,
                "anchor_rounding": r.anchor_rounding,
                "text": r.describe(),
            }
            for r in p.rules.values()
        ],
    }
