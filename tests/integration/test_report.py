import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import FLAGSHIP, ROOT, store_point_fits

ATTACK = "<script>alert(1)</script><img src=x onerror=alert(2)>"
DETECTABLE = "<script>document.title='pwned'</script><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
ARTEFACTS = ROOT / "test-artifacts"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """The flagship with hostile strings in its ledger and title, and a stored fixed-effects fit."""
    monkeypatch.setenv("NEGOTIATE_FITS", str(store_point_fits(tmp_path / "fits")))
    text = FLAGSHIP.read_text().replace("evidence: ../seeds/us-china-kl-2025/events.csv", "evidence: events.csv")
    text = text.replace("title: US–China trade talks, Kuala Lumpur, October 2025", "title: " + json.dumps("Talks " + DETECTABLE))
    (tmp_path / "s.yaml").write_text(text)
    shutil.copy(ROOT / "seeds" / "us-china-kl-2025" / "events.csv", tmp_path / "events.csv")
    for k, (desc, source) in enumerate([(ATTACK, "javascript:alert(3)"), (DETECTABLE, "https://example.org/ok")]):
        result = CliRunner().invoke(cli, ["evidence", "add", str(tmp_path / "s.yaml"), "--date", f"2025-10-2{k}",
                                          "--actor", "US", "--target", "CN", "--type", "threaten",
                                          "--description", desc, "--source", source])
        assert result.exit_code == 0, result.output
    return tmp_path


def report(workspace, name, *extra):
    out = workspace / name
    result = CliRunner().invoke(cli, ["report", str(workspace / "s.yaml"), "-o", str(out), "--draws", "300", *extra])
    assert result.exit_code == 0, result.output
    return out


def test_html_escapes_every_user_string(workspace):
    html = report(workspace, "r.html").read_text()
    assert "<script" not in html and "<img src=x" not in html  # the hostile tags only ever appear escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert 'href="javascript' not in html and "javascript:alert(3)" in html  # shown as text, not a link
    assert '<a href="https://example.org/ok" rel="noopener noreferrer">' in html
    assert "http://" not in html.split("<body>")[0] and "https://" not in html.split("<body>")[0]  # nothing fetched
    assert html.count('src="data:image/png;base64,') == 3


def test_report_sections_in_order(workspace):
    html = report(workspace, "r.html").read_text()
    order = ["Question:", 'id="headline"', "How P(deal) moved", "Events that moved it most", "The game",
             "Equilibria", "Threat point", "Zone of possible agreement", "Predicted terms", "Robustness",
             "Model diagnostics", "Provenance"]
    positions = [html.index(part) for part in order]
    assert positions == sorted(positions)


def test_change_since_previous_report(workspace):
    first = report(workspace, "a.html").read_text()
    assert "no previous report in the track record" in first
    second = report(workspace, "b.html").read_text()
    assert "points since the previous report" in second


def test_markdown_with_figures_beside_and_json(workspace):
    md = report(workspace, "r.md").read_text()
    assert "![" in md and "(r_figures/path.png)" in md
    assert (workspace / "r_figures" / "frontier.png").read_bytes()[:4] == b"\x89PNG"
    assert "<script" not in md and "&lt;script&gt;" in md
    data = json.loads(report(workspace, "r.json", "--figures", str(workspace / "figs")).read_text())
    assert {"scenario", "forecast", "game", "diagnostics", "provenance"} <= data.keys()
    assert len(data["provenance"]["scenario_sha256"]) == 64
    assert sorted(p.name for p in (workspace / "figs").iterdir()) == ["frontier.png", "path.png", "payoffs.png"]


def test_unknown_format(workspace):
    result = CliRunner().invoke(cli, ["report", str(workspace / "s.yaml"), "-o", str(workspace / "r.pdf")])
    assert result.exit_code == 1 and "unknown report format .pdf" in result.stderr


def _chromium():
    found = shutil.which("chromium")
    if os.environ.get("CI"):
        assert found, ".ci/run installs Debian's chromium"
    return found


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_report_in_headless_chromium_runs_no_script(workspace):
    chromium = _chromium()
    if not chromium:
        pytest.skip("chromium is not installed here (CI installs it)")
    page = report(workspace, "r.html")
    profile = workspace / "chromium-profile"
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=2000",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert 'id="headline"' in dom and "P(deal by 2025-10-30)" in dom
    assert dom.count("data:image/png;base64,") == 3
    assert "data-pwned" not in dom.split("<body")[1].split(">")[0]  # the onerror handler never ran
    assert "<title>pwned</title>" not in dom  # nor the script
    assert "<script" not in dom
    ARTEFACTS.mkdir(exist_ok=True)
    shot = ARTEFACTS / "report.png"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1100,2400",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    assert shot.stat().st_size > 50_000  # a rendered page with charts, not a blank one
