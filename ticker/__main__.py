"""`python -m ticker` is the `voc-ticker` command."""

import sys

from ticker.cli import main

sys.exit(main())
