"""``python -m servicebp``: the command-line interface."""

from servicebp.cli import main

if __name__ == "__main__":
    main()
