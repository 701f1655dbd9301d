"""Password verification off the request threads: argon2 is made to be slow (about 0.1 s of a
core), so a burst of sign-ins on the request threads took every core and every worker thread
from the other requests. Here verifications run on a few threads of their own (half the cores by
default), and at most `queue` more wait for one; a sign-in beyond that is refused at once
(SignInBusy, 503) instead of queueing without end. argon2 releases the GIL while it hashes."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from cityops.kernel.errors import DomainError
from cityops.org.credentials import Passwords


class SignInBusy(DomainError):
    """Every password-check slot is taken: try again in `retry_after` seconds (503)."""

    code = "sign_in_busy"

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


def default_workers() -> int:
    """Half the cores, at least one: the other half stays for everything else."""
    return max(1, (os.cpu_count() or 2) // 2)


class PasswordChecks:
    """`with slot(): verify(hash, password)` on the pool's threads; `passwords` does the
    hashing itself."""

    def __init__(self, passwords: Passwords, *, workers: int, queue: int) -> None:
        self.passwords = passwords
        self.workers = workers
        self.queue = queue
        self._slots = threading.BoundedSemaphore(workers + queue)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="password-check")

    @contextmanager
    def slot(self) -> Iterator[None]:
        """A place in the pool or its queue, held for the block; SignInBusy at once if none is
        free. Taken before any other work of a sign-in, so a refused one costs next to nothing."""
        if not self._slots.acquire(blocking=False):
            raise SignInBusy("sign-in is busy; try again in a second")
        try:
            yield
        finally:
            self._slots.release()

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Verify on the pool's threads; call it inside `slot()`."""
        return self._pool.submit(self.passwords.verify, password_hash, password).result()
