"""Mojibake that was already in the export ("CafÃ©" for "Café"), repaired with ftfy, line by line.

A program that read UTF-8 as cp1252 and saved the result leaves text whose every accented
letter is two or three wrong ones. ftfy undoes that when, and only when, the text is more
plausible decoded again; real accented, emoji or merely odd text is left as it is. Only lines
holding a UTF-8 lead byte read as cp1252 followed by a continuation byte read so (the shape
every such mojibake has) are given to ftfy: it is slow, and most files have none.
"""

from __future__ import annotations

import re

import ftfy

# Found in the text's UTF-8 bytes, where a scan is fast: a UTF-8 lead byte (0xC2-0xF4) read as
# cp1252 or Latin-1 is a character U+00C2-U+00F4 (bytes C3 82-C3 B4), and the continuation byte
# after it one of U+0080-U+00BF (C2 ..) or cp1252's punctuation (C5, C6, CB, E2 ..); or "Ã "
# where a no-break space became a space.
_SUSPECT = re.compile(rb"\xc3(?:[\x82-\xb4](?:[\xc2\xc5\xc6\xcb]|\xe2[\x80\x82\x84])|\x83 )")


def repair(text: str) -> tuple[str, frozenset[int]]:
    """The text with its mojibake lines repaired, and those lines' numbers (from 1)."""
    data = text.encode("utf-8", "surrogatepass")
    found = [m.start() for m in _SUSPECT.finditer(data)]
    if not found:
        return text, frozenset()
    suspects, line, pos = set(), 0, 0
    for at in found:
        line += data.count(b"\n", pos, at)
        suspects.add(line)
        pos = at
    lines = text.split("\n")
    repaired = set()
    for index in sorted(suspects):
        fixed = ftfy.fix_encoding(lines[index])
        if fixed != lines[index] and "\n" not in fixed:
            lines[index] = fixed
            repaired.add(index + 1)
    return "\n".join(lines), frozenset(repaired)
