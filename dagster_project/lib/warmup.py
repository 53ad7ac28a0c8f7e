"""Slow imports done ahead of time, on a side thread, while the process waits on something else.

``make run`` executes every step in one process. Importing Great Expectations there costs about
3 s of Python, and where it runs matters: beside ingestion it holds the interpreter lock the
loader's threads need (an incremental day's ingestion at scale l took 4.3 to 4.6 s with the
import beside it and 1.9 to 2.6 s without); while dbt runs, the process only waits on dbt's
subprocess. So the run asks for the import (``import_later``) and the dbt step starts it once
its subprocess is running (``start_pending``). A process that asked for nothing (the UI's one
process per step) imports nothing extra.
"""

import importlib
import threading

_pending: list[str] = []
_lock = threading.Lock()


def import_later(module: str) -> None:
    """Ask for ``module`` to be imported at the next ``start_pending`` in this process."""
    with _lock:
        if module not in _pending:
            _pending.append(module)


def start_pending() -> list[str]:
    """Start importing the modules asked for, each on a daemon thread; returns their names."""
    with _lock:
        started, _pending[:] = list(_pending), []
    for module in started:
        threading.Thread(
            target=importlib.import_module, args=(module,), name=f"import {module}", daemon=True
        ).start()
    return started
