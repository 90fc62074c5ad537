"""``python -m negotiate``: the `negotiate` command, whichever package owns that script on PATH.

The program's entry, not part of the library: nothing imports it, and it is the one module of
negotiate allowed to reach up into the cli package (pyproject.toml's import-linter contract names it).
"""

if __name__ == "__main__":
    from negotiate.cli.main import main

    main()
