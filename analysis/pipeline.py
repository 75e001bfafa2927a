"""Executing the notebooks with papermill: the whole build, or one custom run.

``reproduce`` executes every notebook at its default parameters, in parallel
(one process per notebook, up to the number of cores), into a temporary folder;
only when every notebook has succeeded are the executed notebooks, their figures
and results moved in place. ``run`` executes one notebook with custom parameters
into ``runs/<notebook>-<hash>/``, never over the committed files. Parameters are
checked before any kernel starts. Papermill's timestamps, durations and paths are
removed from the executed notebooks, so that a second build is byte-identical to
the first.

Ctrl-C (SIGINT) or SIGTERM while notebooks execute ends the worker processes and
the Jupyter kernels they started, and raises :class:`Interrupted`, whose message
says what was left where: a failed or interrupted build changes nothing in place.
"""

from __future__ import annotations

import ast
import concurrent.futures as futures
import contextlib
import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from multiprocessing import resource_tracker
from pathlib import Path

import nbformat
import papermill
import yaml
from tqdm import tqdm

from analysis import parameters, paths, rebuild, results
from analysis.stopping import STOP_SIGNALS, StopHandler

KERNEL = "python3"
KEPT_PAPERMILL_METADATA = ("default_parameters", "parameters", "version")
VOLATILE_CELL_METADATA = ("papermill", "execution")
MAX_PARAMETER_FILE_BYTES = 65_536
PARENT_POLL = 0.5  # seconds between a worker's checks that the build that started it is alive
CELL_TIMEOUT = 600  # seconds: a cell still running after this fails the run instead of hanging it
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # an ipywidgets display: holds a random model id
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class PipelineError(Exception):
    """A request the pipeline cannot carry out (unknown notebook, bad parameter file, failed notebook)."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM ended a build or a run, after its workers and kernels were ended.

    The message is one line saying what was left where; ``status`` is the exit status
    of a command ended by the signal, 128 + its number, as shells report it (130 for
    SIGINT, 143 for SIGTERM). A KeyboardInterrupt, so that ``except Exception`` lets it through.
    """

    def __init__(self, signum: int, message: str = "interrupted"):
        super().__init__(message)
        self.signum = signum
        self.status = 128 + signum


def _ignore(signum: int, frame: object) -> None:
    """A worker's handler of SIGINT and SIGTERM: they are for the parent to handle.

    A Python handler rather than SIG_IGN, so that the kernels a worker starts get the
    default dispositions back (an ignored signal would stay ignored through exec).
    """


def notebooks() -> list[str]:
    """Names of the notebooks, in build order (``NN-name``)."""
    return sorted(path.stem for path in paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def resolve(notebook: str) -> str:
    """The notebook name for ``notebook`` given as a name, file name or path."""
    name = Path(notebook).name.removesuffix(".ipynb")
    if name not in notebooks():
        raise PipelineError(f"unknown notebook '{notebook}' (available: {', '.join(notebooks())})")
    return name


def params_file(name: str) -> Path:
    """``params/<name without its number>.yaml``: the notebook's defaults, for review and reuse."""
    return paths.PARAMS / f"{name.split('-', 1)[1]}.yaml"


def default_parameters(name: str) -> dict[str, object]:
    """The defaults of the notebook's ``parameters`` cell, read without starting a kernel."""
    inferred = papermill.inspect_notebook(str(paths.NOTEBOOKS / f"{name}.ipynb"))
    return {key: ast.literal_eval(spec["default"]) for key, spec in inferred.items()}


class _ParameterFileLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice (YAML would keep the last, silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        keys = [self.construct_object(key, deep=True) for key, _ in node.value]
        repeated = sorted({str(key) for key in keys if keys.count(key) > 1})
        if repeated:
            raise _RepeatedKeys(f"{', '.join(repeated)} given more than once in the mapping at line "
                                f"{node.start_mark.line + 1}")
        return super().construct_mapping(node, deep)


class _RepeatedKeys(yaml.YAMLError):
    pass


def read_parameter_file(path: Path) -> dict[str, object]:
    """The ``{name: value}`` of a parameter file (YAML), or :class:`PipelineError` in one line.

    A parameter file is small and flat: larger than ``MAX_PARAMETER_FILE_BYTES``, not UTF-8 text,
    or with an alias (``*name``: a few lines of them expand to gigabytes, "billion laughs") it is
    refused before YAML builds anything.
    """
    try:
        if path.exists() and not path.is_file():
            raise PipelineError(f"{path}: not a parameter file (a directory or a device, not a regular file)")
        with open(path, "rb") as handle:
            data = handle.read(MAX_PARAMETER_FILE_BYTES + 1)
        if len(data) > MAX_PARAMETER_FILE_BYTES:
            raise PipelineError(f"{path}: a parameter file is at most {MAX_PARAMETER_FILE_BYTES:,} bytes; this one "
                                "is larger")
        text = data.decode("utf-8")
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise PipelineError(f"{path}: a parameter file may not use YAML aliases (*name); write each value out")
        values = yaml.load(text, Loader=_ParameterFileLoader) or {}
    except _RepeatedKeys as error:
        raise PipelineError(f"{path}: {error}") from None
    except (OSError, yaml.YAMLError) as error:
        raise PipelineError(f"{path}: cannot read parameter file ({' '.join(str(error).split())})") from None
    except UnicodeDecodeError:
        raise PipelineError(f"{path}: cannot read parameter file (not UTF-8 text)") from None
    if not isinstance(values, dict):
        raise PipelineError(f"{path}: a parameter file maps parameter names to values")
    return values


def resolve_parameters(name: str, texts: list[tuple[str, str]], files: list[Path]) -> dict[str, object]:
    """All parameters of a run: defaults, then files (in order), then ``-p NAME VALUE`` pairs, checked."""
    resolved = default_parameters(name)
    chosen: list[tuple[str, object, str]] = []
    for path in files:
        chosen += [(key, value, f"{path}: ") for key, value in read_parameter_file(path).items()]
    chosen += [(key, text, "") for key, text in texts]
    for key, value, origin in chosen:
        if key not in resolved:
            raise PipelineError(f"{origin}unknown parameter '{key}' for notebook {name} (known: {', '.join(resolved)})")
        try:
            resolved[key] = parameters.parse(key, value) if isinstance(value, str) else parameters.check(key, value)
        except parameters.ParameterError as error:
            raise PipelineError(f"{origin}{error}") from None
    return resolved


def parameter_hash(values: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:8]


def strip_volatile_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timestamps, durations, file paths and widget state that papermill and nbclient record.

    Widget displays (the interactive explorers) carry random model ids and their state; the
    executed notebook keeps the static figures instead, and a reader re-runs the explorer cell.
    """
    kept = {key: nb.metadata.papermill[key] for key in KEPT_PAPERMILL_METADATA if key in nb.metadata.get("papermill", {})}
    nb.metadata["papermill"] = kept
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs if WIDGET_VIEW not in output.get("data", {})]
    return nb


def _execute(name: str, target: Path, output_root: Path, values: dict[str, object] | None, scratch: Path,
             shown_scratch: str) -> str | None:
    """Execute one notebook into ``scratch``, then (on success) write it cleaned to ``target``.

    Runs in a worker process, whose environment the kernel inherits: generated
    figures and results go under ``output_root``. Returns an error message, or
    None on success; a failed notebook stays at ``scratch`` (shown to readers as
    ``shown_scratch``) for inspection.
    """
    os.environ[paths.OUTPUT_ROOT_VARIABLE] = str(output_root)
    os.environ[paths.BATCH_VARIABLE] = "1"  # no reader: the interactive explorers build nothing
    for variable in BLAS_THREAD_VARIABLES:  # notebooks run side by side: one BLAS thread each, no contention
        os.environ.setdefault(variable, "1")
    results.forget(name)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(paths.NOTEBOOKS / f"{name}.ipynb"), str(scratch), parameters=values or None,
            kernel_name=KERNEL, cwd=str(paths.NOTEBOOKS), progress_bar=False, start_timeout=120,
            execution_timeout=CELL_TIMEOUT,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no start-up chatter on the console
        )
    except papermill.PapermillExecutionError as error:
        return f"{name}: cell [{error.exec_count}] raised {error.ename}: {error.evalue} (failed notebook: {shown_scratch})"
    except Exception as error:  # a dead or missing kernel: one line, not a traceback
        return f"{name}: could not execute ({type(error).__name__}: {' '.join(str(error).split())})"
    nb = strip_volatile_metadata(nbformat.read(scratch, as_version=4))
    if scratch != target:
        scratch.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return None


def _worker_started(parent: int) -> None:
    """First call in each worker process: leave SIGINT and SIGTERM to the ``parent`` process, and
    end with it (:func:`_end_with_parent`).

    A worker starts with both blocked (inherited from the parent, see :func:`_execute_all`),
    so a Ctrl-C while it imports its modules cannot raise in it; here they are ignored, then unblocked.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, _ignore)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    # the parent's pid as it gave it: a worker still importing its modules when the parent died is already
    # an orphan here, and os.getppid() would name its new parent
    threading.Thread(target=_end_with_parent, args=(parent,), daemon=True, name="end-with-parent").start()


def _end_with_parent(parent: int) -> None:
    """In a worker: once the parent is gone (killed with SIGKILL, which it cannot handle), kill the
    kernels this worker started (removing their connection files) and end it, within ``PARENT_POLL``
    seconds. Otherwise the kernels would run their notebooks to the end and the workers would wait
    for work for ever (seen: both workers still there minutes later)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    children = _children() or {}
    found, frontier = [], children.get(os.getpid(), [])
    while frontier:
        found += frontier
        frontier = [child for pid in frontier for child in children.get(pid, [])]
    connection_files = [_connection_file(pid) for pid in found]
    for pid in found:
        _send(pid, signal.SIGKILL)
    for path in filter(None, connection_files):
        path.unlink(missing_ok=True)
    os._exit(1)


def _children() -> dict[int, list[int]] | None:
    """``{pid: [child pids]}`` of every process, from ``/proc``; None where there is no ``/proc``."""
    try:
        entries = [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return None
    children: dict[int, list[int]] = {}
    for pid in entries:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # ended meanwhile
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(pid)
    return children


def _state(pid: int) -> str:
    """A process's state letter from ``/proc`` (T: stopped, Z: ended, not yet reaped); "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def _send(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:  # gone already
        pass


def _wait_for(pids: list[int], done, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(done(_state(pid)) for pid in pids):
        time.sleep(0.01)


def _end_workers(pool: futures.ProcessPoolExecutor) -> None:
    """Kill the pool's workers and every process they started, then shut the pool down.

    Jupyter kernels run in sessions of their own, out of reach of Ctrl-C and of a signal to
    the process group, and they are the workers' children. So the workers are stopped
    first (SIGSTOP: none can start a kernel meanwhile), their descendants are found in
    ``/proc`` and stopped too, until no new one appears, and all are killed (SIGKILL); the
    connection files of the killed kernels are removed. Without ``/proc`` only the workers
    are killed; their kernels end by themselves within a second, when they see their
    parent gone (ipykernel watches for it).
    """
    workers = list(dict(getattr(pool, "_processes", None) or {}))  # pid: process, as the pool keeps them
    stop, kill = getattr(signal, "SIGSTOP", None), getattr(signal, "SIGKILL", signal.SIGTERM)
    found, stopped, frontier = [], set(), workers
    while frontier:
        for pid in frontier:
            if stop is not None:
                _send(pid, stop)
            stopped.add(pid)
        _wait_for(frontier, lambda state: state in ("T", "t", "Z", ""), timeout=2)
        children = _children() if stop is not None else None
        frontier = [child for pid in stopped for child in (children or {}).get(pid, []) if child not in stopped]
        found += frontier
    connection_files = [_connection_file(pid) for pid in found]
    for pid in workers + found:
        _send(pid, kill)
    _wait_for(workers + found, lambda state: state in ("Z", ""), timeout=5)  # Z: dead, its parent to reap it
    pool.shutdown(wait=True, cancel_futures=True)
    for path in filter(None, connection_files):
        path.unlink(missing_ok=True)


def _connection_file(pid: int) -> Path | None:
    """The connection file of a Jupyter kernel (``-f FILE`` on its command line), if ``pid`` is one."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return None
    if "ipykernel_launcher" not in arguments or "-f" not in arguments[:-1]:
        return None
    path = Path(arguments[arguments.index("-f") + 1])
    return path if path.suffix == ".json" else None


def _execute_all(calls: dict[str, tuple], workers: int, bar: tqdm | None = None) -> dict[str, str | None]:
    """Run :func:`_execute` with each of ``calls`` (``{notebook: arguments}``) in ``workers`` processes.

    Returns ``{notebook: error message, or None on success}``. SIGINT and SIGTERM are
    handled in this process alone (in the main thread): the workers are spawned with both
    blocked (the mask is inherited; a signal meanwhile is raised once they have started)
    and then ignore them. On either, the workers and their kernels are killed
    (:func:`_end_workers`) and :class:`Interrupted` is raised; the previous handlers are back.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    handler = StopHandler(Interrupted)  # deferred while the workers start: one left out of the pool is never ended
    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS} if in_main_thread else {}
    blocks = hasattr(signal, "pthread_sigmask")
    errors: dict[str, str | None] = {}
    pool = None
    try:
        if blocks:  # multiprocessing's resource tracker unblocks both signals once it has started it: start it first
            resource_tracker.ensure_running()
        with handler.deferred():
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS) if blocks else None
            try:  # spawned with the signals blocked, the workers (and the pool's threads) inherit the mask
                pool = futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                                   initializer=_worker_started, initargs=(os.getpid(),))
                pending = {pool.submit(_execute, *arguments): name for name, arguments in calls.items()}
            finally:
                if blocks:
                    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        while pending:
            if bar is not None:
                bar.set_postfix_str("running: " + ", ".join(sorted(n for f, n in pending.items() if f.running())))
            done, _ = futures.wait(pending, timeout=1, return_when=futures.FIRST_COMPLETED)
            for future in done:
                name = pending.pop(future)
                try:
                    errors[name] = error = future.result()
                except Exception as crash:  # e.g. a worker killed from outside: one line, not a traceback
                    errors[name] = error = (f"{name}: could not execute "
                                            f"({type(crash).__name__}: {' '.join(str(crash).split())})")
                if bar is not None:
                    bar.write(f"{'failed' if error else 'done'}: {name}")
                    bar.update()
    except BaseException:  # an interruption, or a bug here: the workers are killed rather than waited for
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleaning up short
        if pool is not None:
            _end_workers(pool)
        raise
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)
    pool.shutdown()
    return errors


def _publish(staging: Path, root: Path) -> None:
    """Put every file of a complete build from ``staging`` at the same place under ``root``.

    A file that is the one already there, within the tolerance of floating-point noise
    (:func:`analysis.rebuild.unchanged`), is left as it is, and a notebook keeps the figures it
    embeds that are unchanged: a rebuild elsewhere leaves ``git status`` clean. Each file is
    replaced atomically; SIGINT and SIGTERM are ignored meanwhile (a few milliseconds): a build
    is published whole.
    """
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
    try:
        for source in sorted(path for path in staging.rglob("*") if path.is_file()):
            target = root / source.relative_to(staging)
            if not rebuild.unchanged(source, target):
                paths.write_atomically(target, rebuild.rebuilt_bytes(source, target))
        if root == paths.ROOT:
            try:
                results.update_readme(paths.README)
            except ValueError as error:
                raise PipelineError(str(error)) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _check_loopback() -> None:
    """Jupyter kernels talk to the build over 127.0.0.1: without a loopback interface (a container
    started without one, ``unshare -n``) a kernel never answers and the run would wait 2 minutes."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server, \
                socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            server.bind(("127.0.0.1", 0))  # succeeds even when the interface is down
            server.listen()
            client.settimeout(5)
            client.connect(server.getsockname())
    except OSError as error:
        raise PipelineError(f"no loopback network: 127.0.0.1 cannot be reached ({error.strerror or error}); "
                            "Jupyter kernels need it to talk to the build") from None


@contextlib.contextmanager
def _alone(lock: Path, busy: str) -> Iterator[None]:
    """Hold an exclusive lock on the file ``lock`` (created if need be), or raise :class:`PipelineError`
    ``busy`` at once if another process holds it. The lock ends with the process, however it ends."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PipelineError(busy) from None
        yield


@contextlib.contextmanager
def _complete_build(jobs: int | None) -> Iterator[tuple[Path, list[str]]]:
    """Execute every notebook at its defaults, in parallel, into a temporary folder; yield it and the
    notebooks, once all have succeeded.

    The folder is outside the repository (so that the paths the notebooks show are the same as
    in place) and is removed afterwards; a failed notebook goes to ``runs/failed/`` under the
    output root. A failure raises :class:`PipelineError`, an interruption :class:`Interrupted`,
    each saying that nothing committed was changed.
    """
    names = notebooks()
    root = paths.output_root()
    workers = max(1, min(len(names), jobs or os.cpu_count() or 1))
    failed = root / "runs" / "failed"
    scratches = {name: failed / f"{name}.ipynb" for name in names}
    started = time.time()
    _check_loopback()
    lock = paths.runs_dir() / ".build.lock"
    with _alone(lock, f"another build of this checkout is running (it holds {paths.shown(lock)}); let it finish"):
        staging = Path(tempfile.mkdtemp(prefix="compendium-reproduce-"))
        try:
            calls = {name: (name, staging / "notebooks" / f"{name}.ipynb", staging, None, scratches[name],
                            paths.shown(scratches[name])) for name in names}
            with tqdm(total=len(names), unit="notebook", desc="notebooks", disable=None) as bar:  # none off a terminal
                errors = _execute_all(calls, workers, bar)
                bar.set_postfix_str("")
            failures = [error for error in errors.values() if error]
            if failures:
                raise PipelineError("; ".join(failures) + "; nothing was published: notebooks/, figures/ and "
                                    "results/ are as they were")
            yield staging, names
        except KeyboardInterrupt as interrupt:
            partial = sorted(name for name, scratch in scratches.items()
                             if scratch.is_file() and scratch.stat().st_mtime >= started)
            left = (f"the partly executed {', '.join(partial)} {'is' if len(partial) == 1 else 'are'} in "
                    f"{paths.shown(failed)}/" if partial else "no notebook was left partly executed")
            raise Interrupted(getattr(interrupt, "signum", signal.SIGINT),
                              f"interrupted: nothing committed was changed (notebooks/, figures/ and results/ are as "
                              f"they were); {left}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def reproduce(jobs: int | None = None) -> list[str]:
    """Execute every notebook at its defaults, in parallel; return the notebooks built.

    Only when all have succeeded are the executed notebooks (``notebooks/``), figures and
    results moved under the output root (:func:`_publish`), and the README's results table
    regenerated. A failure or an interruption changes nothing there.
    """
    with _complete_build(jobs) as (staging, names):
        _publish(staging, paths.output_root())
    return names


def verify(jobs: int | None = None) -> list[rebuild.Comparison]:
    """Execute every notebook at its defaults into a scratch folder and compare every result, figure
    and notebook with the committed ones (:func:`analysis.rebuild.compare`); change nothing."""
    with _complete_build(jobs) as (staging, _):
        return rebuild.compare(staging, paths.ROOT)


def run(name: str, values: dict[str, object]) -> Path:
    """Execute one notebook with ``values`` into ``runs/<name>-<hash>/``; return that folder."""
    _check_loopback()
    folder = paths.runs_dir() / f"{name}-{parameter_hash(values)}"
    lock = folder.with_name(f".{folder.name}.lock")
    with _alone(lock, f"the same run is in progress into {paths.shown(folder)}/ (it holds {paths.shown(lock)}); "
                      "let it finish"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "parameters.yaml").write_text(yaml.safe_dump(values, sort_keys=True), encoding="utf-8")
        started = time.monotonic()
        target = folder / f"{name}.ipynb"
        try:
            error = _execute_all({name: (name, target, folder, values, target, paths.shown(target))}, 1)[name]
        except KeyboardInterrupt as interrupt:
            raise Interrupted(getattr(interrupt, "signum", signal.SIGINT),
                              f"interrupted: nothing committed was changed; the partial run is in "
                              f"{paths.shown(folder)}/") from None
    if error is not None:
        raise PipelineError(error)
    print(f"{name}: executed in {time.monotonic() - started:.0f} s into {paths.shown(folder)}/")
    return folder
