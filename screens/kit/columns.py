"""Which columns a list shows at the terminal's width, how wide, and under which header.

Every list (PagedTable) declares its columns once, with a priority and the widths a column
may take; `lay_out` chooses for the width at hand: the columns that decide an action
(priority 0: state, answer, hold, screen) always stay, the others are shortened (cells cut
with …) and then left out, least important first, so that nothing hides behind horizontal
scrolling. Headers switch to their short word when the full one does not fit. Pure: the
tests of the rule need no terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rich.cells import cell_len
from rich.text import Text

ELLIPSIS = "…"


class Column(NamedTuple):
    """One column of a list; `key` and `label` first, so it reads like the (key, label) pairs it replaces."""

    key: str
    label: str
    width: int = 0  # cells when there is room (longer cells are cut with …); 0: the header's width
    priority: int = 1  # 0: always shown, it decides an action; higher numbers are left out first
    min: int = 0  # the narrowest it may be cut to before it is left out; 0: never cut below `width`
    short: str = ""  # the header when `label` does not fit the column
    most: int = 0  # it grows up to this many cells when room is left (names, details); 0: no growth


#: the older spellings still accepted: (key, label) or (key, label, narrow) with narrow 0 = left out first
ColumnSpec = Column | tuple[str, str] | tuple[str, str, int]


@dataclass(frozen=True)
class Placed:
    """A column as laid out: its place in the declaration, its width and the header it shows."""

    index: int
    key: str
    width: int
    header: str


def column(spec: ColumnSpec) -> Column:
    """A Column from any accepted spelling."""
    if isinstance(spec, Column):
        return spec
    key, label = spec[0], spec[1]
    if len(spec) == 2:
        return Column(key, label, width=max(cell_len(label), 12), min=8)
    narrow = spec[2]
    if narrow == 0:
        return Column(key, label, width=max(cell_len(label), 12), priority=3, min=8)
    return Column(key, label, width=narrow, min=min(narrow, 8))


def widest(words: Iterable[str], at_least: int = 1) -> int:
    """The width of the longest of `words` (the values a column can show, in the language in force)."""
    return max([at_least, *(cell_len(word) for word in words)])


def header_width(col: Column) -> int:
    return cell_len(col.short or col.label)


def ideal_width(col: Column) -> int:
    return max(col.width or cell_len(col.label), header_width(col))


def floor_width(col: Column) -> int:
    return min(ideal_width(col), max(col.min or ideal_width(col), header_width(col)))


def header(col: Column, width: int) -> str:
    """The full label if it fits, else the short one, else the short one cut with …."""
    for text in (col.label, col.short):
        if text and cell_len(text) <= width:
            return text
    return cut(col.short or col.label, width)


def cut(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text
    short = Text(text)
    short.truncate(max(width, 1), overflow="ellipsis")
    return short.plain


def lay_out(
    columns: Sequence[ColumnSpec], room: int, padding: int = 1, natural: Mapping[int, int] | None = None
) -> tuple[Placed, ...]:
    """The columns for `room` cells (each column costs its width plus `padding` on either side).

    1. Most important first (priority, then declaration order), a column is taken if it fits at
       its narrowest beside those taken; priority 0 is always taken, and counts at its full width.
    2. Those taken start at their ideal width; while too wide, the least important are cut,
       each down to its narrowest (priority 0 only if the deciding columns alone are too wide).
    3. Room left over widens the columns that may grow, most important first, up to `most` and,
       when `natural` says how wide their cells are (by index), no wider than that.
    """
    cols = [column(spec) for spec in columns]
    if not cols:
        return ()
    gap = 2 * padding
    order = sorted(range(len(cols)), key=lambda i: (cols[i].priority, i))
    taken: list[int] = []
    used = 0

    def wanted(i: int) -> int:
        """What a taken column asks for when a minor one (priority 2 on) wants in: its full width, a name all of it."""
        if cols[i].most and natural is not None:
            return max(ideal_width(cols[i]), min(cols[i].most, natural.get(i, 0)))
        return ideal_width(cols[i])

    for i in order:  # a column that decides an action counts whole: nothing less important may cut it
        cost = (ideal_width(cols[i]) if cols[i].priority == 0 else floor_width(cols[i])) + gap
        if cols[i].priority >= 2:  # minor columns only where the names before them fit whole
            used = sum(wanted(j) + gap for j in taken)
        if used + cost <= room or cols[i].priority == 0:
            taken.append(i)
            used += cost
    widths = {i: ideal_width(cols[i]) for i in taken}
    over = sum(widths.values()) + gap * len(taken) - room
    limits = (
        lambda i: ideal_width(cols[i]) if cols[i].priority == 0 else floor_width(cols[i]),
        lambda i: floor_width(cols[i]),
        lambda i: min(3, floor_width(cols[i])),
    )
    for limit in limits:  # the less important cut first; the deciding ones only when they alone are too wide
        for i in reversed(taken):
            if over <= 0:
                break
            cut_by = min(over, widths[i] - limit(i))
            if cut_by > 0:
                widths[i] -= cut_by
                over -= cut_by
    spare = -over
    for i in taken:
        if spare <= 0:
            break
        cap = cols[i].most if natural is None else min(cols[i].most, natural.get(i, 0))
        grow = min(spare, cap - widths[i])
        if grow > 0:
            widths[i] += grow
            spare -= grow
    return tuple(Placed(i, cols[i].key, widths[i], header(cols[i], widths[i])) for i in sorted(taken))


def fit(cell: Text | str, width: int | None) -> Text | str:
    """A cell shortened to `width` with an ellipsis, so that the deciding columns stay in view."""
    if width is None:
        return cell
    text = cell if isinstance(cell, Text) else Text(cell)
    if text.cell_len <= width:
        return cell
    short = text.copy()
    short.truncate(width, overflow="ellipsis")
    return short
