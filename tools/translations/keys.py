"""German for the strings of the key map, the `/` filter, the `o` sort, Enter-to-open and the palette lookups."""

T = {
    "time": "Zeit",
    "logged": "protokolliert",
    "customer number": "Kundennummer",
    "event number": "Ereignisnummer",
    "order ref": "Auftragsnummer",
    "{kind} {ref} cannot be opened from here.": "{kind} {ref} lässt sich von hier nicht öffnen.",
    "filter matches: kind, ref, record or reason — enter filters, esc clears": (
        "Treffer filtern: Art, Nummer, Datensatz oder Grund — Enter filtert, Esc leert"
    ),
    "Outbox: {n} record waits for the next batch ({key} exports it)": (
        "Postausgang: {n} Datensatz wartet auf den nächsten Stapel ({key} exportiert ihn)",
        "Postausgang: {n} Datensätze warten auf den nächsten Stapel ({key} exportiert sie)",
    ),
    "Chain not checked yet: press {key} to verify.": "Kette noch nicht geprüft: {key} drücken zum Prüfen.",
    "Event {id} names no record that can be opened.": "Ereignis {id} nennt keinen Datensatz, der sich öffnen lässt.",
    "Move to a line (tab, up, down) and press enter to open it.": (
        "Gehen Sie auf eine Zeile (Tab, hoch, runter) und drücken Sie Enter, um sie zu öffnen."
    ),
    "sorted by {column} {direction}": "sortiert nach {column} {direction}",
    "filter: start of a ref, name or number — enter filters, esc clears": (
        "Filter: Anfang einer Nummer, eines Namens oder einer Kennung — Enter filtert, Esc leert"
    ),
    "This list has no filter.": "Diese Liste hat keinen Filter.",
    "This list has one order only.": "Diese Liste hat nur eine Reihenfolge.",
    "({key}: the next)": "({key}: die nächste)",
    "help for this screen: its keys and what it is for": "Hilfe zu dieser Ansicht: ihre Tasten und wozu sie dient",
    "filter the list (on the database, page by page)": "die Liste filtern (in der Datenbank, Seite für Seite)",
    "every list, detail lists too": "jede Liste, auch in Detailansichten",
    "Sort": "Sortieren",
    "sort the list by its next indexed column, then the other way round": (
        "die Liste nach ihrer nächsten indizierten Spalte sortieren, dann andersherum"
    ),
    "every list": "jede Liste",
    "open what the line refers to": "öffnen, worauf die Zeile verweist",
    "lists, dashboard, audit, access matches": "Listen, Lage, Protokoll, Auskunftstreffer",
    "back: close the detail, or leave and clear the filter": (
        "zurück: die Detailansicht schließen oder den Filter verlassen und leeren"
    ),
    "details, filters": "Detailansichten, Filter",
    "New": "Neu",
    "new item of this list (access request, staff member)": (
        "neuer Eintrag dieser Liste (Auskunftsanfrage, Mitarbeiter)"
    ),
    "Access, Staff": "Auskunft, Personal",
    "next view of the screen (queue, runs, holds; outbox, batches)": (
        "nächste Ansicht (Löschplan, Löschläufe, Sperren; Postausgang, Stapel)"
    ),
    "Retention, Billing": "Löschung, Abrechnung",
    "verify: the audit chain, or the requester's identity": (
        "prüfen: die Protokollkette oder die Identität der anfragenden Person"
    ),
    "Audit, access request": "Protokoll, Auskunftsanfrage",
    "export: a billing batch, or the access report": "exportieren: einen Abrechnungsstapel oder den Auskunftsbericht",
    "Billing, access request": "Abrechnung, Auskunftsanfrage",
    "Export again": "Erneut exportieren",
    "export the selected billing batch again": "den gewählten Abrechnungsstapel erneut exportieren",
    "start a session": "eine Sitzung beginnen",
    "end the selected session": "die gewählte Sitzung beenden",
    "add an activity or file transfer to the session": "der Sitzung eine Tätigkeit oder Dateiübertragung hinzufügen",
    "add a chat line to the session": "der Sitzung eine Chatzeile hinzufügen",
    "add system information to the session": "der Sitzung Systeminformationen hinzufügen",
    "add a second technician (consent first)": "einen zweiten Techniker hinzuziehen (erst die Einwilligung)",
    "record a disclosure to a third party": "eine Weitergabe an Dritte erfassen",
    "complete (finish) the order": "den Auftrag abschließen (fertig)",
    "order detail": "Auftragsdetail",
    "place a legal hold": "eine rechtliche Sperre setzen",
    "order detail, Retention": "Auftragsdetail, Löschung",
    "release the legal hold": "die rechtliche Sperre aufheben",
    "purge due data: preview first, then confirm": "fällige Daten löschen: erst die Vorschau, dann bestätigen",
    "show one data category (group) after the other": "eine Datenkategorie (Gruppe) nach der anderen zeigen",
    "show one state after the other": "einen Stand nach dem anderen zeigen",
    "Retention, Access": "Löschung, Auskunft",
    "compile the matches of an access request": "die Treffer einer Auskunftsanfrage zusammenstellen",
    "access request": "Auskunftsanfrage",
    "leave the selected match out of the report": "den gewählten Treffer aus dem Bericht herausnehmen",
    "Include": "Aufnehmen",
    "put an excluded match back into the report": "einen herausgenommenen Treffer wieder in den Bericht aufnehmen",
    "extend the deadline (longer) by two months": "die Frist um zwei Monate verlängern",
    "record that the report was delivered": "erfassen, dass der Bericht versandt wurde",
    "reject the access request": "die Auskunftsanfrage ablehnen",
    "acknowledge a billing batch (sets the billing date)": (
        "einen Abrechnungsstapel bestätigen (setzt das Abrechnungsdatum)"
    ),
    "edit (update) the selected staff member": "den gewählten Mitarbeiter ändern",
    "deactivate the selected staff member": "den gewählten Mitarbeiter deaktivieren",
    "reactivate the selected staff member": "den gewählten Mitarbeiter wieder aktivieren",
    "register a customer": "einen Kunden anlegen",
    "add a contact person to the selected customer": "dem gewählten Kunden eine Kontaktperson hinzufügen",
    "go to the next list on the screen": "zur nächsten Liste der Ansicht",
    "assign the connection to an order": "die Verbindung einem Auftrag zuordnen",
    "unrecorded connections": "Verbindungen ohne Sitzung",
    "mark the connection as not customer work": "die Verbindung als keine Kundenarbeit kennzeichnen",
    "command palette: go to a reference (A-, S-, C-, AR-, K-, batch number) or run an action": (
        "Befehlspalette: zu einer Nummer springen (A-, S-, C-, AR-, K-, Stapelnummer) oder eine Aktion ausführen"
    ),
    "change the theme": "das Farbschema wechseln",
    "quit the console": "die Konsole beenden",
    "in a form: save": "im Formular: speichern",
    "in a question: yes / no (esc is no)": "bei einer Frage: ja / nein (Esc heißt nein)",
    "in a form: cancel (asks when something was typed)": "im Formular: abbrechen (fragt, wenn etwas eingegeben wurde)",
    "in a form: next field (Enter does not save)": "im Formular: nächstes Feld (Enter speichert nicht)",
    "Queue · category: {category} · state: {state}   ({keys} to change)": (
        "Löschplan · Kategorie: {category} · Stand: {state}   ({keys} zum Ändern)"
    ),
    "no order {ref}": "kein Auftrag {ref}",
    "no session {ref}": "keine Sitzung {ref}",
    "no access request {ref}": "keine Auskunftsanfrage {ref}",
    "no customer {ref}": "kein Kunde {ref}",
    "no billing batch {ref}": "kein Abrechnungsstapel {ref}",
}
