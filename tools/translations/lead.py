T = {
    "Exclude kind": "Art ausschließen",
    "leave every match of the selected match's kind out of the report": "jeden Treffer der Art des gewählten Treffers aus der Auskunft herausnehmen",
    "Include kind": "Art einschließen",
    "put every excluded match of the selected match's kind back": "jeden ausgeschlossenen Treffer der Art des gewählten Treffers wieder aufnehmen",
    "correct the billing date of the selected acknowledged batch": "das Abrechnungsdatum des gewählten bestätigten Stapels korrigieren",
}
