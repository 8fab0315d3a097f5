"""German for the strings helper report added (progress of the access report, billing export, purge, ingest)."""

T = {
    "{done} of {total} record": ("{done} von {total} Datensatz", "{done} von {total} Datensätzen"),
    "{done} record": ("{done} Datensatz", "{done} Datensätze"),
    "step {done} of {total}": ("Schritt {done} von {total}", "Schritt {done} von {total}"),
    "{done} step": ("{done} Schritt", "{done} Schritte"),
    "{done} of {total} item": ("{done} von {total} Eintrag", "{done} von {total} Einträgen"),
    "{done} item": ("{done} Eintrag", "{done} Einträge"),
    "{done} of {total} file": ("{done} von {total} Datei", "{done} von {total} Dateien"),
    "{done} file": ("{done} Datei", "{done} Dateien"),
    "Purging: {progress}": "Löschung läuft: {progress}",
    "Compiling: {progress}": "Zusammenstellen: {progress}",
}
