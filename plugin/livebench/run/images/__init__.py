"""Container images around built binaries.

``bases`` makes each base a deterministic layer offline; ``assemble`` adds a build's files on top
(base + addenda) and writes the OCI layout; ``engine`` (the only module that imports docker-py)
loads the same bytes into a Docker engine when there is one; ``dockerfile`` is the other source of
an image; ``stage`` is the run's image stage; ``model`` holds what they produce.
"""
