"""Each module of the layers that import one another (handlers, views, senders, the pipeline, the
processes) imports on its own, first thing in a fresh process (a worker, a bench or a tool may
start from any of them), so no import depends on another having happened first. (The services,
matching and db import none of these.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "bot" or m.startswith(("bot.", "db."))]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {type(error).__name__}: {error}")
print("\\n".join(failed))
"""


def modules() -> list[str]:
    layers = ("bot/handlers", "bot/views", "bot/senders", "bot/pipeline", "bot/emulation")
    paths = [path for layer in layers for path in sorted((ROOT / layer).rglob("*.py"))]
    paths += [path for path in sorted((ROOT / "bot").glob("*.py")) if path.name != "__main__.py"]
    found = []
    for path in paths:
        relative = path.relative_to(ROOT).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        found.append(".".join(parts))
    return found


def test_every_module_imports_first():
    names = modules()
    assert "bot.senders.notices" in names and "bot.views.cards" in names
    result = subprocess.run(
        [sys.executable, "-c", CHECK, *names], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
