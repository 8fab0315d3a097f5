"""German translations of the strings the import helper added (applied by the lead)."""

T = {
    "the import's scratch folder {path} cannot be used: {error}": (
        "Der Arbeitsordner des Imports {path} kann nicht benutzt werden: {error}"
    ),
    "it is not a folder of this account": "es ist kein Ordner dieses Kontos",
}
