"""German for the strings of the column, mode bar, header and theme work (python tools/apply_translations.py THIS)."""

T = {
    # short column headers, used when the full one does not fit
    "Station": "Platz",
    "Scr.": "Bild",
    "How": "Wie",
    "Left": "Rest",
    "Ack.": "Best.",
    "Billed": "Abger.",
    "Cont.": "Ansp.",
    "Signed": "Verpfl.",
}
