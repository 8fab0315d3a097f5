"""German translations of the strings helper "daily" added or changed (the lead merges them into the catalogue)."""

T = {
    "action (e.g. note, restart, driver update)": "Aktion (z. B. Notiz, Neustart, Treiber-Update)",
    "what was done": "was getan wurde",
}
