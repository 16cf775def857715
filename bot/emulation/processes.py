"""Real `peoplezones run` processes against the emulated Telegram over HTTP, for tests and
benches of what only separate processes show: leader election, a killed leader, a standby taking
over."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """One `python -m bot run` with its output in a file; killed hard, as a crash would."""

    def __init__(self, name: str, api_url: str, database_url: str, folder: Path, token: str = "123456:TEST"):
        self.name = name
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
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env, stdout=log, stderr=log
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
