"""Vietnamese character encodings: bytes or mis-decoded text -> Unicode (NFC).

Vietnamese documents arrive in five encodings: UTF-8 and UTF-16 (Unicode), Windows-1258 (tone
marks as separate combining characters), and the two legacy *font* encodings of the 1990s and
2000s, still common in old Word files and web pages: TCVN3 (ABC; fonts ``.VnTime``, one Latin-1
byte per letter) and VNI (fonts ``VNI-Times``, base letter + a Latin-1 "mark" byte). Legacy text
often reaches us already decoded as Latin-1 and re-saved as UTF-8: *mojibake*, such as
``Céng hßa x· héi`` for "Cộng hòa xã hội". Nothing here can tell the encodings apart by their
bytes alone, so each candidate decoding is scored by how many of its words are Vietnamese
syllables (:func:`is_syllable`) and the best one wins.

The conversion tables are data: ``kg/data/tcvn3.json`` and ``kg/data/vni.json``.

>>> decode_legacy("Céng hßa x· héi", "tcvn3")
'Cộng hòa xã hội'
>>> repair("Coäng hoøa xaõ hoäi")
('Cộng hòa xã hội', 'vni')
"""

from __future__ import annotations

import codecs
import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

#: The legacy encodings with a table in kg/data.
LEGACY = ("tcvn3", "vni")

# The five Vietnamese tones as combining marks: grave (huyền), acute (sắc), tilde (ngã),
# hook above (hỏi), dot below (nặng). Every other mark (circumflex, breve, horn) makes a letter.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

# A "word" for scoring: letters, combining marks, and every Latin-1 character from U+00A1, because
# legacy letters arrive as Latin-1 symbols: in "c¸c" (TCVN3 for "các") the "¸" is the letter á.
_WORD = re.compile(r"(?:[^\W\d_]|[\u00a1-\u00ff\u0300-\u036f])+")

# cp1252's printable characters in 0x80-0x9F ("“", "”", "–", "™"...): text that went through a
# Windows code page holds these where Latin-1 would hold C1 controls.
_CP1252_HIGH = {i: bytes([i]).decode("cp1252") for i in range(0x80, 0xA0)
                if i not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}  # undefined in cp1252
_C1_TO_CP1252 = dict(_CP1252_HIGH)
_CP1252_TO_BYTE = {ch: i for i, ch in _CP1252_HIGH.items()}

#: TCVN3's seven upper-case letters (Ă Â Ê Ô Ơ Ư Đ), as their Latin-1 characters.
_TCVN3_UPPER = frozenset("¡¢£¤¥¦§")
#: TCVN3's toned vowels, whose capitals have no code: "ñ" (ủ) also stood for "Ủ"; "®" (đ) did not.
_TCVN3_CAPITALLESS = frozenset("µ¶·¸¹»¼½¾ÆÇÈÉÊËÌÎÏÐÑÒÓÔÕÖ×ØÜÝÞßáâãäåæçèéêëìíîïñòóôõö÷øùúûüýþ")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, and the encoding that was decided on (``"utf-8"``, ``"tcvn3"``...)."""

    text: str
    encoding: str


@dataclass(frozen=True, slots=True)
class Score:
    """How Vietnamese a text looks: words (with a non-ASCII letter) that are syllables, and not."""

    good: int
    bad: int

    @property
    def net(self) -> int:
        return self.good - self.bad

    @property
    def ratio(self) -> float:
        return self.good / (self.good + self.bad) if self.good + self.bad else 0.0


# -- tables ----------------------------------------------------------------------------------------


@cache
def table(name: str) -> dict[str, str]:
    """The conversion table of a legacy encoding: legacy character(s) -> Unicode letter.

    >>> table("tcvn3")["é"], table("vni")["oä"]
    ('ộ', 'ộ')
    """
    return dict(_data(name)["map"])


@cache
def examples(name: str) -> tuple[tuple[str, str], ...]:
    """The (legacy, Unicode) example pairs of a table's data file, which a test converts.

    >>> examples("vni")[0][1]
    'Cộng hòa xã hội chủ nghĩa Việt Nam'
    """
    return tuple((a, b) for a, b in _data(name)["examples"])


@cache
def _data(name: str) -> dict:
    if name not in LEGACY:
        raise ValueError(f"no table for encoding {name!r} (known: {', '.join(LEGACY)})")
    return json.loads(resources.files("luocdo.kg.data").joinpath(f"{name}.json").read_text(encoding="utf-8"))


@cache
def _inverse(name: str) -> dict[str, str]:
    return {uni: legacy for legacy, uni in table(name).items()}


# -- legacy -> Unicode -------------------------------------------------------------------------------


def decode_legacy(text: str, name: str) -> str:
    """Convert legacy-encoded characters (Latin-1 code points) to Unicode, NFC.

    >>> decode_legacy("§éc lËp - Tù do", "tcvn3"), decode_legacy("Ñoäc laäp", "vni")
    ('Độc lập - Tự do', 'Độc lập')
    """
    if name == "tcvn3":
        return unicodedata.normalize("NFC", _decode_tcvn3(text))
    if name == "vni":
        return unicodedata.normalize("NFC", _decode_vni(text))
    if name == "cp1258":
        return unicodedata.normalize("NFC", _to_bytes(text).decode("cp1258"))
    raise ValueError(f"no table for encoding {name!r} (known: {', '.join(LEGACY)}, cp1258)")


def _decode_tcvn3(text: str) -> str:
    m = table("tcvn3")
    out: list[str] = []
    prev = ""
    for line in text.split("\n"):
        out.append(_tcvn3_line(line, m, _ends_sentence(prev)))
        prev = line
    return "\n".join(out)


def _ends_sentence(line: str) -> bool:
    # The line before a sentence start: blank, ending in ". ! ? : ;", or a heading with no
    # lower-case ASCII letter ("QUYÕT §ÞNH"). A hard-wrapped line ("... cña") ends mid-sentence.
    s = line.rstrip(" *_\t\r")
    return not s or s[-1] in ".!?:;" or not any("a" <= c <= "z" for c in s)


# What may stand before a sentence's first word on its line: markdown and list marks, item
# numbers, quotes: "- ¸p dông" ("- Áp dụng"), "2. ñy ban" ("2. Ủy ban"), "**(ñy".
_SENTENCE_LEAD = re.compile(r"(?:[\s*_#>\-+(\[\"'“‘]|\d+[.)]|[a-z][.)](?=\s))*")
# A sentence end just before the word, within the line: "... ban hµnh. ñy ban" -> "Ủy ban".
_SENTENCE_END = re.compile(r"[.!?]\s+(?:[*_(\"'“‘]\s*)*$")


def _tcvn3_line(line: str, m: dict[str, str], starts_sentence: bool) -> str:
    # TCVN3 has no upper-case toned letters: headings were typed with lower-case codes in an
    # upper-case font, so "CéNG HßA X· HéI" is "CỘNG HÒA XÃ HỘI" on paper. A word written in capitals
    # otherwise ("CéNG") is upper-cased whole; a word with only one capital ("X·": "Xã" or "XÃ"?)
    # follows its neighbours: upper if one of them is such a capital word and none has a lower-case
    # ASCII letter. "Sè: 171/KH" keeps "Số", because "KH" holds no legacy letter to prove anything.
    # A sentence that starts with a toned vowel ("ñy ban", "¸p dông") had a capital on paper.
    words = list(_WORD.finditer(line))
    kinds = [_tcvn3_kind(w.group(), m) for w in words]
    out: list[str] = []
    pos = 0
    for i, w in enumerate(words):
        out.append("".join(m.get(c, c) for c in line[pos:w.start()]))
        word = "".join(m.get(c, c) for c in w.group())
        kind = kinds[i]
        if kind == "ambiguous":
            near = [kinds[j] for j in (i - 1, i + 1) if 0 <= j < len(words)]
            if "capitals" in near and "lower" not in near:
                kind = "capitals"
        if kind == "capitals":
            word = word.upper()
        elif w.group()[0] in _TCVN3_CAPITALLESS:
            before = line[:w.start()]
            at_start = _SENTENCE_LEAD.fullmatch(before) is not None
            if (at_start and starts_sentence) or _SENTENCE_END.search(before):
                word = word[0].upper() + word[1:]
        out.append(word)
        pos = w.end()
    out.append("".join(m.get(c, c) for c in line[pos:]))
    return "".join(out)


def _tcvn3_kind(word: str, m: dict[str, str]) -> str:
    if any(c.isascii() and c.islower() for c in word):
        return "lower"
    legacy_lower = [i for i, c in enumerate(word) if c in m and c not in _TCVN3_UPPER]
    if not legacy_lower:
        return "plain"
    capitals = [i for i, c in enumerate(word) if (c.isascii() and c.isupper()) or c in _TCVN3_UPPER]
    # Two capitals, or a capital after a lower-case code ("ñY" is "ỦY", never "ủY"), make the word
    # capitals; one capital in front ("Sè", "X·") may be a capital initial.
    if len(capitals) >= 2 or (capitals and capitals[-1] > legacy_lower[0]):
        return "capitals"
    return "ambiguous"


def _decode_vni(text: str) -> str:
    m = table("vni")
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        pair = text[i:i + 2]
        if len(pair) == 2:
            if pair in m:
                out.append(m[pair])
                i += 2
                continue
            # Typists mixed the cases of letter and mark ("Aù" for Á at a sentence start): the
            # letter's case wins.
            swapped = pair[0] + pair[1].swapcase()
            if swapped in m:
                letter = m[swapped]
                out.append(letter.upper() if pair[0].isupper() else letter.lower())
                i += 2
                continue
        out.append(m.get(text[i], text[i]))
        i += 1
    return "".join(out)


# -- Unicode -> legacy (test inputs, tools) ------------------------------------------------------------


def encode_legacy(text: str, name: str) -> bytes:
    """Encode Vietnamese text as ``tcvn3``, ``vni`` or ``cp1258`` bytes: the inverse of decoding.

    TCVN3 has no upper-case toned letters: they are written with the lower-case code, as an
    upper-case font (``.VnTimeH``) did. Used to make test inputs.

    >>> encode_legacy("Cộng hòa", "tcvn3"), encode_legacy("Cộng hòa", "vni")
    (b'C\\xe9ng h\\xdfa', b'Co\\xe4ng ho\\xf8a')
    """
    text = unicodedata.normalize("NFC", text)
    if name == "cp1258":
        return _encode_cp1258(text)
    inv = _inverse(name)
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in inv:
            out.append(inv[ch])
        elif name == "tcvn3" and ch.lower() in inv:
            out.append(inv[ch.lower()])
        else:
            raise ValueError(f"{ch!r} cannot be written in {name}")
    return "".join(out).encode("latin-1")


def _encode_cp1258(text: str) -> bytes:
    # Windows-1258 has the letters with circumflex, breve and horn (â ă ơ ư ...) but writes every
    # tone as a combining mark after the letter: "ộ" is "ô" + U+0323.
    out: list[str] = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in _TONE_MARKS)
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONE_MARKS)) + tones)
    return "".join(out).encode("cp1258")


# -- syllables and scores ----------------------------------------------------------------------------

# Initial consonants of Vietnamese spelling, longest first ("ngh" before "ng" before "n").
_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu",
           "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
# "k" ends the place names of the Central Highlands ("Đắk Lắk", "Đắk Nông").
_CODAS = ("ng", "nh", "ch", "c", "k", "m", "n", "p", "t", "")
# Vowel groups, tone marks removed. Those ending in a glide ("ai", "ươi") take no final consonant
# and never carry the tone on their last letter: "cáu" is a word, "caù" (VNI for "cá") is not.
_OPEN = frozenset("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu uơ iêu yêu oai oay oao oeo "
                  "uây uôi ươi ươu uya uyu".split())
# Groups that need a final consonant ("tiên", never "tiê").
_CLOSED = frozenset("ă â oă uâ iê yê uô ươ uyê oo".split())
_FREE = frozenset("a e ê i o ô ơ u ư y oa oe uê uy".split())
_NUCLEI = _OPEN | _CLOSED | _FREE


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """Whether ``word`` is a well-formed Vietnamese syllable: onset + vowel group + coda, one tone.

    >>> is_syllable("Nghĩa"), is_syllable("người"), is_syllable("hßa"), is_syllable("nghóa")
    (True, True, False, False)
    """
    base: list[str] = []
    tone_at = -1
    for i, ch in enumerate(unicodedata.normalize("NFC", word.lower())):
        d = unicodedata.normalize("NFD", ch)
        tones = [c for c in d if c in _TONE_MARKS]
        if tones:
            if tone_at >= 0 or len(tones) > 1:
                return False
            tone_at = i
        base.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONE_MARKS)))
    b = "".join(base)
    if len(b) != len(base):  # a mark that does not compose with its letter
        return False
    for onset in _ONSETS:
        if not b.startswith(onset):
            continue
        for coda in _CODAS:
            if len(onset) + len(coda) >= len(b) or not b.endswith(coda):
                continue
            nucleus = b[len(onset):len(b) - len(coda)]
            if _fits(onset, nucleus, coda, tone_at - len(onset)):
                return True
    return False


def _fits(onset: str, nucleus: str, coda: str, tone_at: int) -> bool:
    if nucleus not in _NUCLEI:
        return False
    if nucleus in _OPEN and (coda or (len(nucleus) > 1 and tone_at == len(nucleus) - 1)):
        return False
    if nucleus in _CLOSED and not coda:
        return False
    # Spelling rules: k, gh, ngh only before i e ê y ("kế", "nghĩa"); c and ng never before them.
    front = nucleus[0] in "ieêy"
    if onset in ("k", "gh", "ngh"):
        return front
    return not (onset in ("c", "ng") and front)


def score(text: str, limit: int = 20000) -> Score:
    """Count the words with a non-ASCII letter that are (good) or are not (bad) syllables.

    Capitalised codes that are no syllable ("GDĐT") and one-letter words ("500.000 đ") count for
    neither side; only the first ``limit`` counted words are looked at.

    >>> score("Cộng hòa xã hội"), score("Céng hßa x· héi")
    (Score(good=4, bad=0), Score(good=0, bad=4))
    """
    good = bad = 0
    for m in _WORD.finditer(text):
        w = m.group()
        if len(w) < 2 or w.isascii() or not any(c.isalpha() for c in w):
            continue
        if is_syllable(w):
            good += 1
        elif not w.isupper():
            bad += 1
        if good + bad >= limit:
            break
    return Score(good, bad)


# -- deciding ------------------------------------------------------------------------------------------

#: A decoding is taken only if at least this share of its scored words are syllables.
MIN_RATIO = 0.8


def decode_bytes(data: bytes) -> Decoded:
    """Decode the bytes of a text: BOM, else UTF-8, else the best-scoring legacy encoding; NFC.

    Raises ``ValueError`` (with a one-line reason) when no decoding reads as Vietnamese.

    >>> decode_bytes(encode_legacy("Kế hoạch", "cp1258"))
    Decoded(text='Kế hoạch', encoding='cp1258')
    """
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(_strict(data[len(codecs.BOM_UTF8):], "utf-8", "after a UTF-8 BOM"), "utf-8-sig")
    if data.startswith(codecs.BOM_UTF16_LE):
        return Decoded(_strict(data[2:], "utf-16-le", "after a UTF-16 BOM"), "utf-16-le")
    if data.startswith(codecs.BOM_UTF16_BE):
        return Decoded(_strict(data[2:], "utf-16-be", "after a UTF-16 BOM"), "utf-16-be")
    try:
        return Decoded(unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError as e:
        first_bad = f"byte {data[e.start]:#04x} at offset {e.start}"
    latin = data.decode("latin-1").translate(_C1_TO_CP1252)
    candidates: dict[str, str] = {}
    try:
        candidates["cp1258"] = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        pass
    for name in LEGACY:
        candidates[name] = decode_legacy(latin, name)
    scores = {name: score(text) for name, text in candidates.items()}
    best = max(scores, key=lambda n: scores[n].net)  # dict order breaks ties: cp1258, tcvn3, vni
    s = scores[best]
    if s.good and s.ratio >= MIN_RATIO:
        return Decoded(candidates[best], best)
    guess = f"best guess {best}, {s.ratio:.0%} of {s.good + s.bad} words Vietnamese" if s.good + s.bad else (
        "no Vietnamese words in any of cp1258, tcvn3, vni")
    raise ValueError(f"unknown encoding (detected: not UTF-8, {first_bad}; {guess})")


def _strict(data: bytes, encoding: str, where: str) -> str:
    try:
        return unicodedata.normalize("NFC", data.decode(encoding))
    except UnicodeDecodeError as e:
        raise ValueError(f"invalid {encoding} {where} (byte offset {e.start})") from None


def repair(text: str) -> tuple[str, str | None]:
    """Undo mojibake: legacy text that was decoded as Latin-1 (or cp1252) and saved as Unicode.

    Only lines made of Latin-1/cp1252 characters can be mojibake (real Vietnamese has letters like
    "ộ" outside Latin-1); they are converted together, by the decoding that reads best and clearly
    better than the text as it is. Returns the text and the encoding undone (``None``: unchanged).
    Raises ``ValueError`` when the text looks like mojibake that no table undoes.

    >>> repair("Céng hßa x· héi"), repair("Cộng hòa xã hội")
    (('Cộng hòa xã hội', 'tcvn3'), ('Cộng hòa xã hội', None))
    """
    lines = text.split("\n")
    suspects = [i for i, line in enumerate(lines) if _maybe_mojibake(line)]
    if not suspects:
        return text, None
    sample = "\n".join(lines[i] for i in suspects)
    as_is = score(sample)
    m = table("tcvn3")
    nfc = functools.partial(unicodedata.normalize, "NFC")
    candidates = {
        # Each line with the line before it, as decoding the whole text would see it.
        "tcvn3": [nfc(_tcvn3_line(lines[i], m, _ends_sentence(lines[i - 1] if i else ""))) for i in suspects],
        "vni": [nfc(_decode_vni(lines[i])) for i in suspects],
    }
    try:
        candidates["utf-8"] = [nfc(_to_bytes(lines[i]).decode("utf-8")) for i in suspects]
    except (UnicodeDecodeError, ValueError):
        pass
    scores = {name: score("\n".join(fixed)) for name, fixed in candidates.items()}
    best = max(scores, key=lambda n: scores[n].net)
    s = scores[best]
    if s.ratio >= MIN_RATIO and s.net >= as_is.net + 2:
        for i, line in zip(suspects, candidates[best], strict=True):
            lines[i] = line
        return "\n".join(lines), best
    signed = _signed(sample)
    if len(signed) >= 3 and as_is.ratio < 0.5 and len(signed) >= 0.3 * (as_is.good + as_is.bad):
        raise ValueError(f"text looks like mis-decoded legacy Vietnamese ({len(signed)} words such as "
                         f"{signed[0]!r}) that neither TCVN3 nor VNI converts")
    return text, None


def _maybe_mojibake(line: str) -> bool:
    if line.isascii():
        return False
    return all(ord(c) <= 0xFF or c in _CP1252_TO_BYTE for c in line)


def _to_bytes(text: str) -> bytes:
    # The bytes behind Latin-1/cp1252 text: the inverse of decoding bytes that way.
    out = bytearray()
    for c in text:
        if ord(c) <= 0xFF:
            out.append(ord(c))
        elif c in _CP1252_TO_BYTE:
            out.append(_CP1252_TO_BYTE[c])
        else:
            raise ValueError(f"{c!r} is not a Latin-1 or cp1252 character")
    return bytes(out)


# TCVN3 letters that are no letters in Latin-1 ("¸" = á, "µ" = à, "·" = ã ...), and VNI mark bytes
# after a vowel ("oä" = ộ, "aø" = à): words holding them are the fingerprints of mojibake.
_TCVN3_SIGNS = re.compile(r"[a-zA-Z][\u00a1-\u00bf\u00d7\u00f7]|[\u00a1-\u00bf\u00d7\u00f7][a-zA-Z]")
_VNI_SIGNS = re.compile(r"[aeiouyAEIOUY][øùûõïäåëüØÙÛÕÏÄÅËÜ]")


def _signed(text: str) -> list[str]:
    words = (m.group() for m in _WORD.finditer(text))
    return [w for w in words if _TCVN3_SIGNS.search(w) or _VNI_SIGNS.search(w)]
