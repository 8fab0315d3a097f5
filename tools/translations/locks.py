"""German translations of the strings helper "locks" added (merged into the catalogue by the lead)."""

T = {
    "another billing export is running: {holder}": "ein anderer Abrechnungsexport läuft: {holder}",
    "unknown": "unbekannt",
    "batch {number} is still being exported; try again when the export has finished": (
        "Stapel {number} wird noch exportiert; versuchen Sie es erneut, wenn der Export beendet ist"
    ),
}
