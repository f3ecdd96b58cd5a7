"""`python -m voc` is the `voc-ticker` command."""

import sys

from voc.cli import main

sys.exit(main())
