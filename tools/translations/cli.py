"""German for the CLI's billing-date correction and exclusion/inclusion of access-report matches."""

T = {
    # the footer's short words for a narrow terminal (screens/kit/keys.py, `short`)
    "Again": "Erneut",
    "Cat.": "Kat.",
    "Deact.": "Deakt.",
    "React.": "Reakt.",
    "correct the billing date of an acknowledged batch; its orders' P8 deletion dates follow": (
        "das Abrechnungsdatum eines bestätigten Stapels berichtigen; die P8-Löschtermine seiner Aufträge folgen"
    ),
    "Batch {number} has billing date {day} already; nothing changed.": (
        "Stapel {number} hat bereits das Abrechnungsdatum {day}; nichts geändert."
    ),
    "Batch {number} would change from {old} to {new}; nothing was changed (--dry-run).": (
        "Stapel {number} würde von {old} auf {new} geändert; nichts wurde geändert (--dry-run)."
    ),
    "Batch {number}: billing date changed from {old} to {new}.": (
        "Stapel {number}: Abrechnungsdatum von {old} auf {new} geändert."
    ),
    "and --all exclude each other; give one of them": "und --all schließen einander aus; eines von beiden angeben",
    "every match of KIND instead of one ID": "jeden Treffer der ART statt einer NR",
    "exclude a false match (or --all of a kind) from the report, with a reason": (
        "einen falschen Treffer (oder mit --all alle einer Art) mit Begründung aus der Auskunft ausschließen"
    ),
    "is missing: give the record id as compile shows it, or --all": (
        "fehlt: die Nummer des Datensatzes angeben, wie compile sie anzeigt, oder --all"
    ),
    "show old and new date and the orders; change nothing": (
        "altes und neues Datum und die Aufträge zeigen; nichts ändern"
    ),
    "take an excluded match (or --all of a kind) into the report again": (
        "einen ausgeschlossenen Treffer (oder mit --all alle einer Art) wieder in die Auskunft aufnehmen"
    ),
    "the corrected billing date": "das berichtigte Abrechnungsdatum",
    "{ref}: {kind} {id} included again; export again before delivery": (
        "{ref}: {kind} {id} wieder aufgenommen; vor dem Versand erneut exportieren"
    ),
    "{ref}: {n} {kind} match excluded; export again before delivery": (
        "{ref}: {n} Treffer der Art {kind} ausgeschlossen; vor dem Versand erneut exportieren",
        "{ref}: {n} Treffer der Art {kind} ausgeschlossen; vor dem Versand erneut exportieren",
    ),
    "{ref}: {n} {kind} match included again; export again before delivery": (
        "{ref}: {n} Treffer der Art {kind} wieder aufgenommen; vor dem Versand erneut exportieren",
        "{ref}: {n} Treffer der Art {kind} wieder aufgenommen; vor dem Versand erneut exportieren",
    ),
}
