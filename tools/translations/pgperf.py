"""German for the strings helper pgperf added (progress of audit verify; models/core/progress.py)."""

T = {
    "{done} of {total} event": ("{done} von {total} Ereignis", "{done} von {total} Ereignissen"),
    "{done} event": ("{done} Ereignis", "{done} Ereignisse"),
    "{n} s": "{n} s",
    "{n} min": "{n} min",
    "{h} h {m} min": "{h} h {m} min",
    "{h} h": "{h} h",
    "about {time} left": "noch etwa {time}",
}
