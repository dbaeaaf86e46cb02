"""ISO-2022-JP with the Windows vendor extensions (CP50220-style), which Python's codecs lack.

Japanese mailers (Outlook, many web forms) send ISO-2022-JP holding characters of
NEC row 13 (``①``, ``㈱``, ``№``), the NEC-selected and IBM extensions: JIS X 0208
code points outside the standard, which ``iso2022_jp`` (and ``_ext``, ``_2``,
``_2004``, ``_3``) reject. Windows reads them as CP932. :func:`decode_iso2022jp_ext`
does the same: each two-byte JIS code is transcoded to its Shift_JIS form and the
whole decoded with ``cp932``; half-width katakana (``ESC ( I`` or SO/SI) too.
"""

from __future__ import annotations

ESC = 0x1B
SO, SI = 0x0E, 0x0F
_ONE_BYTE = {b"(B": "ascii", b"(J": "ascii", b"(H": "ascii", b"(I": "kana"}
_TWO_BYTE = {b"$@", b"$B", b"&@"}


def _sjis(j1: int, j2: int) -> bytes:
    """The Shift_JIS bytes of the JIS X 0208 code ``(j1, j2)`` (both 0x21-0x7E)."""
    s1 = ((j1 - 0x21) >> 1) + 0x81
    if s1 > 0x9F:
        s1 += 0x40
    if j1 % 2:
        s2 = j2 + 0x1F + (1 if j2 >= 0x60 else 0)
    else:
        s2 = j2 + 0x7E
    return bytes((s1, s2))


def to_cp932(data: bytes) -> bytes | None:
    """``data`` (ISO-2022-JP with vendor extensions) as CP932 bytes, or ``None`` if it is not that.

    Unknown escape sequences (JIS X 0212, other ISO-2022 sets) and 8-bit bytes
    give ``None``: the caller then falls back to replacement characters.
    """
    out = bytearray()
    mode = "ascii"
    shifted = False
    i, size = 0, len(data)
    while i < size:
        byte = data[i]
        if byte == ESC:
            seq = data[i + 1 : i + 3]
            if seq in _ONE_BYTE:
                mode, i = _ONE_BYTE[seq], i + 3
            elif seq in _TWO_BYTE:
                mode, i = "jis", i + 3
                if seq == b"&@" and data[i : i + 3] == b"\x1b$B":
                    i += 3  # JIS X 0208-1990 announcer followed by its designation
            else:  # JIS X 0212, JIS X 0213 or another ISO-2022 set: not this
                return None
            continue
        if byte >= 0x80:
            return None
        if byte == SO:
            shifted, i = True, i + 1
            continue
        if byte == SI:
            shifted, i = False, i + 1
            continue
        if byte in (0x0A, 0x0D):  # a line end resets to ASCII in mail
            out.append(byte)
            i += 1
            continue
        if shifted or mode == "kana":
            out.append(byte + 0x80 if 0x21 <= byte <= 0x5F else byte)
            i += 1
        elif mode == "jis":
            if i + 1 >= size or not (0x21 <= byte <= 0x7E and 0x21 <= data[i + 1] <= 0x7E):
                if byte in (0x20, 0x09):
                    out.append(byte)
                    i += 1
                    continue
                return None
            out += _sjis(byte, data[i + 1])
            i += 2
        else:
            out.append(byte)
            i += 1
    return bytes(out)


def decode_iso2022jp_ext(data: bytes) -> str | None:
    """Decode ISO-2022-JP with vendor extensions through CP932; ``None`` if it is not that."""
    converted = to_cp932(data)
    if converted is None:
        return None
    try:
        return converted.decode("cp932")
    except UnicodeDecodeError:
        return None
