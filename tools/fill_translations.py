"""Fill English msgstr entries from a JSON file {"msgid": "translation"}: for translators
who work in a spreadsheet or a chat rather than in a .po editor.

    .venv/bin/python tools/fill_translations.py new.json
"""

import json
import sys

from babel.messages.pofile import read_po, write_po

PO = "app/translations/en/LC_MESSAGES/messages.po"


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        translations = json.load(f)
    with open(PO, "rb") as f:
        catalog = read_po(f)
    filled = 0
    for message in catalog:
        if message.id in translations:
            message.string = translations[message.id]
            filled += 1
    with open(PO, "wb") as f:
        write_po(f, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"filled {filled}; still untranslated: {len(missing)}")


if __name__ == "__main__":
    main(sys.argv[1])
