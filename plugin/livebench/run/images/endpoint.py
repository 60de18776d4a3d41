"""Which Docker engine a run talks to, as the docker CLI decides it: ``DOCKER_HOST``, else the CLI's
current context (``DOCKER_CONTEXT``, else ``currentContext`` in ``~/.docker/config.json``), else the
local socket. Read from the CLI's files without importing docker-py (a warm build's fingerprint asks
too, and docker-py costs ~0.2 s); docker-py's ``ContextAPI`` reads the same files.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

DEFAULT_HOST = "unix:///var/run/docker.sock"


def endpoint() -> tuple[str, str]:
    """(host URL, where it came from: "DOCKER_HOST", "docker context NAME" or "default")."""
    host = os.environ.get("DOCKER_HOST")
    if host:
        return host, "DOCKER_HOST"
    config_dir = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    name = os.environ.get("DOCKER_CONTEXT") or _read(config_dir / "config.json").get("currentContext")
    if name and name != "default":
        meta = _read(config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest() / "meta.json")
        ctx_host = ((meta.get("Endpoints") or {}).get("docker") or {}).get("Host")
        if isinstance(ctx_host, str) and ctx_host:
            return ctx_host, f"docker context {name}"
    return DEFAULT_HOST, "default"


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
