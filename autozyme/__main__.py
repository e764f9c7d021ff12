import sys

from autozyme.cli import main

sys.exit(main())
