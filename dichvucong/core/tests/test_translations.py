"""Source strings are Vietnamese (the seeds' words); English is the translation catalogue.

So the Vietnamese interface can never show an untranslated English string, and these tests make
sure the English catalogue is complete and that the compiled .mo matches the .po in the tree
(the .mo is committed so a fresh machine needs no gettext tools).
"""

from __future__ import annotations

import gettext
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[3] / "locale"


def test_english_catalogue_is_complete():
    po = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))

    assert po.metadata.get("Language") == "en"
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    with (LOCALE / "en" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        mo = gettext.GNUTranslations(handle)

    def compiled_matches(entry: polib.POEntry) -> bool:
        if entry.msgid_plural:
            return all(
                mo.ngettext(entry.msgid, entry.msgid_plural, n) == entry.msgstr_plural[0 if n == 1 else 1]
                for n in (1, 2)
            )
        if entry.msgctxt:
            return mo.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
        return mo.gettext(entry.msgid) == entry.msgstr

    stale = [e.msgid for e in po.translated_entries() if not e.obsolete and not compiled_matches(e)]
    assert not stale, f"run `python manage.py compilemessages` — stale: {stale[:5]}"
