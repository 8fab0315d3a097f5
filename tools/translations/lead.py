"""German for the access screens' key hints."""

T = {
    "Matches: not compiled in this view yet ({key}).": (
        "Treffer: in dieser Ansicht noch nicht zusammengestellt ({key})."
    ),
    "Requests · {state}  ({key} to change; + after a deadline: extended)": (
        "Anfragen · {state}  ({key} zum Ändern; + nach einer Frist: verlängert)"
    ),
}
