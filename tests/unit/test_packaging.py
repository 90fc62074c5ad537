from pathlib import Path

import cli
import models
import negotiate


def test_models_and_cli_are_this_projects_packages():
    """Guards against another distribution's top-level `models` or `cli` shadowing ours."""
    root = Path(negotiate.__file__).resolve().parent.parent
    assert Path(models.__file__).resolve().parent.parent == root
    assert Path(cli.__file__).resolve().parent.parent == root
    from cli.main import cli as group

    assert group.name == "cli" and "solve" in group.commands
