"""The example notebook runs end to end in a fresh kernel (stored one-draw fits: no sampling here)."""

import shutil

import nbformat
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOK = ROOT / "docs" / "notebooks" / "flagship.ipynb"


def test_the_flagship_notebook_runs(tmp_path, point_fits):
    work = tmp_path / "docs" / "notebooks"
    work.mkdir(parents=True)
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copytree(ROOT / "seeds" / "us-china-kl-2025", tmp_path / "seeds" / "us-china-kl-2025")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if o.output_type == "execute_result" and "text/html" in o["data"]]
    assert any("predicted terms" in h for h in html)  # the analysis's summary
    assert any("P(deal)" in h for h in html)  # the forecast's summary
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2  # both charts shown inline
