"""Turn bytes of unknown or mis-declared charset into valid text (never raises).

Mail in the wild declares no charset, a wrong one, or one Python does not know.
:func:`decode_text` trusts a declared charset only as far as the bytes agree:

* pure ASCII is ASCII (unless the charset is a 7-bit one such as ISO-2022-JP);
* anything that is valid UTF-8 with non-ASCII characters is UTF-8 when the
  declaration is missing, unknown, ASCII, a Latin or a single-byte Cyrillic one;
* windows-1251, koi8-r (and ISO-8859-5) are told apart by the frequency of Russian
  letters (mostly lower-case, ``о е а и н`` most frequent); a declared one of the two
  is overridden only when the other is clearly better on a long enough sample;
* ISO-2022-JP that Python's codecs reject (NEC row 13 and other vendor
  extensions, e.g. ``①``) is read as CP50220 does (:mod:`.jis`);
* undeclared 8-bit text (:func:`guess_decode`): UTF-8; bytes that read clearly as
  Russian; then the 8-bit encodings of the charsets the mail declares elsewhere
  (``hints``: a parent part's charset, the other parts', encoded words'), accepted
  when ``charset-normalizer`` finds the bytes read cleanly in them (so a raw GB2312
  subject in a mail with GB2312 parts is GB2312, raw Shift_JIS in an ISO-2022-JP
  mail is Shift_JIS); then Russian, when the bytes read like Russian at all; then
  CJK (GB18030, Shift_JIS, Big5, EUC-KR, EUC-JP) as ``charset-normalizer`` ranks
  them; finally windows-1252 (or windows-1250 where that reads more cleanly) with
  replacement characters.

Declared charsets take the fast path: no detection runs for them. The result is
always a ``str`` that encodes to UTF-8 (no lone surrogates) and holds no NUL characters.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Iterable

from charset_normalizer import from_bytes

from .jis import decode_iso2022jp_ext

#: Russian letter frequencies (percent), used to score Cyrillic decodings.
_RU_FREQ = {
    "о": 10.97,
    "е": 8.45,
    "а": 8.01,
    "и": 7.35,
    "н": 6.70,
    "т": 6.26,
    "с": 5.47,
    "р": 4.73,
    "в": 4.54,
    "л": 4.40,
    "к": 3.49,
    "м": 3.21,
    "д": 2.98,
    "п": 2.81,
    "у": 2.62,
    "я": 2.01,
    "ы": 1.90,
    "ь": 1.74,
    "г": 1.70,
    "з": 1.65,
    "б": 1.59,
    "ч": 1.44,
    "й": 1.21,
    "х": 0.97,
    "ж": 0.94,
    "ш": 0.73,
    "ю": 0.64,
    "ц": 0.48,
    "щ": 0.36,
    "э": 0.32,
    "ф": 0.26,
    "ъ": 0.04,
    "ё": 0.04,
}
_UPPER_WEIGHT = 0.6
_SAMPLE = 16384
_MIN_LETTERS_TO_OVERRIDE = 20

_ALIASES = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "cp-1251": "cp1251",
    "win-1251": "cp1251",
    "windows1251": "cp1251",
    "x-cp1251": "cp1251",
    "win1251": "cp1251",
    "cp-1252": "cp1252",
    "windows1252": "cp1252",
    "koi8r": "koi8-r",
    "koi8": "koi8-r",
    "x-koi8-r": "koi8-r",
    "cskoi8r": "koi8-r",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "cn-gb": "gb18030",
    "csgb2312": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "ms_kanji": "cp932",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-roman": "mac-roman",
    # Mailers mean windows-1252 when they say Latin-1 or ASCII and send 8-bit.
    "us-ascii": "ascii",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "l1": "cp1252",
}
#: Names that mean "no idea": guess from the bytes.
_UNKNOWN = {"unknown-8bit", "x-unknown", "unknown", "8bit", "default", "x-user-defined", "none", "binary"}
#: Codecs that are not charsets for mail text (or raise even with errors="replace").
_DENIED = {
    "idna",
    "punycode",
    "raw_unicode_escape",
    "unicode_escape",
    "undefined",
    "mbcs",
    "oem",
    "charmap",
    "palmos",
    "uu_codec",
    "base64_codec",
    "quopri_codec",
    "hex_codec",
    "zlib_codec",
    "bz2_codec",
    "rot_13",
    "unicode_internal",
}
_LATIN = {"ascii", "iso8859_1", "cp1252", "iso8859_15"}
_CYRILLIC_PAIR = {"cp1251", "koi8_r"}
_CYRILLIC_OTHER = {"koi8_u", "iso8859_5", "cp866", "mac_cyrillic"}
_SEVEN_BIT_CODECS = ("iso2022", "utf_7", "hz", "utf_16", "utf_32")
#: Declared charsets that say nothing about undeclared 8-bit bytes elsewhere in the mail.
_WEAK_HINTS = _LATIN | {"utf_8", "utf_7", "utf_16", "utf_16_le", "utf_16_be", "utf_32", "latin_1"}
#: A declared charset of one of these families hints at its 8-bit encodings.
_FAMILIES = (
    ({"gb18030", "gbk", "gb2312", "hz", "iso2022_cn"}, ("gb18030",)),
    ({"big5", "big5hkscs", "cp950"}, ("big5hkscs",)),
    (
        {
            "cp932",
            "shift_jis",
            "shift_jis_2004",
            "shift_jisx0213",
            "euc_jp",
            "euc_jis_2004",
            "euc_jisx0213",
            "iso2022_jp",
            "iso2022_jp_1",
            "iso2022_jp_2",
            "iso2022_jp_2004",
            "iso2022_jp_3",
            "iso2022_jp_ext",
        },
        ("cp932", "euc_jp"),
    ),
    ({"cp949", "euc_kr", "iso2022_kr", "johab"}, ("cp949",)),
)
#: The hint "some single-byte Cyrillic charset": the Russian letter scores choose which.
CYRILLIC = "cyrillic"
#: CJK encodings tried for undeclared 8-bit text, in order of preference on a tie.
_CJK = ("gb18030", "cp932", "big5hkscs", "cp949", "euc_jp")
#: Largest ``charset-normalizer`` mess ratio of an accepted reading.
_MAX_CHAOS = 0.2
#: Mean Russian letter score per 8-bit byte above which Cyrillic bytes read as Russian (Russian
#: text scores about 5.6, a short word 5-6.6, upper case 4.3; GB2312 bytes read so 1.5-2.8), and
#: above which Russian wins even over the mail's other declared charsets.
_RUSSIAN_MEAN = 3.5
_RUSSIAN_STRONG = 4.5
_NAME_OK = re.compile(r"^[a-z0-9][a-z0-9_.:+-]{0,39}$")
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def _weights(codec: str) -> list[float]:
    table = []
    for byte in range(256):
        char = bytes([byte]).decode(codec, "replace") if byte >= 0x80 else ""
        low = char.lower()
        freq = _RU_FREQ.get(low, 0.0)
        table.append(freq if char == low else freq * _UPPER_WEIGHT)
    return table


_WEIGHTS = {codec: _weights(codec) for codec in ("cp1251", "koi8_r", "iso8859_5")}
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if b not in _ASCII_LETTERS)
_NOT_HIGH = bytes(range(0x80))
# Bytes that are mostly Cyrillic letters in windows-1251, koi8-r and ISO-8859-5 (0xB0-0xFF).
_NOT_CYR_BLOCK = bytes(range(0xB0))


def clean_text(text: str) -> str:
    """``text`` with lone surrogates and NUL replaced by U+FFFD (always UTF-8 encodable)."""
    return _BAD_CHARS.sub("\ufffd", text)


@functools.lru_cache(maxsize=256)
def normalize_charset(name: str | None) -> str | None:
    """The Python codec name for a declared charset, or ``None`` if unknown/unusable."""
    if not name or not isinstance(name, str):
        return None
    name = name.strip().strip("\"'").split("*", 1)[0].strip().lower()
    if not _NAME_OK.match(name) or name in _UNKNOWN:
        return None
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    codec = info.name.replace("-", "_")
    if codec in _DENIED or not getattr(info, "_is_text_encoding", True):
        return None
    return codec


def _count(data: bytes, delete: bytes) -> int:
    return len(data.translate(None, delete))


def cyrillic_score(data: bytes, codec: str) -> float:
    """How Russian ``data`` reads in ``codec`` (``cp1251``, ``koi8_r``, ``iso8859_5``): letter-frequency sum."""
    table = _WEIGHTS[codec]
    return sum(map(table.__getitem__, data[:_SAMPLE]))


def _mostly_high(sample: bytes, min_high: int, min_ratio: float) -> bool:
    """The words holding 8-bit bytes have ``min_high`` of them, at least ``min_ratio`` of their letters."""
    high = _count(sample, _NOT_HIGH)
    if high < min_high:
        return False
    letters = sum(_count(word, _NOT_ASCII_LETTERS) for word in sample.split() if not word.isascii())
    return high >= min_ratio * (high + letters)


def looks_cyrillic(data: bytes, *, min_high: int = 3, min_ratio: float = 0.5) -> bool:
    """True if the 8-bit part of ``data`` is mostly Cyrillic letters in a single-byte charset.

    Russian words are all 8-bit letters; Western words have a few accents
    (``Grüße`` is 2 of 5). So the words holding 8-bit bytes must have at least
    ``min_high`` of them in all, making at least ``min_ratio`` of their letters
    (ASCII words such as an e-mail address beside a raw 8-bit name do not count).
    """
    sample = data[:_SAMPLE]
    if not _mostly_high(sample, min_high, min_ratio):
        return False
    return _count(sample, _NOT_CYR_BLOCK) >= 0.8 * _count(sample, _NOT_HIGH)


def reads_russian(data: bytes, mean: float = _RUSSIAN_MEAN) -> bool:
    """True if the 8-bit bytes of ``data``, read in the best single-byte Cyrillic charset, have
    Russian letter frequencies (GB2312 or Shift_JIS bytes in the same range read as rare letters):
    a mean letter score of at least ``mean`` per 8-bit byte."""
    sample = data[:_SAMPLE]
    high = _count(sample, _NOT_HIGH)
    return bool(high) and cyrillic_score(sample, best_cyrillic(sample)) >= mean * high


def best_cyrillic(data: bytes) -> str:
    """``cp1251``, ``koi8_r`` or ``iso8859_5``, whichever reads most like Russian."""
    return max(_WEIGHTS, key=lambda codec: cyrillic_score(data, codec))


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (replaced), if the rest is clearly UTF-8."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return text if good >= 4 * bad and good > 0 else None


def hint_codecs(hints: Iterable[str]) -> list[str]:
    """The 8-bit codecs (or :data:`CYRILLIC`) that the mail's declared charsets ``hints`` point at.

    Charsets mailers declare without meaning it (ASCII, Latin-1, windows-1252,
    UTF-8) say nothing and are left out.
    """
    out: list[str] = []
    for name in hints:
        codec = normalize_charset(name)
        if not codec or codec in _WEAK_HINTS:
            continue
        for members, targets in _FAMILIES:
            if codec in members:
                picked: tuple[str, ...] = targets
                break
        else:
            if codec in _CYRILLIC_PAIR or codec in _CYRILLIC_OTHER:
                picked = (CYRILLIC,)
            elif codec.startswith(_SEVEN_BIT_CODECS) or codec.startswith("utf"):
                picked = ()
            else:
                picked = (codec,)
        out.extend(c for c in picked if c not in out)
    return out


def _eight_bit_lines(sample: bytes) -> bytes:
    """The lines of ``sample`` that hold 8-bit bytes (what detection should look at)."""
    if b"\n" not in sample:
        return sample
    return b"\n".join(line for line in sample.split(b"\n") if not line.isascii())


def readable(data: bytes, codecs_: Iterable[str]) -> dict[str, float]:
    """The codecs among ``codecs_`` in which ``charset-normalizer`` reads ``data`` cleanly,
    with their mess ratio (one detector run for all of them)."""
    order = list(codecs_)
    if not order:
        return {}
    try:
        results = from_bytes(
            data, cp_isolation=order, threshold=_MAX_CHAOS, preemptive_behaviour=False, enable_fallback=False
        )
    except Exception:  # a detector bug must not stop intake
        return {}
    found: dict[str, float] = {}
    for match in results:
        if match.chaos > _MAX_CHAOS:
            continue
        for name in [match.encoding, *match.could_be_from_charset]:
            codec = normalize_charset(name)
            if codec in order:
                found[codec] = min(found.get(codec, 1.0), match.chaos)
    return found


def detect(data: bytes, codecs_: Iterable[str]) -> str | None:
    """The codec among ``codecs_`` in which ``charset-normalizer`` reads ``data`` most cleanly
    (earlier ones win a tie), or ``None`` if none reads cleanly."""
    order = list(codecs_)
    found = readable(data, order)
    if not found:
        return None
    best = min(found.values())
    return next(codec for codec in order if codec in found and found[codec] <= best + 0.01)


_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f\W\d_]")


def _latin_letters(data: bytes, codec: str) -> int:
    return len(_NON_ASCII_LETTER.findall(data.decode(codec, "replace")))


def _latin(focus: bytes) -> str:
    """windows-1252, or windows-1250 where that reads more cleanly (``dzia³a`` is ``działa``)."""
    if _latin_letters(focus, "cp1250") > _latin_letters(focus, "cp1252"):
        return "cp1250"
    return detect(focus, ("cp1252", "cp1250")) or "cp1252"


def _cyrillic(data: bytes, focus: bytes) -> str:
    return data.decode(best_cyrillic(focus), "replace")


def guess_decode(data: bytes, hints: Iterable[str] = ()) -> str:
    """Decode bytes whose charset is unknown (see the module docstring for the order).

    ``hints`` are the charsets the mail declares elsewhere (nearest first).
    """
    if data.isascii():
        return data.decode("ascii")
    text = _utf8(data)
    if text is not None:
        return text
    focus = _eight_bit_lines(data[:_SAMPLE])
    cyrillic = looks_cyrillic(focus)
    if cyrillic and reads_russian(focus, _RUSSIAN_STRONG):
        return _cyrillic(data, focus)
    hinted = hint_codecs(hints)
    clean = readable(focus, [codec for codec in hinted if codec != CYRILLIC])
    for codec in hinted:  # the nearest declared charset that reads cleanly wins
        if codec == CYRILLIC:
            if cyrillic:
                return _cyrillic(data, focus)
        elif codec in clean:
            return data.decode(codec, "replace")
    if cyrillic and reads_russian(focus):
        return _cyrillic(data, focus)
    if _mostly_high(focus, 2, 0.6):
        detected = detect(focus, _CJK)
        if detected:
            return data.decode(detected, "replace")
    if cyrillic:
        return _cyrillic(data, focus)
    return data.decode(_latin(focus), "replace")


def _decode_declared(data: bytes, codec: str, hints: tuple[str, ...]) -> str:
    if data.isascii() and not codec.startswith(_SEVEN_BIT_CODECS):
        return data.decode("ascii")
    if codec == "utf_8":
        text = _utf8(data)
        if text is None:
            text = _mostly_utf8(data)
        return text if text is not None else guess_decode(data, hints)
    if codec in _LATIN or codec in _CYRILLIC_PAIR or codec in _CYRILLIC_OTHER:
        text = _utf8(data)
        if text is not None:
            return text  # UTF-8 mislabelled as a single-byte charset
        if codec in _LATIN:
            if codec == "ascii" or looks_cyrillic(data, min_high=8, min_ratio=0.6):
                return guess_decode(data, hints)
            return data.decode(codec, "replace")
        if codec in _CYRILLIC_PAIR:
            other = "koi8_r" if codec == "cp1251" else "cp1251"
            sample = data[:_SAMPLE]
            enough_letters = _count(sample, _NOT_CYR_BLOCK) >= _MIN_LETTERS_TO_OVERRIDE
            if enough_letters and cyrillic_score(sample, other) > 2.0 * cyrillic_score(sample, codec):
                codec = other
        return data.decode(codec, "replace")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if codec.startswith("iso2022_jp"):
            text = decode_iso2022jp_ext(data)
            if text is not None:
                return text
        text = _utf8(data) if not data.isascii() else None
        if text is not None:
            return text
        if codec.startswith(_SEVEN_BIT_CODECS) and not data.isascii():
            return guess_decode(data, (codec, *hints))  # 8-bit bytes under a 7-bit label (Shift_JIS as ISO-2022-JP)
        return data.decode(codec, "replace")


def decode_text(data: bytes, declared: str | None = None, hints: Iterable[str] = ()) -> str:
    """Decode ``data`` declared as ``declared`` (may be missing, unknown or wrong); never raises.

    ``hints``: the charsets the mail declares elsewhere, used only when ``data``
    declares none (or an unusable one) and is 8-bit.
    """
    if not data:
        return ""
    codec = normalize_charset(declared)
    hints = tuple(hints)
    try:
        text = _decode_declared(data, codec, hints) if codec else guess_decode(data, hints)
    except Exception:  # a codec that misbehaves even with errors="replace"
        text = guess_decode(data)
    return clean_text(text)
