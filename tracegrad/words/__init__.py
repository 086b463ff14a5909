"""Every word tracegrad shows a student, in each language: one table per language.

Graph captions, listings, the stepper and the explorer, check reports, error
messages and warnings all look their words up here, so a Ukrainian notebook
never shows an English sentence, and a new language is one more module
(``en.py``, ``uk.py``, ...) with the same keys.

    >>> from tracegrad.words import words, message
    >>> words("uk")["next"]
    'далі ▶'
    >>> message("err.scan", language="uk")
    'scan: задайте xs або length. [TG-scan]'

Which language, first match wins: the one passed (``language="uk"``), else
:func:`set_language`'s, else ``$TRACEGRAD_LANG``, else Ukrainian when the
notebook runs in a folder named ``uk`` (where the Ukrainian lectures live),
else English.

Keys are grouped by the part of tracegrad that shows them; a key missing from
one language is a bug, and a test says so. Error messages are keyed ``err.*``:
see :func:`message`. ``tg.primitives()``'s descriptions are written in English
beside each primitive (lax/); a language's PRIMITIVES and FORMULAS translate them.

A new language: a module like ``uk.py`` (its table, PRIMITIVES, FORMULAS) and
its line in LANGUAGES and _MODULES below.
"""
from __future__ import annotations

import collections
import os

from . import en, uk
from .en import EN
from .uk import UK

__all__ = ["LANGUAGES", "words", "language", "set_language", "message", "said", "in_english",
           "primitive_words", "counted"]

LANGUAGES = {"en": EN, "uk": UK}
_MODULES = {"en": en, "uk": uk}

_chosen = None                       # set_language's choice, for everything after it


def _check(name):
    if name not in LANGUAGES:
        # Not message(): a wrong language must not depend on choosing one.
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, not {name!r}: "
                         f"pass 'en' or 'uk'. [TG-lang]")
    return name


def set_language(name=None):
    """Show every word, error and warning in ``name`` ("en" or "uk") from now on;
    ``None`` goes back to the default ($TRACEGRAD_LANG, else the folder). The
    lectures' first cell calls it, so that a copied notebook keeps its language.
    Returns the language chosen before, to restore it."""
    global _chosen
    before, _chosen = _chosen, None if name is None else _check(name)
    return before


def language(name=None):
    """``"en"`` or ``"uk"``: as given, else :func:`set_language`'s, else
    $TRACEGRAD_LANG, else Ukrainian in a folder named ``uk``, else English."""
    name = name or _chosen or os.environ.get("TRACEGRAD_LANG") or (
        "uk" if os.path.basename(os.getcwd()) == "uk" else "en")
    return _check(name)


def words(name=None):
    """The words table of a language (see :func:`language` for the default)."""
    return LANGUAGES[language(name)]


def message(key, /, language=None, **fields):
    """The text of error or warning ``key`` in the current language, its
    {placeholders} filled from ``fields``, ending with a stable code such as
    ``[TG-inplace]``: the same in every language, so that a student who reads
    the message in Ukrainian can search for the English explanation. The code is
    the key without its ``err.`` prefix. The exception's type never changes."""
    text = _text(key, language, fields)
    _made.append((text, key, fields))
    return text


def said(key, /, language=None, **fields):
    """A piece of a message (a hint, a reason, a name such as "argument 0") in the
    current language, its {placeholders} filled; no code. Remembered, like a message,
    so that :func:`in_english` can put it back in English."""
    text = words(language)[key].format(**fields)
    _made.append((text, key, fields))
    return text


def _text(key, language, fields):
    text = words(language)[key].format(**fields)
    return f"{text} [TG-{key.removeprefix('err.').replace(' ', '-')}]"


_made = collections.deque(maxlen=64)      # the latest messages: (text, key, fields)


def in_english(text):
    """``text`` (an error as shown) with each message :func:`message` made lately put
    back in English, its fields as they were: so that the tests, written against the
    English messages, can check a Ukrainian run (``pytest --tg-language=uk``)."""
    # the longest first, so a message goes back before its pieces (which a later message may
    # have reused: replaced first, they would hide the whole); the latest first among equals
    for made, key, fields in sorted(reversed(_made), key=lambda m: -len(m[0])):
        if made and made in text:
            english = _text(key, "en", fields) if key.startswith("err.") else \
                words("en")[key].format(**fields)
            text = text.replace(made, english)
    return text


def primitive_words(name, formulas, doc, special, lang=None):
    """A primitive's local derivatives (``formulas``), one-line ``doc`` and
    ``special``-point convention, all written in English beside the primitive (lax/),
    in the current language: a language's PRIMITIVES and FORMULAS tables translate
    them; English, or a primitive not yet translated, keeps them as they are (a test
    makes sure every primitive is translated)."""
    module = _MODULES[language(lang)]
    doc, special = module.PRIMITIVES.get(name, (doc, special))
    return tuple(module.FORMULAS.get(f, f) for f in formulas), doc, special


def counted(count, key, /, language=None):
    """``count`` and the noun ``key`` in the form that agrees with it: "51 операція",
    "4 операції", "11 операцій"; "1 operation", "4 operations". The table gives the forms
    as ``one|few|many`` (Ukrainian: 1, 21; 2–4, 22–24; the rest; English: 1; the rest)."""
    one, few, many = words(language)[key].split("|")
    if words(language) is not UK:
        return f"{count} {one if count == 1 else many}"
    last, last_two = count % 10, count % 100
    if last == 1 and last_two != 11:
        return f"{count} {one}"
    return f"{count} {few if 2 <= last <= 4 and not 12 <= last_two <= 14 else many}"
