"""The `polis` argument parser: PolisParser (no abbreviations, one-line usage errors) and the stand-ins that
let `build_parser` give only the command being run its full argument tree."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from wallet.cli.errors import report_error

# argparse asks gettext for each of its own phrases (usage:, options, the help action's line): each ask imports
# locale and looks for message catalogues on disk (~2.5 ms of every start). Polis speaks English, and Python ships
# no catalogue for argparse, so its phrases are taken as they are.
argparse._ = str  # type: ignore[attr-defined]


class PolisParser(argparse.ArgumentParser):
    """No abbreviated options (`--passphrase` must never be read as `--passphrase-file`), and a usage
    error is one line on stderr (a JSON error object on stdout under --json), exit 2."""

    json_errors = False
    building = False
    """True while `build_parser` runs: add_argument's check of each metavar then gets a formatter that does
    not ask the terminal for its width (which loads shutil); help and usage text are never formatted then."""
    verb_of: tuple[str, str] = ("", "*")
    """While `build_parser` runs for argv: the noun being run and the verb whose tree that noun builds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        if "prog" not in kwargs and self.usage is None and not self._get_positional_actions():
            kwargs["prog"] = self.prog  # what argparse would get by formatting this usage, without formatting it
        action = super().add_subparsers(**kwargs)
        noun, verb = PolisParser.verb_of
        if PolisParser.building and kwargs.get("dest") == "verb" and self.prog == f"polis {noun}":
            return OnlySubparsers(action, verb, (noun,))
        return action

    def _get_formatter(self) -> argparse.HelpFormatter:
        if PolisParser.building:
            return self.formatter_class(prog=self.prog, width=80)  # type: ignore[call-arg]
        return super()._get_formatter()

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: "):
            # Never echo the values: `--passphrase hunter2` would print the secret back.
            words = message.removeprefix("unrecognized arguments: ").split()
            names = [w.partition("=")[0] for w in words if w.startswith("-")]
            message = "unrecognized arguments: " + (" ".join(names) if names else "…") + " (values not shown)"
        report_error("usage", 2, f"{self.prog}: {message} (see '{self.prog} --help')", None, json_mode=self.json_errors)
        sys.exit(2)


class Sink:
    """Stands in for the argument tree of every command but the one being run: building all of
    them costs ~10 ms a start, and only the top-level names and help lines are ever needed."""

    def __getattr__(self, name: str) -> object:
        return lambda *args, **kwargs: self


class Later:
    """Stands in for the parser of a noun (or of a verb of the noun) that is not being run: `polis --help`,
    `polis NOUN --help` and an unknown name's error need only its name and help line. Should argparse ever
    hand it arguments, it builds that command's real parser and lets it parse them."""

    def __init__(self, path: tuple[str, ...]) -> None:
        self.path = path

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        from wallet.cli.main import build_parser

        parser: Any = build_parser(list(self.path))
        for name in self.path:
            parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
        return parser.parse_known_args(args, namespace)


class OnlySubparsers:
    """Subparsers that build the full tree of one name only (every name when `only` is "*"); the others
    get their name and help line (what argparse's add_parser records for them) and a `Later`."""

    def __init__(self, real: argparse._SubParsersAction, only: str, path: tuple[str, ...] = ()) -> None:
        self._real = real
        self._only = only
        self._path = path

    def add_parser(self, name: str, **kwargs: object) -> argparse.ArgumentParser:
        if self._only in ("*", name):
            return self._real.add_parser(name, **kwargs)  # type: ignore[arg-type]
        real: Any = self._real
        real._choices_actions.append(real._ChoicesPseudoAction(name, (), kwargs.get("help")))
        real._name_parser_map[name] = Later((*self._path, name))
        return Sink()  # type: ignore[return-value]
