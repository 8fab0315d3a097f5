"""German for `/` and `o` on the order and session details, and the bulk-exclude question's key."""

T = {
    "filter the lists: any text of a line — enter filters, esc clears": (
        "Listen filtern: beliebiger Text einer Zeile — Enter filtert, Esc leert"
    ),
    "({key}: the other way)": "({key}: andersherum)",
    "newest first": "neueste zuerst",
    "oldest first": "älteste zuerst",
    "lists narrowed to lines containing “{text}”": "Listen auf Zeilen mit „{text}“ eingegrenzt",
    "lists newest first": "Listen: neueste zuerst",
    "showing {shown} of {total} — {key} narrows": "{shown} von {total} angezeigt — {key} grenzt ein",
    "They can be included again ({key}).": "Sie können wieder aufgenommen werden ({key}).",
}
