"""Real `peoplezones run` processes against the emulated Telegram over HTTP, for tests and
benches of what only separate processes show: leader election, a killed leader, a standby taking
over, webhook workers side by side (`WebhookWorkers`)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """One `python -m bot run` with its output in a file; killed hard, as a crash would."""

    def __init__(
        self,
        name: str,
        api_url: str,
        database_url: str,
        folder: Path,
        token: str = "123456:TEST",
        args: Sequence[str] = (),
    ):
        """ARGS: after `run`, such as `--webhook URL --port N` for a webhook worker."""
        self.name = name
        self.args = list(args)
        self.log_path = folder / f"{name}.log"
        self.env = {
            **os.environ,
            "PEOPLEZONES_DATABASE_URL": database_url,
            "PEOPLEZONES_BOT_TOKEN": token,
            "PEOPLEZONES_TELEGRAM_API_URL": api_url,
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("PEOPLEZONES_CONFIG", None)
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        log = self.log_path.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *self.args, cwd=ROOT, env=self.env, stdout=log, stderr=log
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    @property
    def leads(self) -> bool:
        return '"leading' in self.log() or "leading:" in self.log()

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.kill()
            await self.process.wait()


async def until(condition: Callable[[], bool], limit: float, step: float = 0.05) -> float:
    """Seconds until CONDITION holds; TimeoutError after LIMIT seconds (a failure bound, not a target)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > limit:
            raise TimeoutError(f"not within {limit} s")
        await asyncio.sleep(step)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebhookWorkers:
    """N `peoplezones run --webhook` processes on one database, each on a port of its own: the
    fleet behind a load balancer (the emulation's `WebhookPusher` with their URLs as targets)."""

    PUBLIC_URL = "https://bot.example.org/"

    def __init__(self, count: int, api_url: str, database_url: str, folder: Path) -> None:
        self.api_url, self.database_url, self.folder = api_url, database_url, folder
        self.ports = [free_port() for _ in range(count)]
        self.processes = [self._process(n, port) for n, port in enumerate(self.ports)]
        self._restarts = 0

    def _process(self, n: int, port: int, suffix: str = "") -> BotProcess:
        args = ["--webhook", self.PUBLIC_URL, "--port", str(port)]
        return BotProcess(f"worker{n}{suffix}", self.api_url, self.database_url, self.folder, args=args)

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    async def start(self) -> None:
        for process in self.processes:
            await process.start()

    async def restart(self, n: int) -> BotProcess:
        """A new process in place of worker N (on its port), after it was killed."""
        self._restarts += 1
        process = self._process(n, self.ports[n], f"-again{self._restarts}")
        self.processes[n] = process
        await process.start()
        return process

    def leader(self) -> int | None:
        """Which worker has taken the lead (from the logs), if one has."""
        for n, process in enumerate(self.processes):
            if process.leads:
                return n
        return None

    async def stop(self) -> None:
        await asyncio.gather(*(process.stop() for process in self.processes))
