"""Read each shared resource once per run, however many threads ask for it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class OnceCache(Generic[T]):
    """Compute each key once, even when threads ask at the same time (a shared role,
    bucket or key is read once per account, however many attributions use it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[Any, tuple[threading.Lock, list[T]]] = {}

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.setdefault(key, (threading.Lock(), []))
        lock, box = entry
        with lock:  # only threads wanting this key wait; the computing one does not
            if not box:
                box.append(compute())
            return box[0]
