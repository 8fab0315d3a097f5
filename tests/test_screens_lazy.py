"""Showing the main screens does not load the code of their forms and dialogs (memory an operator
pays for even when no form is opened); a form's code loads when it opens."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import importlib, json, sys
from screens.shell.modes import MODE_SPECS
import screens.shell.app
for spec in MODE_SPECS:
    importlib.import_module("screens." + spec.screen.split(":")[0])
heavy = ("textual.widgets._text_area", "textual.document", "screens.kit.forms")
print(json.dumps(sorted(m for m in sys.modules if m.startswith(heavy) or m.endswith(".forms"))))
"""


def test_importing_every_main_screen_loads_no_form_nor_text_area() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_forms_are_still_reachable_where_they_were_named() -> None:
    from screens.people import forms
    from screens.people.screen import ContactForm, CustomerForm, StaffForm

    assert (StaffForm, CustomerForm, ContactForm) == (forms.StaffForm, forms.CustomerForm, forms.ContactForm)
