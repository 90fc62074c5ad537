"""The click application behind the `negotiate` command."""
