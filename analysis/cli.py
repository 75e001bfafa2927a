"""Command line: ``python -m analysis list | reproduce | run | check-data | site``.

Every error a user can cause (unknown notebook, unknown parameter, wrong type,
out-of-range value, bad data) ends the command with one line on stderr naming
the culprit and a non-zero exit status — never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import data, parameters, paths, pipeline, site


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        self.exit(2, f"error: {message} (see python -m analysis --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="notebooks and their parameters with defaults")
    reproduce = commands.add_parser("reproduce", help="execute every notebook at its defaults, in place")
    reproduce.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: cores)")
    run = commands.add_parser("run", help="execute one notebook with custom parameters into runs/")
    run.add_argument("notebook", help="notebook name, e.g. 01-counting-france")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    run.add_argument("-f", "--parameter-file", action="append", default=[], type=Path, metavar="FILE")
    commands.add_parser("check-data", help="verify every registered data file (checksum, schema, provenance)")
    site_command = commands.add_parser("site", help="render the executed notebooks and the results to a static HTML site")
    site_command.add_argument("--output", type=Path, default=paths.ROOT / "site", metavar="DIR",
                              help="folder of the site (default: site/ at the repository root)")
    return parser


def _list() -> None:
    for name in pipeline.notebooks():
        print(f"{name}  (defaults also in {pipeline.params_file(name).relative_to(pipeline.paths.ROOT)})")
        for key, value in pipeline.default_parameters(name).items():
            rule = parameters.RULES.get(key)
            detail = f"{rule.describe()}: {rule.meaning}" if rule else "no rule declared"
            print(f"    {key} = {value!r}    [{detail}]")


def _check_data() -> int:
    problems = data.check_all()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"{len(data.registry())} datasets verified: checksums, columns, types, ranges, provenance")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            _list()
        elif args.command == "reproduce":
            pipeline.reproduce(args.jobs)
        elif args.command == "run":
            name = pipeline.resolve(args.notebook)
            values = pipeline.resolve_parameters(name, [tuple(p) for p in args.parameter], args.parameter_file)
            pipeline.run(name, values)
        elif args.command == "check-data":
            return _check_data()
        elif args.command == "site":
            pages = site.build(args.output)
            print(f"{len(pages)} pages written; open {paths.shown(pages[-1])}")
    except (pipeline.PipelineError, parameters.ParameterError, data.DataError, site.SiteError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
