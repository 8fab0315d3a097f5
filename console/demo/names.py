"""Word pools for the demo data: German names, firms, workstations, chat lines and hostile strings.

Kept apart from the generators so both the small (domain) and the bulk path draw the same
realistic vocabulary; a seeded `random.Random` picks from these tuples deterministically.
"""
from __future__ import annotations

FIRST_NAMES = (
    "Jürgen", "Müge", "Björn", "Käthe", "Sören", "Anna", "Lukas", "Leonie", "Jörg", "Özlem", "Günther", "Hannah",
    "Maximilian", "Sophie", "Jonas", "Marie", "Felix", "Lea", "Till", "Greta", "Ömer", "Lena", "Paul", "Mia",
    "Karl-Heinz", "Ursula", "Dieter", "Heike", "Rüdiger", "Bärbel", "Wolfgang", "Sabine", "Uwe", "Claudia",
    "Matthias", "Petra", "Thomas", "Monika", "Stefan", "Gisela", "Niklas", "Jana", "Tobias", "Anja", "Malte",
)
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
    "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
    "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel",
    "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann",
    "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher",
    "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt", "Haas",
    "Yılmaz", "Öztürk", "Nowak", "Kowalski", "Dąbrowski", "Łukasz", "Çelik",
)
FIRM_KINDS = (
    "Bäckerei", "Metzgerei", "Steuerkanzlei", "Zahnarztpraxis", "Autohaus", "Blumenladen", "Hausverwaltung",
    "Schreinerei", "Physiotherapie", "Apotheke", "Architekturbüro", "Ingenieurbüro", "Druckerei", "Optik",
    "Reisebüro", "Gärtnerei", "Elektro", "Sanitär", "Rechtsanwälte", "Buchhandlung", "Café", "Fahrschule",
)
SECRECY_KINDS = ("Steuerkanzlei", "Zahnarztpraxis", "Rechtsanwälte", "Apotheke", "Physiotherapie")
CITIES = (
    ("63450", "Hanau"), ("60311", "Frankfurt am Main"), ("63065", "Offenbach am Main"), ("64283", "Darmstadt"),
    ("63739", "Aschaffenburg"), ("61169", "Friedberg (Hessen)"), ("63571", "Gelnhausen"), ("35390", "Gießen"),
    ("65183", "Wiesbaden"), ("63303", "Dreieich"), ("61118", "Bad Vilbel"), ("63500", "Seligenstadt"),
)
STREETS = (
    "Hauptstraße", "Schloßstraße", "Bahnhofstraße", "Gärtnerweg", "Mühlgasse", "Am Marktplatz", "Lindenallee",
    "Römerstraße", "Kölner Straße", "Fürstenbergerstraße", "Nürnberger Straße", "Brückenstraße",
)
WORKSTATIONS = (
    "EMPFANG-PC", "BUCHHALTUNG-01", "BUCHHALTUNG-02", "CHEF-LAPTOP", "LAGER-PC", "KASSE-1", "PRAXIS-REZEPTION",
    "BEHANDLUNG-3", "SEKRETARIAT", "KÜCHE-TABLET", "SERVER-01", "WERKSTATT-PC", "BÜRO-2", "NAS-KELLER",
)
TOOLS = ("teamviewer", "anydesk", "rustdesk")
BILLING_CLASS_WEIGHTS = (("contract", 55), ("billable", 38), ("goodwill", 7))

ORDER_DESCRIPTIONS = (
    "Drucker druckt nicht mehr", "Outlook startet nicht", "Virenscanner meldet Fund", "Neuer Arbeitsplatz einrichten",
    "Windows-Update hängt", "Datensicherung prüfen", "Kassensystem aktualisieren", "E-Mail-Postfach voll",
    "Scanner an Netzwerk anbinden", "Praxissoftware-Update", "Lohnbuchhaltung: Zertifikat erneuern",
    "WLAN bricht ständig ab", "Passwort zurücksetzen", "Bildschirm bleibt schwarz", "Fernwartung Quartalsupdate",
)
ACTIVITY_ACTIONS = (
    "connect", "open_task_manager", "open_event_viewer", "run_windows_update", "restart_service", "open_control_panel",
    "install_driver", "remove_program", "change_setting", "open_command_prompt", "check_disk", "reboot",
    "clear_print_queue", "open_browser", "disconnect",
)
ACTIVITY_DETAILS = (
    "Dienst Druckwarteschlange neu gestartet", "Ereignisanzeige: Fehler 0x80070005 geprüft",
    "Treiber aktualisiert", "Autostart bereinigt", "Festplattenprüfung ohne Befund", "Neustart auf Wunsch des Kunden",
    "Update KB5031356 installiert", "Freigabe \\\\NAS\\Scans eingerichtet", "Proxy-Einstellung korrigiert",
)
TRANSFER_FILES = (
    "treiber_drucker.zip", "fehlerprotokoll.txt", "setup_praxis_2026.exe", "lohn_zertifikat.pfx", "screenshot.png",
    "backup_report.csv", "outlook.pst.log", "scan_einstellungen.xml", "Übergabe_Notizen.docx",
)
CHAT_TECHNICIAN = (
    "Guten Tag, hier ist der SUPPORT-24 Techniker. Ich sehe jetzt Ihren Bildschirm.",
    "Bitte speichern Sie kurz Ihre offenen Dokumente.",
    "Ich starte jetzt den Druckdienst neu, das dauert einen Moment.",
    "Können Sie bitte einmal eine Testseite drucken?",
    "Das Update läuft, bitte den Rechner nicht ausschalten.",
    "Ich habe die Fehlermeldung gefunden: ein veralteter Treiber.",
    "Fertig! Melden Sie sich gern wieder, falls etwas hakt.",
    "Darf ich für die Protokolldatei kurz den Ordner öffnen?",
)
CHAT_CUSTOMER = (
    "Hallo, danke dass Sie so schnell da sind!",
    "Ja, alles gespeichert.",
    "Die Testseite ist gekommen, super.",
    "Moment, mein Kollege braucht noch kurz den Drucker.",
    "Vielen Dank, schönen Tag noch!",
    "Bei mir erscheint „Zugriff verweigert“ – was heißt das?",
    "Öffnen Sie ruhig, da liegen nur Rechnungen für März.",
    "Grüße aus der Küche – der Kaffee ist fertig ☕",
)
# Shown literally by the console, never interpreted as markup; escapes are stripped on input.
HOSTILE_CHAT = (
    "[bold red]x[/]",
    "[link=http://x]y[/link]",
    "\x1b[31mrot\x1b[0m und wieder normal",
    "<script>alert('ü')</script>",
    "Pfad: C:\\Users\\jörg\\[Desktop]",
    "Zeile eins\r\nZeile zwei\tmit Tab\x07",
)
PROGRAMS = (
    "Microsoft 365 Apps", "DATEV Arbeitsplatz", "Adobe Acrobat Reader", "Mozilla Firefox ESR", "7-Zip",
    "Praxis-EDV Medistar", "Lexware buchhaltung", "Brother Drucktreiber", "ESET Endpoint Security",
)
OS_NAMES = ("Windows 11 Pro 23H2", "Windows 10 Pro 22H2", "Windows Server 2019", "Ubuntu 22.04 LTS", "macOS 14 Sonoma")
RECIPIENTS = ("Hersteller-Support DATEV", "Brother Kundendienst", "ESET Deutschland GmbH", "Medistar Hotline")
CONSENT_WORDINGS = {
    "screen_visibility": "Ihr Bildschirminhalt kann während der Fernwartung auch von anderen Personen gesehen werden. "
                         "Sind Sie damit einverstanden?",
    "additional_staff": "Wir möchten eine weitere Kollegin oder einen weiteren Kollegen hinzuziehen. Einverstanden?",
    "disclosure": "Für die Lösung müssen wir Daten an den Hersteller weitergeben (Umfang wie genannt). Einverstanden?",
    "recording": "Die Sitzung wird als Video aufgezeichnet und 3 Monate nach Abrechnung gelöscht. Einverstanden?",
}
