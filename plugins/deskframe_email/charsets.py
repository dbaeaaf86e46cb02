"""Turn bytes of unknown or mis-declared charset into valid text (never raises).

Mail in the wild declares no charset, a wrong one, or one Python does not know.
:func:`decode_text` trusts a declared charset only as far as the bytes agree:

* pure ASCII is ASCII (unless the charset is a 7-bit one such as ISO-2022-JP);
* anything that is valid UTF-8 with non-ASCII characters is UTF-8 when the
  declaration is missing, unknown, ASCII, a Latin or a single-byte Cyrillic one;
* windows-1251, koi8-r (and ISO-8859-5) are told apart by the frequency of Russian
  letters (mostly lower-case, ``о е а и н`` most frequent); a declared one of the two
  is overridden only when the other is clearly better on a long enough sample;
* undeclared 8-bit text: UTF-8, then Cyrillic (when it looks Cyrillic), then
  GB18030 (when mostly non-ASCII and strictly valid), finally windows-1252
  with replacement characters.

The result is always a ``str`` that encodes to UTF-8 (no lone surrogates) and
holds no NUL characters.
"""

from __future__ import annotations

import codecs
import functools
import re

#: Russian letter frequencies (percent), used to score Cyrillic decodings.
_RU_FREQ = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47,
    "р": 4.73, "в": 4.54, "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81,
    "у": 2.62, "я": 2.01, "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65, "б": 1.59,
    "ч": 1.44, "й": 1.21, "х": 0.97, "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48,
    "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04, "ё": 0.04,
}
_UPPER_WEIGHT = 0.6
_SAMPLE = 16384
_MIN_LETTERS_TO_OVERRIDE = 20

_ALIASES = {
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8", "utf-8-sig": "utf-8",
    "cp-1251": "cp1251", "win-1251": "cp1251", "windows1251": "cp1251", "x-cp1251": "cp1251",
    "win1251": "cp1251", "cp-1252": "cp1252", "windows1252": "cp1252",
    "koi8r": "koi8-r", "koi8": "koi8-r", "x-koi8-r": "koi8-r", "cskoi8r": "koi8-r",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "euc-cn": "gb18030", "x-euc-cn": "gb18030", "cn-gb": "gb18030", "csgb2312": "gb18030",
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "euc-kr": "cp949",
    "shift_jis": "cp932", "x-sjis": "cp932", "sjis": "cp932", "ms_kanji": "cp932",
    "iso-8859-8-i": "iso-8859-8", "iso-8859-6-i": "iso-8859-6",
    "x-mac-cyrillic": "mac-cyrillic", "x-mac-roman": "mac-roman",
    # Mailers mean windows-1252 when they say Latin-1 or ASCII and send 8-bit.
    "us-ascii": "ascii", "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "iso8859-1": "cp1252", "iso_8859-1": "cp1252", "l1": "cp1252",
}
#: Names that mean "no idea": guess from the bytes.
_UNKNOWN = {"unknown-8bit", "x-unknown", "unknown", "8bit", "default", "x-user-defined", "none", "binary"}
#: Codecs that are not charsets for mail text (or raise even with errors="replace").
_DENIED = {
    "idna", "punycode", "raw_unicode_escape", "unicode_escape", "undefined", "mbcs", "oem",
    "charmap", "palmos", "uu_codec", "base64_codec", "quopri_codec", "hex_codec", "zlib_codec",
    "bz2_codec", "rot_13", "unicode_internal",
}
_LATIN = {"ascii", "iso8859_1", "cp1252", "iso8859_15"}
_CYRILLIC_PAIR = {"cp1251", "koi8_r"}
_CYRILLIC_OTHER = {"koi8_u", "iso8859_5", "cp866", "mac_cyrillic"}
_SEVEN_BIT_CODECS = ("iso2022", "utf_7", "hz", "utf_16", "utf_32")
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


def looks_cyrillic(data: bytes, *, min_high: int = 3, min_ratio: float = 0.5) -> bool:
    """True if the 8-bit part of ``data`` is mostly Cyrillic letters in a single-byte charset.

    Russian words are all 8-bit letters; Western words have a few accents
    (``Grüße`` is 2 of 5). So the words holding 8-bit bytes must have at least
    ``min_high`` of them in all, making at least ``min_ratio`` of their letters
    (ASCII words such as an e-mail address beside a raw 8-bit name do not count).
    """
    sample = data[:_SAMPLE]
    high = _count(sample, _NOT_HIGH)
    if high < min_high:
        return False
    letters = sum(_count(word, _NOT_ASCII_LETTERS) for word in sample.split() if not word.isascii())
    if high < min_ratio * (high + letters):
        return False
    return _count(sample, _NOT_CYR_BLOCK) >= 0.8 * high


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


def guess_decode(data: bytes) -> str:
    """Decode bytes whose charset is unknown (see module docstring for the order)."""
    if data.isascii():
        return data.decode("ascii")
    text = _utf8(data)
    if text is not None:
        return text
    if looks_cyrillic(data):
        return data.decode(best_cyrillic(data), "replace")
    sample = data[:_SAMPLE]
    high = _count(sample, _NOT_HIGH)
    if high >= 4 and high >= 0.5 * (high + _count(sample, _NOT_ASCII_LETTERS)):
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    return data.decode("cp1252", "replace")


def _decode_declared(data: bytes, codec: str) -> str:
    if data.isascii() and not codec.startswith(_SEVEN_BIT_CODECS):
        return data.decode("ascii")
    if codec == "utf_8":
        text = _utf8(data)
        if text is None:
            text = _mostly_utf8(data)
        return text if text is not None else guess_decode(data)
    if codec in _LATIN or codec in _CYRILLIC_PAIR or codec in _CYRILLIC_OTHER:
        text = _utf8(data)
        if text is not None:
            return text  # UTF-8 mislabelled as a single-byte charset
        if codec in _LATIN:
            if codec == "ascii" or looks_cyrillic(data, min_high=8, min_ratio=0.6):
                return guess_decode(data)
            return data.decode(codec, "replace")
        if codec in _CYRILLIC_PAIR:
            other = "koi8_r" if codec == "cp1251" else "cp1251"
            sample = data[:_SAMPLE]
            if _count(sample, _NOT_CYR_BLOCK) >= _MIN_LETTERS_TO_OVERRIDE:
                if cyrillic_score(sample, other) > 2.0 * cyrillic_score(sample, codec):
                    codec = other
        return data.decode(codec, "replace")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        text = _utf8(data)
        if text is not None:
            return text
        return data.decode(codec, "replace")


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode ``data`` declared as ``declared`` (may be missing, unknown or wrong); never raises."""
    if not data:
        return ""
    codec = normalize_charset(declared)
    try:
        text = _decode_declared(data, codec) if codec else guess_decode(data)
    except Exception:  # a codec that misbehaves even with errors="replace"
        text = guess_decode(data)
    return clean_text(text)
