"""`python -m assistant ...`: the same command as `assistant ...` (see cli/)."""

import sys

from cli.main import main

sys.exit(main())
