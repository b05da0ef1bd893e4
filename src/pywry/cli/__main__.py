"""``python -m pywry.cli``: the ``pywry`` command."""

import sys

from . import main

sys.exit(main())
