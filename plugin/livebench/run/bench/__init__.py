"""The benchmark stage: how fast the builds run, interleaved, with every sample kept."""
