"""``python -m optviz``: see `optviz.cli`."""

import sys

from optviz.cli import main

sys.exit(main())
