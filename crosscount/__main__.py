"""`python -m crosscount`: the same as the `crosscount` command."""

from __future__ import annotations

from crosscount.cli import main

if __name__ == "__main__":
    main()
