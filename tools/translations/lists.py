"""German for the new sorts of the lists (the retention queue, the access requests)."""

T = {
    "due date": "Fälligkeit",
    "deadline": "Frist",
    "request ref": "Anfrage",
}
