"""The `source` block: a file of the project shown as the builds compiled it, not typed in a second time.

```livebench
source: benchmarks/hello-c/hello.c
build: [hello-c-gnu, hello-c-musl]     # the builds that compiled it: it must be one of their inputs
lines: 3-6                             # optional: a line range; or between: [START MARKER, END MARKER]
lang: c                                # optional: by default from the file's extension
```

It becomes a fenced code block, so the site's own highlighter colours it (the MkDocs plugin has it
converted once and kept with the page, see markdown/highlight.py), under a caption naming the builds. The file must be one of each named build's declared
inputs, and its content must be what those builds hashed (``record.builds.NAME.inputs``): a file
edited since the run, or read from a frozen record of another checkout, is an error, not a page
that shows other code than what was built.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from ..errors import DirectiveError
from .html import esc
from .labels import label
from .options import names as option_names

OPTIONS = {"build", "lines", "between", "lang"}
LANGS = {".c": "c", ".h": "c", ".rs": "rust", ".toml": "toml", ".py": "python", ".sh": "bash", ".go": "go",
         ".yml": "yaml", ".yaml": "yaml", ".json": "json", ".cpp": "cpp", ".cc": "cpp", ".zig": "zig"}


def source_block(opts: dict[str, Any], record: dict, lang: str, root: Path | None,
                 read: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """(caption HTML, the lines of a fenced code block) for one `source` block; ``read`` gains the file's
    path and digest (a page kept between builds is only reused while its files are unchanged)."""
    rel = opts.get("source")
    if not isinstance(rel, str) or not rel:
        raise DirectiveError("'source' takes the file's path, relative to the project root")
    extra = set(opts) - {"source"} - OPTIONS
    if extra:
        raise DirectiveError(f"unknown option(s) {', '.join(sorted(map(str, extra)))} for 'source'. "
                             f"Allowed: {', '.join(sorted(OPTIONS))}")
    if "build" not in opts:
        raise DirectiveError(f"'source: {rel}' needs 'build': the build(s) that compiled it")
    builds = option_names(opts, "build", "source")
    if root is None:
        raise DirectiveError("'source' blocks need the project's files: render the page through the plugin")
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise DirectiveError(f"'source: {rel}': no such file in the project")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    for name in builds:
        b = (record.get("builds") or {}).get(name)
        if b is None:
            known = ", ".join(sorted(record.get("builds") or {})) or "none"
            raise DirectiveError(f"'source: {rel}': unknown build '{name}'. Known: {known}")
        inputs = b.get("inputs")
        if inputs is None:
            raise DirectiveError(f"'source: {rel}': the record does not list build '{name}''s inputs "
                                 f"(written by an older livebench): run again")
        if rel not in inputs:
            raise DirectiveError(f"'source: {rel}' is not an input of build '{name}' (its inputs: "
                                 f"{', '.join(sorted(inputs)) or 'none'}); declare it under builds.{name}.inputs")
        if inputs[rel] != digest:
            raise DirectiveError(f"'source: {rel}' changed since build '{name}' ran: the page would show other "
                                 f"code than what was built. Run again (`livebench run`) or restore the file")
    if read is not None:
        read[rel] = digest
    text = data.decode("utf-8", errors="replace")
    lines = _select(text.splitlines(), opts, rel)
    language = str(opts.get("lang") or LANGS.get(path.suffix.lower(), "text"))
    if not re.fullmatch(r"[A-Za-z0-9_+#.-]+", language):
        raise DirectiveError(f"'lang: {language}' is not a language name")
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    caption = label(lang, "source_caption", path="\x00", builds=", ".join(builds), digest=digest[:12])
    caption_html = ('<p class="lb-source__caption">'
                    + esc(caption).replace("\x00", f"<code>{esc(rel)}</code>") + "</p>")
    return caption_html, [f"{fence}{language}", *lines, fence]


def _select(lines: list[str], opts: dict[str, Any], rel: str) -> list[str]:
    if "lines" in opts and "between" in opts:
        raise DirectiveError("give 'lines' or 'between', not both")
    if "lines" in opts:
        m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", str(opts["lines"]))
        if not m or not 1 <= int(m.group(1)) <= int(m.group(2)) <= len(lines):
            raise DirectiveError(f"'lines: {opts['lines']}': write FIRST-LAST within 1-{len(lines)} of {rel}")
        return lines[int(m.group(1)) - 1:int(m.group(2))]
    if "between" in opts:
        marks = opts["between"]
        if not (isinstance(marks, list) and len(marks) == 2 and all(isinstance(x, str) and x for x in marks)):
            raise DirectiveError("'between' takes two marker strings: [START, END]")
        start = next((i for i, line in enumerate(lines) if marks[0] in line), None)
        end = next((i for i, line in enumerate(lines) if marks[1] in line and start is not None and i > start), None)
        if start is None or end is None:
            raise DirectiveError(f"'between': {rel} has no line with {marks[0]!r} followed by one with {marks[1]!r}")
        return lines[start + 1:end]
    return lines
