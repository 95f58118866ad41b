"""What a person can read back: text with nothing invisible in it, and names whose words
are each of one alphabet, so that two names that look alike are one name.  A bank's
document references, a staff member's user name and an operator's name are held to it."""

from __future__ import annotations

import unicodedata

#: The characters a reference (or a name) may not hold, by Unicode category: controls, format
#: characters (the soft hyphen, bidirectional marks, tags…), surrogates, private use,
#: unassigned code points, line and paragraph separators.
UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
#: And the code points Unicode says to draw as nothing wherever they are not understood
#: (Default_Ignorable_Code_Point, of any category: fillers, variation selectors, the
#: combining grapheme joiner), with the Braille blank.
UNSEEN_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip
#: What makes a reference legible: at least one letter, digit, punctuation or symbol.
SEEN_CATEGORY_STARTS = ("L", "N", "P", "S")


def unseen(character: str) -> bool:
    code = ord(character)
    return unicodedata.category(character) in UNSEEN_CATEGORIES or any(
        first <= code <= last for first, last in UNSEEN_RANGES
    )


def alphabets(word: str) -> set[str]:
    """The alphabets (scripts, by the first word of each letter's Unicode name) of a
    word's letters: more than one where a letter of another looks like one of its own
    ("Hаlyk" with a Cyrillic а)."""
    return {
        unicodedata.name(c, "?").split()[0]
        for c in word
        if c.isalpha() and unicodedata.category(c) != "Lm"  # a modifier letter (ʻ) is any's
    }


#: The capitals of the Cyrillic and Greek alphabets drawn like a Latin one (Cyrillic `В`,
#: Greek `Β` and Latin `B`), each to the Latin letter it passes for: compared in upper
#: case, their small letters drawn alike (`а`, `о`, `р`) are these too.
DRAWN_LIKE_LATIN = {
    **dict(zip("АВЕКМНОРСТХУІЈЅҮ", "ABEKMHOPCTXYIJSY", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),
}
#: Small letters drawn like a Latin small letter whose capitals are not drawn alike
#: (Cyrillic `һ` and `h`, `ԁ` and `d`, `ӏ` and `l`; the Latin dotless `ı` and `i`).
_SMALL_LIKE_LATIN = {"һ": "H", "ԁ": "D", "ӏ": "L", "ı": "I"}


def read_alike(text: str, other: str) -> bool:
    """Whether two names read as one: letter by letter the same, whatever the case, the
    spaces between words or the compatibility forms (full-width `Ｂａｎｋ` is `Bank`); or,
    where the two letters are of two alphabets, drawn alike (`ВСС` in Cyrillic and `BCC`,
    `Ѕһор` and `Shop`). Two letters of one alphabet are two letters: `Кун` is not `Күн`."""
    first, second = _letters(text), _letters(other)
    return len(first) == len(second) and all(
        a.upper() == b.upper() or (_alphabet(a) != _alphabet(b) and _look(a) == _look(b))
        for a, b in zip(first, second, strict=True)
    )


def _letters(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _alphabet(character: str) -> str:
    return unicodedata.name(character, "?").split()[0] if character.isalpha() else ""


def _look(character: str) -> str:
    if character in _SMALL_LIKE_LATIN:
        return _SMALL_LIKE_LATIN[character]
    capital = character.upper()
    return DRAWN_LIKE_LATIN.get(capital, capital)
