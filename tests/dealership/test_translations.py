"""The Simplified Chinese catalogue is complete, compiled and keeps every placeholder.

No database: these tests read locale/zh_Hans/LC_MESSAGES/django.po and django.mo directly.
See locale/README.md for how to update the catalogue when strings change.
"""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

MESSAGES_DIR = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_PATH = MESSAGES_DIR / "django.po"
MO_PATH = MESSAGES_DIR / "django.mo"
UPDATE_HINT = "see locale/README.md (makemessages, translate, compilemessages)"

# printf-style: %(name)s, %s, %d, %5.2f … ("%%" is a literal percent sign, not a placeholder).
PERCENT_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[sdiouxXeEfFgGcr%]")
# str.format-style: {name}, {0}, {} (and {name!r:>10}); "{{" / "}}" are literal braces.
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{(?P<name>\w*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


@pytest.fixture(scope="module")
def po():
    assert PO_PATH.exists(), f"{PO_PATH} is missing; {UPDATE_HINT}"
    return polib.pofile(str(PO_PATH))


def _entries(po):
    return [entry for entry in po if not entry.obsolete]


def _placeholders(text: str) -> tuple[frozenset, Counter, frozenset]:
    """Named %-placeholders (a set), positional %-placeholders (with counts), {placeholders}."""
    named, positional = set(), Counter()
    for match in PERCENT_PLACEHOLDER.finditer(text):
        token = match.group(0)
        if token == "%%":
            continue
        if match.group("name") is not None:
            named.add(token)
        else:
            positional[token[-1]] += 1
    braces = frozenset(f"{{{m.group('name')}}}" for m in BRACE_PLACEHOLDER.finditer(text))
    return frozenset(named), positional, braces


def _mapping(catalogue) -> dict:
    """(msgctxt, msgid, msgid_plural) → msgstr, or the tuple of plural forms."""
    result = {}
    for entry in catalogue:
        if entry.obsolete or not entry.msgid:
            continue
        if isinstance(entry, polib.POEntry) and not entry.translated():
            continue  # msgfmt leaves untranslated and fuzzy entries out of the .mo
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural or None)
        if entry.msgid_plural:
            result[key] = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        else:
            result[key] = entry.msgstr
    return result


def test_header_is_valid(po):
    assert not po.metadata_is_fuzzy, "the PO header is marked fuzzy"
    assert po.metadata.get("Language") == "zh_Hans"
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")


def test_every_entry_is_translated_and_not_fuzzy(po):
    entries = _entries(po)
    assert entries, "the catalogue is empty; run makemessages"
    untranslated = [entry.msgid for entry in entries if not entry.translated() and "fuzzy" not in entry.flags]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated: " + "; ".join(map(repr, untranslated)))
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} fuzzy (check the translation, then remove the flag): "
            + "; ".join(map(repr, fuzzy))
        )
    assert not problems, "\n".join(problems) + f"\n{UPDATE_HINT}"


def test_compiled_mo_matches_po(po):
    assert MO_PATH.exists(), f"{MO_PATH} is missing; run compilemessages ({UPDATE_HINT})"
    po_map = _mapping(po)
    mo_map = _mapping(polib.mofile(str(MO_PATH)))
    missing = sorted(key[1] for key in po_map.keys() - mo_map.keys())
    extra = sorted(key[1] for key in mo_map.keys() - po_map.keys())
    changed = sorted(key[1] for key in po_map.keys() & mo_map.keys() if po_map[key] != mo_map[key])
    assert not (missing or extra or changed), (
        "django.mo is out of date with django.po; run compilemessages and commit the .mo.\n"
        f"missing from .mo: {missing}\nonly in .mo: {extra}\ndifferent: {changed}"
    )


def test_translations_keep_placeholders(po):
    mismatches = []
    for entry in _entries(po):
        if not entry.translated():
            continue  # reported by test_every_entry_is_translated_and_not_fuzzy
        if entry.msgid_plural:
            # Chinese has one form (msgstr[0]); it must carry the plural msgid's placeholders.
            source = _placeholders(entry.msgid_plural)
            if _placeholders(entry.msgid) != source:
                mismatches.append(f"{entry.msgid!r}: msgid and msgid_plural differ (check the source)")
            targets = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
        else:
            source = _placeholders(entry.msgid)
            targets = [entry.msgstr]
        for target in targets:
            found = _placeholders(target)
            if found != source:
                mismatches.append(
                    f"{entry.msgid!r} → {target!r}: expected {_describe(source)}, got {_describe(found)}"
                )
    assert not mismatches, "placeholders changed in translation:\n" + "\n".join(mismatches)


def _describe(placeholders) -> str:
    named, positional, braces = placeholders
    return str(sorted(named) + sorted(f"%{k}×{n}" for k, n in positional.items()) + sorted(braces))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("%(name)s and %(name)s", ({"%(name)s"}, {}, set())),
        ("%d reminders, 100%% done", (set(), {"d": 1}, set())),
        ("{customer} {{literal}}", (set(), {}, {"{customer}"})),
        ("person(s) 【Lotus Motors】", (set(), {}, set())),
    ],
)
def test_placeholder_regex(text, expected):
    named, positional, braces = _placeholders(text)
    assert (set(named), dict(positional), set(braces)) == expected


def test_chinese_is_rendered():
    with translation.override("zh-hans"):
        text = translation.gettext("My day")
        plural = translation.ngettext("%d reminder cancelled.", "%d reminders cancelled.", 3) % 3
    assert text != "My day"
    assert re.search(r"[\u4e00-\u9fff]", text), text
    assert "3" in plural and re.search(r"[\u4e00-\u9fff]", plural), plural
