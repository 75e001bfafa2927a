"""Command line: ``python -m analysis list | reproduce | verify | run | check-data | site``.

Every error a user can cause (unknown notebook, unknown parameter, wrong type,
out-of-range value, bad data) ends the command with one line on stderr naming
the culprit and a non-zero exit status — never a traceback. So does an
interruption (Ctrl-C, SIGTERM): one line saying what was left where, and the exit
status 128 + the signal's number (130, 143), as a shell reports a command ended by it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from analysis import paths
from analysis.stopping import STOP_SIGNALS, StopHandler


class _Stopped(KeyboardInterrupt):
    """SIGINT or SIGTERM outside the execution of notebooks (which :mod:`analysis.pipeline` handles)."""

    def __init__(self, signum: int):
        super().__init__("interrupted: nothing committed was changed")
        self.signum = signum


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        if message.startswith("argument -p/--parameter: expected 2 arguments"):
            message += " (a value that starts with '-' and is not a number, e.g. -inf, reads as an option)"
        self.exit(2, f"error: {message} (see python -m analysis --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="notebooks and their parameters with defaults")
    reproduce = commands.add_parser("reproduce", help="execute every notebook at its defaults, in place")
    reproduce.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: cores)")
    verify = commands.add_parser("verify", help="rebuild into a scratch folder and compare every result, figure and "
                                                "notebook with the committed one (changes nothing)")
    verify.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: cores)")
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
    from analysis import parameters, pipeline

    for name in pipeline.notebooks():
        print(f"{name}  (defaults also in {pipeline.params_file(name).relative_to(pipeline.paths.ROOT)})")
        for key, value in pipeline.default_parameters(name).items():
            rule = parameters.RULES.get(key)
            detail = f"{rule.describe()}: {rule.meaning}" if rule else "no rule declared"
            print(f"    {key} = {value!r}    [{detail}]")


def _verify(jobs: int | None) -> int:
    from analysis import pipeline, rebuild, results

    comparisons = pipeline.verify(jobs)
    width = max(len(c.item) for c in comparisons)
    for c in comparisons:
        print(f"{'same' if c.same else 'DIFFERS':7} {c.kind:8} {c.item:{width}}  {c.detail}")
    differing = [c for c in comparisons if not c.same]
    print(f"{len(comparisons) - len(differing)} of {len(comparisons)} outputs are the committed ones (results to "
          f"{results.STORED_DIGITS} significant digits, figures within RMS {rebuild.FIGURE_TOLERANCE:g} of 255 levels)"
          + (f"; {len(differing)} differ" if differing else ""))
    return 1 if differing else 0


def _check_data() -> int:
    from analysis import data

    problems = data.check_all()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"{len(data.registry())} datasets verified: checksums, columns, types, ranges, provenance")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Run a command; return its exit status.

    SIGINT and SIGTERM end any command with one line on stderr (what was left where) and
    status 128 + the signal's number. The heavy modules are imported once they are handled.
    After an interruption both stay ignored, so that a second Ctrl-C cannot break the
    process's exit with a traceback: this is the process's entry point.
    """
    args = _parser().parse_args(argv)
    in_main_thread = threading.current_thread() is threading.main_thread()
    stop = StopHandler(_Stopped)
    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS} if in_main_thread else {}
    try:
        with stop.deferred():  # an exception inside a C extension's import would become an ImportError
            _import_commands()
        return _command(args)
    except KeyboardInterrupt as interrupt:  # pipeline.Interrupted says what was left where
        for signum in STOP_SIGNALS if in_main_thread else ():
            signal.signal(signum, signal.SIG_IGN)  # ending: a second Ctrl-C must not break the message
        previous = {}
        message = str(interrupt) if str(interrupt).startswith("interrupted") else "interrupted"
        print(message, file=sys.stderr)
        return 128 + getattr(interrupt, "signum", signal.SIGINT)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _import_commands() -> None:
    """Import the modules the commands need, which takes seconds (pandas, papermill, nbconvert)."""
    # rebuild and results come with pipeline
    import analysis.data  # noqa: F401
    import analysis.parameters  # noqa: F401
    import analysis.pipeline  # noqa: F401
    import analysis.site  # noqa: F401


def _command(args: argparse.Namespace) -> int:
    from analysis import data, parameters, pipeline, site  # imported already, by _import_commands

    try:
        if args.command == "list":
            _list()
        elif args.command == "reproduce":
            pipeline.reproduce(args.jobs)
        elif args.command == "verify":
            return _verify(args.jobs)
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
