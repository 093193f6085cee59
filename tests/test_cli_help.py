"""`thidua --help` and usage errors a commune officer can read: Vietnamese through argparse's
gettext hook, every option described, every command its own description and an example."""

from __future__ import annotations

import argparse
import ast
import gettext
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from xl_addin.cli import build_parser, main
from xl_addin.help_language import ARGPARSE_VI, CATALOGUE, compile_catalogue, vietnamese


def _argparse_texts() -> list[str | tuple[str, str]]:
    """Every text argparse passes to gettext, read from the argparse in use."""
    tree = ast.parse(Path(argparse.__file__).read_text("utf-8"))
    out: list[str | tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if args:
                out.append(args[0] if node.func.id == "_" else (args[0], args[1]))
    return out


def _parsers() -> list[tuple[str, argparse.ArgumentParser]]:
    """(command path, parser) for the top level and every command and subcommand."""
    with vietnamese():
        todo = [("thidua", build_parser())]
        out = []
        while todo:
            path, parser = todo.pop()
            out.append((path, parser))
            for action in parser._actions:  # walking the tree needs argparse's own list
                if isinstance(action, argparse._SubParsersAction):
                    todo.extend((f"{path} {name}", p) for name, p in action.choices.items())
    return out


def _leaves() -> list[tuple[str, argparse.ArgumentParser]]:
    return [
        (path, p) for path, p in _parsers() if not any(isinstance(a, argparse._SubParsersAction) for a in p._actions)
    ]


def _help(parser: argparse.ArgumentParser) -> str:
    with vietnamese():
        return parser.format_help()


ENGLISH = re.compile(
    r"usage:|positional arguments|options:|show this help|error:|the following arguments|invalid choice|"
    r"unrecognized arguments|expected (one|at)|required|ambiguous option|choose from"
)


def test_the_catalogue_covers_every_text_of_argparse_and_the_shipped_file_matches_it():
    missing = [t for t in _argparse_texts() if t not in ARGPARSE_VI]
    assert missing == []
    assert CATALOGUE.read_bytes() == compile_catalogue(ARGPARSE_VI)  # run python -m xl_addin.help_language


def test_no_english_word_of_argparse_in_any_help():
    for path, parser in _parsers():
        text = _help(parser)
        assert not ENGLISH.search(text), (path, ENGLISH.search(text))
        assert text.startswith("Cách dùng: "), path


@pytest.mark.parametrize(
    "argv, says",
    [
        (["review"], "còn thiếu"),
        (["validate"], "còn thiếu: TỆP"),
        (["nope"], "không có 'nope'"),
        (["validate", "a.xlsx", "--bogus"], "không hiểu phần này: --bogus"),
        (["consolidate", "--as-of"], "cần ghi một giá trị"),
        (["consolidate", "--as-of", "31/02/2026"], "tháng 2 không có ngày 31"),
        (["export", "--date", "hôm qua"], "không phải là ngày"),
        (["review", "return", "T01", "--target", "CT07"], "--target cần ghi ngay sau một --reason"),
        (["sheet", "emulator", "--port", "abc"], "không phải số cổng"),
    ],
)
def test_usage_errors_are_vietnamese_and_exit_2(argv, says, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "lỗi:" in err and err.startswith("Cách dùng: ")
    assert not ENGLISH.search(err.replace("lỗi:", "")), err


def test_gettext_is_put_back_after_parsing():
    before = gettext.textdomain()
    main(["campaign", "check"])
    assert gettext.textdomain() == before and gettext.gettext("usage: ") == "usage: "


def test_every_option_and_argument_is_described_with_a_vietnamese_placeholder():
    for path, parser in _parsers():
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(a.help for a in action._choices_actions), path
                continue
            assert action.help, (path, action.dest)
            takes_value = action.nargs != 0 and not isinstance(action, argparse._HelpAction)
            if takes_value:
                # a placeholder chosen to say what to type, not argparse's upper-cased dest
                assert action.metavar and action.metavar != action.dest.upper(), (path, action.dest)


def test_every_command_has_its_own_description_and_one_example():
    descriptions = {}
    for path, parser in _leaves():
        assert parser.description, path
        examples = [line.strip() for line in (parser.epilog or "").splitlines() if line.startswith("  ")]
        assert parser.epilog.startswith("Ví dụ:") and len(examples) == 1, path
        assert path.split(" ", 1)[1] in examples[0], path  # the example runs this very command
        descriptions[path] = parser.description
    assert len(set(descriptions.values())) == len(descriptions)  # none repeats another's
    assert {"thidua campaign check", "thidua sheet setup", "thidua review return", "thidua addin install"} <= set(
        descriptions
    )


def test_the_examples_parse():
    for path, parser in _leaves():
        example = next(line.strip() for line in parser.epilog.splitlines() if line.startswith("  "))
        with vietnamese():
            args = build_parser().parse_args(shlex.split(example)[1:])
        assert callable(args.func), path


def test_the_help_says_once_that_command_names_stay_english():
    texts = [_help(p) for _, p in _parsers()]
    assert sum("giữ tiếng Anh" in t for t in texts) == 1


def test_no_jargon_in_the_help():
    jargon = re.compile(
        r"máy giả lập|\btab\b|tài khoản dịch vụ|hạn mức|JSON|KHỚP|ASKS"
    )  # --json, an option name, may stay
    for path, parser in _parsers():
        assert not jargon.search(_help(parser)), (path, jargon.search(_help(parser)))


def test_help_in_a_fresh_process_with_an_english_locale_is_still_vietnamese():
    run = subprocess.run(
        [sys.executable, "-m", "xl_addin.cli", "push", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={"LANGUAGE": "en", "LANG": "en_US.UTF-8", "PYTHONIOENCODING": "utf-8", "PATH": ""},
    )
    assert run.returncode == 0 and run.stdout.startswith("Cách dùng: thidua push") and "tùy chọn:" in run.stdout
