"""argparse's own words (usage:, options, error: ...) in Vietnamese, through gettext.

argparse passes every text of its own through `gettext.gettext` (Python's documentation,
"Translating the argparse output"), which looks the text up in the current gettext domain. We
ship that domain as a compiled catalogue, `locale/vi/LC_MESSAGES/thidua.mo`, built from
`ARGPARSE_VI` below by `python -m xl_addin.help_language`; tests check that the file matches the
table and that the table covers every text of the argparse in use. `vietnamese()` selects the
domain and the language (gettext's LANGUAGE variable) while the parser is built and used, and
puts both back afterwards, so nothing else in the process changes language.
"""

from __future__ import annotations

import contextlib
import gettext
import os
import struct
from collections.abc import Iterator
from pathlib import Path

DOMAIN = "thidua"
LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGUE = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{DOMAIN}.mo"

# msgid (argparse's English, exactly as in argparse.py) -> Vietnamese. A plural msgid is the
# pair (singular, plural); Vietnamese has one form.
ARGPARSE_VI: dict[str | tuple[str, str], str] = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "cần ghi",
    "options": "tùy chọn",
    "show this help message and exit": "xem hướng dẫn này",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "còn thiếu: %s (xem thêm bằng --help)",
    "one of the arguments %s is required": "cần ghi một trong: %s",
    "unrecognized arguments: %s": "không hiểu phần này: %s (xem cách dùng bằng --help)",
    "invalid choice: %(value)r (choose from %(choices)s)": "không có %(value)r; hãy chọn một trong: %(choices)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "không có lệnh %(parser_name)r; các lệnh: %(choices)s",
    "ambiguous option: %(option)s could match %(matches)s": "chưa rõ tùy chọn %(option)s: có thể là %(matches)s",
    "expected one argument": "cần ghi một giá trị ngay sau tùy chọn này",
    "expected at most one argument": "chỉ ghi được nhiều nhất một giá trị",
    "expected at least one argument": "cần ghi ít nhất một giá trị",
    ("expected %s argument", "expected %s arguments"): "cần ghi %s giá trị",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không dùng được (cần %(type)s)",
    "not allowed with argument %s": "không dùng cùng với %s",
    "ignored explicit argument %r": "tùy chọn này không nhận giá trị %r",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    "unexpected option string: %s": "tùy chọn không đúng chỗ: %s",
    # mistakes in a parser's own code, never a user's; translated so that no English is left
    ("conflicting option string: %s", "conflicting option strings: %s"): "tùy chọn bị khai báo hai lần: %s",
    "conflicting subparser: %s": "lệnh bị khai báo hai lần: %s",
    "conflicting subparser alias: %s": "tên khác của lệnh bị khai báo hai lần: %s",
    "cannot have multiple subparser arguments": "chỉ được có một nhóm lệnh con",
    "cannot merge actions - two groups are named %r": "không gộp được: hai nhóm cùng tên %r",
    "dest= is required for options like %r": "tùy chọn %r cần có dest=",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "tùy chọn %(option)r không hợp lệ: phải bắt đầu bằng %(prefix_chars)r"
    ),
    "invalid conflict_resolution value: %r": "conflict_resolution không hợp lệ: %r",
    "mutually exclusive arguments must be optional": "các tùy chọn loại trừ nhau phải là tùy chọn",
    "'required' is an invalid argument for positionals": "phần cần ghi không nhận 'required'",
    "%r is not callable": "%r không gọi được",
    ".__call__() not defined": ".__call__() chưa được định nghĩa",
    'argument "-" with mode %r': 'không mở được "-" với chế độ %r',
    "show program's version number and exit": "xem phiên bản của phần mềm",
}


def _msgid(key: str | tuple[str, str]) -> bytes:
    return ("\0".join(key) if isinstance(key, tuple) else key).encode("utf-8")


def compile_catalogue(table: dict[str | tuple[str, str], str]) -> bytes:
    """A GNU .mo file (the format gettext's `GNUTranslations` reads): the header entry, then
    the original and translated strings, sorted, each NUL-terminated."""
    header = "Content-Type: text/plain; charset=UTF-8\nLanguage: vi\nPlural-Forms: nplurals=1; plural=0;\n"
    entries = sorted([(b"", header.encode("utf-8"))] + [(_msgid(k), v.encode("utf-8")) for k, v in table.items()])
    count = len(entries)
    ids_at, strs_at = 28, 28 + 8 * count
    data_at = strs_at + 8 * count
    ids, strs, blob = [], [], b""
    for original, _ in entries:
        ids.append((len(original), data_at + len(blob)))
        blob += original + b"\0"
    for _, translated in entries:
        strs.append((len(translated), data_at + len(blob)))
        blob += translated + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, count, ids_at, strs_at, 0, data_at)
    tables = b"".join(struct.pack("<2I", *pair) for pair in ids + strs)
    return head + tables + blob


@contextlib.contextmanager
def vietnamese() -> Iterator[None]:
    """argparse speaks Vietnamese inside this block; the domain and LANGUAGE are restored after."""
    previous_domain = gettext.textdomain()
    previous_language = os.environ.get("LANGUAGE")
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = "vi"
    try:
        yield
    finally:
        gettext.textdomain(previous_domain)
        if previous_language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = previous_language


if __name__ == "__main__":
    CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
    CATALOGUE.write_bytes(compile_catalogue(ARGPARSE_VI))
    print(CATALOGUE)
