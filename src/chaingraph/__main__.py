"""``python -m chaingraph``: the same as the ``chaingraph`` command."""

import sys

from chaingraph.cli import main

sys.exit(main())
