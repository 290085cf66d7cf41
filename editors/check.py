#!/usr/bin/env python3
"""Checks editors/pipe.tmLanguage.json and keeps the Sublime copy in sync.

    python3 editors/check.py          # validate; fail if sublime/ is stale
    python3 editors/check.py --write  # validate, then regenerate sublime/

Validation: the file is JSON, has the keys editors need, every `include`
names a rule that exists, and every regex compiles with Python's `re`
(whose syntax covers what the grammar uses of Oniguruma's: lookbehind,
lookahead, classes). Sublime Text reads TextMate grammars as property
lists, so `sublime/pipe.tmLanguage` is this grammar converted by plistlib.
"""

import json
import plistlib
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GRAMMAR = HERE / "pipe.tmLanguage.json"
SUBLIME = HERE / "sublime" / "pipe.tmLanguage"


def rules(node, path="$"):
    """Yields (path, rule) for every rule dict in the grammar."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from rules(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from rules(value, f"{path}[{i}]")


def check(grammar):
    errors = []
    for key in ("name", "scopeName", "fileTypes", "patterns", "repository"):
        if key not in grammar:
            errors.append(f"missing top-level key {key!r}")
    if grammar.get("scopeName") != "source.pipe":
        errors.append("scopeName must be source.pipe")
    if "pipe" not in grammar.get("fileTypes", []):
        errors.append("fileTypes must list pipe")
    repository = grammar.get("repository", {})
    count = 0
    for path, rule in rules(grammar):
        include = rule.get("include")
        if isinstance(include, str) and include.startswith("#"):
            if include[1:] not in repository:
                errors.append(f"{path}: include of unknown rule {include}")
        for key in ("match", "begin", "end", "while", "firstLineMatch"):
            pattern = rule.get(key)
            if isinstance(pattern, str):
                count += 1
                try:
                    re.compile(pattern)
                except re.error as error:
                    errors.append(f"{path}.{key}: {error}: {pattern}")
    return errors, count


def sublime_bytes(grammar):
    plist = {k: v for k, v in grammar.items() if not k.startswith("$")}
    return plistlib.dumps(plist, sort_keys=True)


def main():
    grammar = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    errors, count = check(grammar)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 1
    expected = sublime_bytes(grammar)
    if "--write" in sys.argv[1:]:
        SUBLIME.parent.mkdir(exist_ok=True)
        SUBLIME.write_bytes(expected)
    elif not SUBLIME.exists() or SUBLIME.read_bytes() != expected:
        print(f"error: {SUBLIME} is stale; run {sys.argv[0]} --write", file=sys.stderr)
        return 1
    print(f"ok: {count} regexes compile; {SUBLIME.name} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
