"""Ctrl-C and SIGTERM during `python -m analysis reproduce | run`, for real.

The command runs as a subprocess in a session of its own, with a temporary output
root and an environment variable marking it and everything it starts (workers, Jupyter
kernels: they inherit it), so that processes it left behind can be found after it has
exited. Each test waits for a condition (a kernel running, a handler installed), never
for a fixed time, then signals: Ctrl-C as a terminal sends it, to the whole foreground
process group; SIGTERM as `kill` does, to the command alone.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from analysis import paths

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds processes through /proc (Linux)")

MARK = "COMPENDIUM_INTERRUPT_TEST"
FRANCE = "01-counting-france"
IN_PLACE = ["notebooks", "figures", "results", "README.md"]  # what `reproduce` writes at the repository root


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)
    return found


def marked(mark: str) -> dict[int, list[str]]:
    """Live processes whose environment carries the mark — the command and its descendants: {pid: arguments}."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:  # a zombie's environment reads empty: it has ended, only its parent has not reaped it yet
                environ = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
                arguments = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if f"{MARK}={mark}".encode() in environ:
                found[int(entry)] = arguments
    return found


def kernels(mark: str) -> dict[int, list[str]]:
    return {pid: arguments for pid, arguments in marked(mark).items() if "ipykernel_launcher" in arguments}


def catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler for ``signum`` (SigCgt in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught >> (signum - 1) & 1)


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", *IN_PLACE], cwd=paths.ROOT,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def start():
    """Start ``python -m analysis ARGS`` with output under ``tmp_path``, marked; kill what is left of it at the end."""
    marks = []

    def start(output_root: Path, mark: str, *args: str) -> subprocess.Popen:
        marks.append(mark)
        env = {**os.environ, paths.OUTPUT_ROOT_VARIABLE: str(output_root), MARK: mark}
        return subprocess.Popen([sys.executable, "-m", "analysis", *args], cwd=paths.ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

    yield start
    for mark in marks:  # only after a failed test: the processes carrying the mark are this test's
        for pid in marked(mark):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def interrupt(command: subprocess.Popen, signum: int) -> None:
    if signum == signal.SIGINT:
        os.killpg(command.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole process group
    else:
        command.send_signal(signum)  # `kill PID`: the command alone


def assert_ended_cleanly(command: subprocess.Popen, mark: str, signum: int, connection_files=()) -> str:
    """The command exits with 128 + signum and one line on stderr, and leaves no process and no kernel file."""
    try:
        _, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            os.killpg(command.pid, signal.SIGKILL)
    assert command.returncode == 128 + signum, err
    assert err.startswith("interrupted: ") and err.count("\n") == 1 and "Traceback" not in err, err
    wait_until(lambda: not marked(mark), timeout=10, what="the workers and kernels to end")
    assert not [path for path in connection_files if Path(path).exists()]
    return err.strip()


@pytest.mark.parametrize(
    "signum, jobs",
    [(signal.SIGINT, "2"), (signal.SIGTERM, "1")],
    ids=["ctrl-c", "sigterm"],
)
def test_interrupted_build_ends_its_kernels_and_changes_nothing(start, tmp_path, signum, jobs):
    mark, before = uuid.uuid4().hex, git_status()
    command = start(tmp_path, mark, "reproduce", "--jobs", jobs)
    running = wait_until(lambda: kernels(mark), timeout=180, what="a Jupyter kernel")
    connection_files = [arguments[arguments.index("-f") + 1] for arguments in running.values()]
    interrupt(command, signum)
    message = assert_ended_cleanly(command, mark, signum, connection_files)
    match = re.fullmatch(r"interrupted: nothing committed was changed \(notebooks/, figures/ and results/ are as they "
                         r"were\); the partly executed (.+) (is|are) in runs/failed/", message)
    assert match, message
    for name in match.group(1).split(", "):  # a kernel was running: at least one notebook was started
        assert (tmp_path / "runs" / "failed" / f"{name}.ipynb").is_file()  # where the message says
    assert not any((tmp_path / folder).exists() for folder in IN_PLACE)  # nothing published in the output root
    assert git_status() == before


def test_a_build_killed_with_sigkill_leaves_no_worker_or_kernel(start, tmp_path):
    """SIGKILL cannot be handled: the workers see their parent gone and end themselves and their kernels
    (before, both workers were still waiting for work minutes later, and the kernels ran their notebooks on)."""
    mark, before = uuid.uuid4().hex, git_status()
    command = start(tmp_path, mark, "reproduce", "--jobs", "2")
    running = wait_until(lambda: kernels(mark), timeout=180, what="a Jupyter kernel")
    connection_files = [arguments[arguments.index("-f") + 1] for arguments in running.values()]
    command.kill()
    # a worker still importing its modules (seconds, more under load) ends once it has: generous limits
    command.communicate(timeout=60)  # its output ends when the last worker holding it has ended
    wait_until(lambda: not marked(mark), timeout=60, what="the workers and kernels to end")
    assert not [path for path in connection_files if Path(path).exists()]
    assert not any((tmp_path / folder).exists() for folder in IN_PLACE)
    assert git_status() == before


def test_interrupted_run_ends_its_kernel_and_names_the_partial_run(start, tmp_path):
    mark, before = uuid.uuid4().hex, git_status()
    command = start(tmp_path, mark, "run", FRANCE, "-p", "multihoming_coefficient", "1.5")
    wait_until(lambda: kernels(mark), timeout=180, what="a Jupyter kernel")
    interrupt(command, signal.SIGINT)
    message = assert_ended_cleanly(command, mark, signal.SIGINT)
    runs = [p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")]  # not the lock files
    assert len(runs) == 1 and runs[0].name.startswith(f"{FRANCE}-")
    assert message == f"interrupted: nothing committed was changed; the partial run is in runs/{runs[0].name}/"
    assert git_status() == before


def test_a_signal_while_a_worker_starts_is_raised_once_it_is_in_the_pool(monkeypatch):
    """The handler can run in the middle of starting a worker (another thread may receive the signal): not raised
    there, or the worker would be left out of the pool, never ended."""
    from multiprocessing.context import SpawnProcess

    from analysis import pipeline
    started, real_start = [], SpawnProcess.start

    def start_then_signal(process):
        real_start(process)
        started.append(process.pid)
        signal.getsignal(signal.SIGINT)(signal.SIGINT, None)  # as Python runs it when another thread got the signal

    monkeypatch.setattr(SpawnProcess, "start", start_then_signal)
    with pytest.raises(pipeline.Interrupted):
        pipeline._execute_all({name: (name,) for name in ("a", "b", "c")}, 2)
    assert len(started) == 2
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() and state(pid) != "Z" for pid in started), timeout=10,
               what="the workers to end")


def test_ctrl_c_while_the_workers_import_their_modules_is_one_line(start, tmp_path):
    """The workers take seconds to import papermill and matplotlib: Ctrl-C then must not raise in them."""
    mark = uuid.uuid4().hex

    def importing_workers():
        return [pid for pid, arguments in marked(mark).items()
                if any("spawn_main" in argument for argument in arguments) and not catches(pid, signal.SIGTERM)]

    command = start(tmp_path, mark, "reproduce", "--jobs", "2")
    wait_until(importing_workers, timeout=120, what="a worker process still importing its modules")
    interrupt(command, signal.SIGINT)
    message = assert_ended_cleanly(command, mark, signal.SIGINT)
    assert message.startswith("interrupted: nothing committed was changed (notebooks/, figures/ and results/ are as "
                              "they were); ")
    assert not any((tmp_path / folder).exists() for folder in IN_PLACE)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interruption_while_the_command_starts_is_one_line_too(start, tmp_path, signum):
    """Before any worker: while the command still imports its modules (seconds), once it handles SIGTERM."""
    mark = uuid.uuid4().hex
    command = start(tmp_path, mark, "reproduce")
    wait_until(lambda: catches(command.pid, signal.SIGTERM), timeout=60, what="the command to handle SIGTERM")
    interrupt(command, signum)
    assert assert_ended_cleanly(command, mark, signum) == "interrupted: nothing committed was changed"
    assert not (tmp_path / "runs").exists()


def test_a_signal_during_the_imports_ends_the_command_in_one_line_once_they_are_done(monkeypatch, capsys):
    """SIGTERM as the command starts lands, often, inside the import of a C extension, which turns the handler's
    exception into an ImportError and a traceback (numpy: 'PyCapsule_Import could not import module "datetime"',
    seen once in ten runs of the suite in random order). The imports are now left to finish first."""
    from analysis import cli

    def import_like_a_c_extension():
        try:
            signal.raise_signal(signal.SIGTERM)  # the handler runs before raise_signal returns
        except BaseException as error:
            raise ImportError('PyCapsule_Import could not import module "datetime"') from error
        imported.append(True)

    imported = []
    monkeypatch.setattr(cli, "_import_commands", import_like_a_c_extension)
    assert threading.current_thread() is threading.main_thread()  # where the command installs its handlers
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert cli.main(["check-data"]) == 128 + signal.SIGTERM
    finally:  # an interrupted command leaves both signals ignored, on its way out
        for signum, handler in before.items():
            signal.signal(signum, handler)
    assert imported and capsys.readouterr().err == "interrupted: nothing committed was changed\n"


def test_the_stop_handler_defers_a_signal_to_the_end_of_the_block_and_lets_errors_through():
    from analysis.stopping import StopHandler

    handler = StopHandler(KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        with handler.deferred():
            handler(signal.SIGINT, None)
            reached = True  # not raised at the signal
    assert reached and not handler.deferring
    with pytest.raises(ValueError):  # an error in the block is not replaced by the signal
        with StopHandler(KeyboardInterrupt).deferred():
            raise ValueError
    with StopHandler(KeyboardInterrupt).deferred():
        pass  # no signal: nothing raised
    with pytest.raises(KeyboardInterrupt):
        handler(signal.SIGINT, None)  # outside the block, raised at once
