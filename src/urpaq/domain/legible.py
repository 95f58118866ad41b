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
_LIKE_LATIN = str.maketrans(DRAWN_LIKE_LATIN)


def skeleton(text: str, *, drawn_alike: bool = True) -> str:
    """What a name looks like, read by a person: its compatibility forms as their plain
    letters (`Ｂａｎｋ` is `Bank`), in upper case, with `drawn_alike` each letter that passes
    for a Latin one as that letter (`ВСС Bank` with a Cyrillic `ВСС` is `BCC BANK`), its
    spaces as one."""
    folded = unicodedata.normalize("NFKC", text).upper()
    if drawn_alike:
        folded = folded.translate(_LIKE_LATIN)
    # Normalised again: upper case and the folding may leave a letter and marks that
    # compose (`ΐ` in upper case is `Ϊ` and an accent; its `Ι` folds to the Latin `I`).
    return " ".join(unicodedata.normalize("NFKC", folded).split())
