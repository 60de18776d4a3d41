"""The plugin's options in mkdocs.yml (``plugins: - livebench: {...}``)."""
from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class LivebenchConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Run builds and expand directives. The demo site writes `!ENV [LIVEBENCH_ENABLED, true]`."""

    spec = c.Type(str, default="benchmarks/livebench.yml")
    """The spec file, relative to the folder of mkdocs.yml."""

    cache_dir = c.Type(str, default=".livebench-cache")
    """Where build artifacts, transcripts and the last record are kept (relative to mkdocs.yml)."""

    jobs = c.Type(int, default=0)
    """How many builds run at once; 0 means one per CPU."""

    backend = c.Choice(("auto", "docker", "embedded"), default="auto")
    """Image backend: the Docker engine, the daemonless OCI writer, or docker when it answers a ping."""

    on_failure = c.Choice(("fail", "warn"), default="fail")
    """`fail`: a failed build, probe or directive fails the site build once, listing every failure.
    `warn`: pages show a warning box at that spot and the build logs warnings (`--strict` still fails)."""

    refresh = c.Type(bool, default=False)
    """Ignore the cache and run everything again (the env var LIVEBENCH_REFRESH=1 does the same)."""

    results_path = c.Type(str, default="livebench/results.json")
    """Where the results record is written inside site_dir."""

    frozen = c.Type(str, default="")
    """Build from this committed results record (relative to mkdocs.yml) and run nothing: for machines
    without toolchains or Docker. Empty: live (the env var LIVEBENCH_FROZEN sets it too). Pages with
    directives then say when and where their numbers were measured."""
