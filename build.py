"""Entry point: `python build.py COMMAND` is the same as the `gongshi` console script."""
from generator.cli import main

if __name__ == "__main__":
    main()
