"""``python -m livebench.cli``: the same as the ``livebench`` command."""
import sys

from . import main

sys.exit(main())
