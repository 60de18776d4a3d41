"""One exception hierarchy. ``str(e)`` is the message a user acts on; the fields carry the data.

Each class says how the CLI exits for it (``exit_code``), so no caller has to guess from a name;
``where`` names the file:line, key or page, ``hint`` what to do, ``transcript`` the tail of the
command that failed (docker-py's errors carry their response the same way).
"""
from __future__ import annotations


class LivebenchError(Exception):
    """A failure the user can act on; ``str(e)`` names the file, key or command and what to do."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None,
                 transcript: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        self.transcript = transcript


class UsageError(LivebenchError):
    """The command line, the spec or a record cannot be used as given."""

    exit_code = 2


class SpecError(UsageError):
    """The spec file is missing, malformed or names something that does not exist."""


class RecordError(UsageError):
    """A results record or baseline is missing, unreadable or of another schema."""


class BuildError(LivebenchError):
    """A setup step or build failed, timed out, or left no artifact."""


class ElfError(LivebenchError):
    """A file could not be inspected as ELF."""


class ImageError(LivebenchError):
    """A base or image could not be built or measured."""


class ProbeError(LivebenchError):
    """A probe could not be run (not: the probed binary failed, which is a result)."""


class DirectiveError(LivebenchError):
    """A page directive names an unknown build, field or option, or one this run could not make.

    ``cause``: the key path of the record's failure that left it out (``images.NAME``), so the report
    names the problem under that failure instead of as one more failure."""

    def __init__(self, message: str, *, cause: str | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class ClaimSyntaxError(SpecError):
    """A claim that cannot be read (wrong subject, field, operator or value)."""


class PageError(LivebenchError):
    """A page cannot be published as rendered: a broken directive, a false claim, a failed record."""
