"""The embedded engine under contention, Ctrl-C and fork (issue 18, class 9).

Each case would hang or wait out a long render without its fix; the slow
input is a random graph of 300 nodes and 900 edges, which the embedded
Graphviz takes well over a minute to lay out on a 2-core machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from servicebp import RenderTimeoutError
from servicebp.rendering import _engines
from servicebp.rendering._engines import run_engine

#: Builds the slow DOT source as ``SLOW`` in the child scripts.
SLOW_SOURCE = """
import random
_r = random.Random(1)
_edges = (f"n{_r.randrange(300)}->n{_r.randrange(300)};" for _ in range(900))
SLOW = "digraph{" + " ".join(_edges) + "}"
"""


def _child(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_SOURCE + textwrap.dedent(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_waiting_for_a_busy_engine_counts_against_the_time_bound() -> None:
    lock = _engines._embedded_lock
    assert lock.acquire()
    try:
        with pytest.raises(RenderTimeoutError, match="busy with another thread's render"):
            run_engine("digraph{a->b}", engine="embedded", output_format="svg", timeout=0.2)
    finally:
        lock.release()
    svg = run_engine("digraph{a->b}", engine="embedded", output_format="svg", timeout=30)
    assert b"<svg" in svg


def test_a_render_in_another_thread_still_keeps_its_own_bound() -> None:
    # One thread holds the engine with a slow render; a second render from another
    # thread gives up when its own bound is over, not when the first render ends.
    script = """
    import threading, time
    from servicebp import RenderTimeoutError
    from servicebp.rendering._engines import run_engine
    slow = threading.Thread(target=lambda: _try(SLOW, 8), daemon=True)
    def _try(source, timeout):
        try:
            run_engine(source, engine="embedded", output_format="svg", timeout=timeout)
        except RenderTimeoutError as error:
            print("timed out:", error, flush=True)
    slow.start()
    time.sleep(1)
    _try("digraph{a->b}", 1)
    slow.join()
    """
    child = _child(script)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("timed out: the embedded renderer was busy"), out
    assert lines[1].startswith("timed out: the embedded renderer did not finish within 8 s"), out


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_ctrl_c_stops_an_embedded_render_at_once_and_the_engine_recovers() -> None:
    script = """
    from servicebp.rendering._engines import run_engine
    print("rendering", flush=True)
    try:
        run_engine(SLOW, engine="embedded", output_format="svg", timeout=600)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    svg = run_engine("digraph{a->b}", engine="embedded", output_format="svg", timeout=30)
    print("recovered" if b"<svg" in svg else "broken", flush=True)
    """
    child = _child(script)
    assert child.stdout is not None
    assert child.stdout.readline() == "rendering\n"
    threading.Event().wait(2)  # well inside the slow render
    child.send_signal(signal.SIGINT)
    # Without the fix, the signal waits for the render: over a minute, past this bound.
    out, err = child.communicate(timeout=45)
    assert child.returncode == 0, err
    assert out.splitlines() == ["interrupted", "recovered"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork")
def test_a_child_forked_while_another_thread_renders_has_its_own_engine() -> None:
    script = """
    import os, threading, time, warnings
    from servicebp import RenderTimeoutError
    from servicebp.rendering._engines import run_engine
    warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
    def slow():
        try:
            run_engine(SLOW, engine="embedded", output_format="svg", timeout=6)
        except RenderTimeoutError:
            pass
    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(1)
    pid = os.fork()
    if pid == 0:
        try:
            svg = run_engine("digraph{a->b}", engine="embedded", output_format="svg", timeout=20)
            os.write(1, b"child rendered\\n" if b"<svg" in svg else b"child broken\\n")
        except BaseException as error:
            os.write(1, f"child failed: {error!r}\\n".encode())
        os._exit(0)
    os.waitpid(pid, 0)
    thread.join()
    print("parent done", flush=True)
    """
    child = _child(script)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert out.splitlines() == ["child rendered", "parent done"]
