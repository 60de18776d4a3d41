"""③ The one JSON record: assembled from a run, stored, frozen, reused warm, with provenance."""
