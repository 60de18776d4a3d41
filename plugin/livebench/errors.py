"""One exception hierarchy: every user-facing failure is a LivebenchError whose str() is the message."""
from __future__ import annotations


class LivebenchError(Exception):
    """A failure the user can act on; ``str(e)`` names the file, key or command and what to do."""


class SpecError(LivebenchError):
    """The spec file is missing, malformed or names something that does not exist."""


class BuildError(LivebenchError):
    """A setup step or build failed, timed out, or left no artifact."""


class ElfError(LivebenchError):
    """A file could not be inspected as ELF."""


class ImageError(LivebenchError):
    """A base or image could not be built or measured."""


class ProbeError(LivebenchError):
    """A probe could not be run (not: the probed binary failed, which is a result)."""


class DirectiveError(LivebenchError):
    """A page directive names an unknown build, field or option."""
