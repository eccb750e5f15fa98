"""``python -m pact_build``: the same as the ``pact-plugin`` command."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
