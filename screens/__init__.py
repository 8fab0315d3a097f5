"""Textual screens of the support24 console: thin views that show, ask and delegate to models/."""
