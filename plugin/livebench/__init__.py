"""mkdocs-livebench: live, self-verifying numbers for technical articles."""
from __future__ import annotations

__version__ = "0.1.0"
