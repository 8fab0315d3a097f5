"""German translations of the strings helper "daily" added or changed (the lead merges them into the catalogue)."""

T = {
    "action (e.g. note, restart, driver update)": "Aktion (z. B. Notiz, Neustart, Treiber-Update)",
    "what was done": "was getan wurde",
    "Billing date": "Abrechnungsdatum",
    "Change the billing date of batch {n}": "Abrechnungsdatum von Stapel {n} ändern",
    "Batch {n}, {count} records, billed on {day}.": "Stapel {n}, {count} Einträge, abgerechnet am {day}.",
    "New billing date (the invoice date, DD.MM.YYYY)": "Neues Abrechnungsdatum (das Datum der Rechnung, TT.MM.JJJJ)",
    "is the date the batch has; type the corrected one": (
        "ist das Datum, das der Stapel hat; geben Sie das korrigierte ein"
    ),
    "Change the billing date of batch {n}: {old} → {new}?": "Abrechnungsdatum von Stapel {n} ändern: {old} → {new}?",
    "{n} order takes the new date, and the deletion of its records (P8) moves with it.": (
        "{n} Auftrag erhält das neue Datum, und die Löschung seiner Unterlagen (P8) verschiebt sich mit.",
        "{n} Aufträge erhalten das neue Datum, und die Löschung ihrer Unterlagen (P8) verschiebt sich mit.",
    ),
    "Batch {n}: billing date {old} → {new}; {count} order follows.": (
        "Stapel {n}: Abrechnungsdatum {old} → {new}; {count} Auftrag folgt.",
        "Stapel {n}: Abrechnungsdatum {old} → {new}; {count} Aufträge folgen.",
    ),
    "Its orders get this billing date, which starts the three months after which their records are deleted (P8). "
    "A wrong date can be corrected later ({key}) until that deletion is due.": (
        "Seine Aufträge erhalten dieses Abrechnungsdatum, mit dem die drei Monate beginnen, nach denen ihre Unterlagen "
        "gelöscht werden (P8). Ein falsches Datum kann später ({key}) korrigiert werden, bis diese Löschung fällig ist."
    ),
    "batch {number} is not acknowledged yet; acknowledge it with its date": (
        "Stapel {number} ist noch nicht bestätigt; bestätigen Sie ihn mit seinem Datum"
    ),
    "the records of order {ref} were due for deletion already; the billing date stays": (
        "die Unterlagen von Auftrag {ref} waren bereits zur Löschung fällig; das Abrechnungsdatum bleibt"
    ),
    "a name or id in a remote tool, e.g. teamviewer:account:max.mueller (repeatable)": (
        "ein Name oder eine ID in einem Fernwartungswerkzeug, z. B. teamviewer:account:max.mueller (mehrfach möglich)"
    ),
    "remove a tool identity, e.g. anydesk:123456789 (repeatable)": (
        "eine Werkzeug-Identität entfernen, z. B. anydesk:123456789 (mehrfach möglich)"
    ),
    "write TOOL:KIND:VALUE, e.g. teamviewer:account:max.mueller": (
        "schreiben Sie WERKZEUG:ART:WERT, z. B. teamviewer:account:max.mueller"
    ),
    "write TOOL:VALUE, e.g. anydesk:123456789": "schreiben Sie WERKZEUG:WERT, z. B. anydesk:123456789",
    "give at least one of --name, --roles, --commitment-date, --secrecy-date, --identity, --remove-identity": (
        "geben Sie mindestens eines von --name, --roles, --commitment-date, --secrecy-date, --identity, "
        "--remove-identity an"
    ),
    "{user} has no identity {spec}": "{user} hat keine Identität {spec}",
    "is the identity of {user} already": "ist bereits die Identität von {user}",
    "account": "Konto",
    "user name": "Benutzername",
    "alias": "Alias",
    "id number": "ID-Nummer",
    "tool identities (tick to remove)": "Werkzeug-Identitäten (ankreuzen zum Entfernen)",
    "tool identities": "Werkzeug-Identitäten",
    "no new identity": "keine neue Identität",
    "name or id in the tool": "Name oder ID im Werkzeug",
    "choose the tool of the identity": "wählen Sie das Werkzeug der Identität",
    "is required for a new identity": "ist für eine neue Identität erforderlich",
    "Exclude all of kind": "Alle dieser Art ausschließen",
    "Include all of kind": "Alle dieser Art wieder aufnehmen",
    "Exclude every {kind} match from {ref}": "Jeden Treffer der Art {kind} aus {ref} ausschließen",
    "Why do they not concern the requester?": "Warum betreffen sie die anfragende Person nicht?",
    "Leave {n} {kind} match out of the report of {ref}?": (
        "{n} Treffer der Art {kind} aus der Auskunft zu {ref} weglassen?",
        "Alle {n} Treffer der Art {kind} aus der Auskunft zu {ref} weglassen?",
    ),
    "They can be included again (I).": "Sie können wieder aufgenommen werden (I).",
    "{n} matches excluded; export the report again.": (
        "{n} Treffer ausgeschlossen; exportieren Sie die Auskunft erneut."
    ),
    "Include all {n} excluded {kind} matches in the report of {ref} again?": (
        "Alle {n} ausgeschlossenen Treffer der Art {kind} wieder in die Auskunft zu {ref} aufnehmen?"
    ),
    "no {kind} match of {ref} is in the report": "kein Treffer der Art {kind} zu {ref} ist in der Auskunft",
    "no {kind} match is excluded from {ref}": "kein Treffer der Art {kind} ist aus {ref} ausgeschlossen",
    "Record that the report of {ref} was sent to the requester on {day}?": (
        "Festhalten, dass die Auskunft zu {ref} am {day} an die anfragende Person gesendet wurde?"
    ),
    "The request is closed then; this cannot be taken back.": (
        "Der Antrag ist dann abgeschlossen; das kann nicht zurückgenommen werden."
    ),
    "name and value, one item per row, e.g. os  Windows 11 Pro": (
        "Name und Wert, ein Eintrag je Zeile, z. B. os  Windows 11 Pro"
    ),
    "give the name of this value, e.g. os": "geben Sie den Namen dieses Werts an, z. B. os",
    "{name} is given twice": "{name} ist zweimal angegeben",
    "A purge is running already (another purge is running: {holder}); try again when it has finished.": (
        "Ein Löschlauf läuft bereits (ein anderer Löschlauf läuft: {holder}); versuchen Sie es erneut, "
        "wenn er beendet ist."
    ),
}
