"""Numeric settings from the environment, with an error that names the setting."""

import os


def env_number(name: str, default: float, kind: type = float, unit: str = "") -> float:
    """``$name`` as ``kind`` (float or int), or ``default`` when it is unset or empty.

    A value that is not a number stops the caller with the setting's name, the value and what to
    do, rather than with Python's bare "could not convert string to float".
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        number = "a whole number" if kind is int else "a number"
        raise ValueError(
            f"{name}={raw!r} is not {number}{f' of {unit}' if unit else ''}: set it to one "
            f"(the default is {default}) or unset it."
        ) from None
