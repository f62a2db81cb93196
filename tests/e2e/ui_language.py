"""Is a page really in the language it claims? Checks on the text a user sees.

Chinese page ("no untranslated strings"), two checks on the visible text of ``<nav>`` and
``<main>`` once data values (names, showroom, notes …) and the language switcher's own
labels ("English") are taken out:

1. catalogue: no English msgid of locale/zh_Hans/LC_MESSAGES/django.po that is a whole UI
   phrase (4+ letters, no placeholders, translated to something else) appears verbatim —
   catches a string rendered without translation (unwrapped, translated at import time,
   missing from the .mo …);
2. stray English: no Latin word of 3+ letters is left at all, except those the Chinese
   catalogue itself uses (e.g. "CRM") — catches a template string that was never wrapped
   in ``{% translate %}`` and therefore is not in the catalogue at all.

English page: no Chinese characters are left (a Chinese string leaking into English).
"""

import re
from functools import cache
from pathlib import Path

import polib
from django.conf import settings

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d … and {name}: such msgids are templates, not whole phrases.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\d+)?(?:\.\d+)?[sdifrxXeEgGcou]|\{\w*\}")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LANGUAGE_SWITCHER = "select[name=language] option, button[name=language], button[name=switch_language]"
# The page regions whose text the user reads: the top navigation bar and the content.
REGIONS = ("body > nav", "body > main")


def _normalise(text: str) -> str:
    return " ".join(text.split())


@cache
def english_ui_phrases() -> tuple[str, ...]:
    """English msgids that are whole UI phrases and have a different Chinese translation."""
    phrases = set()
    for entry in polib.pofile(str(PO_PATH)):
        if entry.obsolete or "fuzzy" in entry.flags or entry.msgid_plural:
            continue
        msgid = _normalise(entry.msgid)
        if PLACEHOLDER.search(msgid) or len(re.findall(r"[A-Za-z]", msgid)) < 4:
            continue
        if not entry.msgstr or _normalise(entry.msgstr) == msgid:
            continue
        phrases.add(msgid)
    assert len(phrases) > 100, f"too few phrases read from {PO_PATH}: {len(phrases)}"
    return tuple(sorted(phrases, key=len, reverse=True))


@cache
def latin_words_in_chinese_catalogue() -> frozenset[str]:
    """Latin words the Chinese translations themselves use (e.g. "CRM"), placeholders aside."""
    words = set()
    for entry in polib.pofile(str(PO_PATH)):
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        for text in texts:
            words.update(LATIN_WORD.findall(PLACEHOLDER.sub(" ", text)))
    return frozenset(words)


def _phrase_pattern(phrase: str) -> re.Pattern:
    # Whole words only: "Show" must not match inside "Showroom".
    return re.compile(r"(?<![A-Za-z])" + re.escape(phrase) + r"(?![A-Za-z])")


def region_texts(page) -> dict[str, str]:
    """Visible text (innerText: rendered, screen-reader-only labels included) per region,
    without the language switcher's labels, which name each language in its own language."""
    texts = {}
    for selector in REGIONS:
        region = page.locator(selector)
        if region.count() == 0:
            continue
        text = region.inner_text()
        for label in region.locator(LANGUAGE_SWITCHER).all_inner_texts():
            label = label.strip()
            if label:
                text = text.replace(label, " ", 1)
        texts[selector] = text
    return texts


def _without_data(text: str, data_values) -> str:
    """The text with each data value taken out, as whole words ("Li" leaves "Timeline" alone)."""
    text = _normalise(text)
    for value in sorted({_normalise(v) for v in data_values if v and v.strip()}, key=len, reverse=True):
        text = _phrase_pattern(value).sub(" ", text)
    return text


def untranslated_in_chinese(text: str, data_values) -> list[str]:
    """Problems found in the visible text of a page that should be entirely Chinese."""
    text = _without_data(text, data_values)
    problems = []
    for phrase in english_ui_phrases():
        pattern = _phrase_pattern(phrase)
        if pattern.search(text):
            problems.append(f"catalogue msgid shown untranslated: {phrase!r}")
            text = pattern.sub(" ", text)  # report the longest phrase, not its parts again
    allowed = latin_words_in_chinese_catalogue()
    stray = sorted({w for w in LATIN_WORD.findall(text) if w not in allowed})
    if stray:
        problems.append(f"English words outside the catalogue and the data: {stray}")
    return problems


def chinese_in_english(text: str, data_values) -> list[str]:
    text = _without_data(text, data_values)
    found = sorted(set(CJK.findall(text)))
    return [f"Chinese characters on an English page: {''.join(found)!r} in {text!r}"] if found else []
