import html as htmllib
import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
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
    order = ["Question:", 'id="headline"', "Posterior uncertainty of the model", "What would move it",
             "Raise it most", "Lower it most", "How P(deal) moved", "Events that moved it most", "The game",
             "Equilibria", "Threat point", "Zone of possible agreement", "Predicted terms", "Robustness",
             "The zone of agreement and P(deal).", "Model diagnostics", "Provenance"]
    positions = [html.index(part) for part in order]
    assert positions == sorted(positions)


def test_change_since_previous_report(workspace):
    first = report(workspace, "a.html").read_text()
    assert "no previous report in the track record" in first
    again = report(workspace, "again.html").read_text()  # the same input is the same forecast, recorded once
    assert "no previous report in the track record" in again
    added = CliRunner().invoke(cli, ["evidence", "add", str(workspace / "s.yaml"), "--date", "2025-10-22", "--actor", "CN",
                                     "--target", "US", "--type", "consult", "--description", "talks", "--source", "x"])
    assert added.exit_code == 0, added.output
    second = report(workspace, "b.html").read_text()  # a new ledger: a new forecast, compared with the last one
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


def _pct(p):
    return f"{p:.0%}" if p >= 0.01 or p == 0 else f"{p:.1%}"


def _points(change):
    return f"{change * 100:+.1f}".replace("-", "−")


def forecast_data(workspace, *extra):
    """The report's content as JSON (the numbers the HTML and Markdown must show)."""
    return json.loads(report(workspace, "data.json", *extra).read_text())


def test_json_carries_the_forecast_with_and_without_prior(workspace):
    f = forecast_data(workspace)["forecast"]
    assert f["model"] == "hazard" and f["days_left"] == 7
    assert f["prior"]["deal_probability"] == 0.6 and f["prior"]["strength"] == 4
    assert f["p_with_prior"] == f["p_deal"] and f["p_model"] != f["p_deal"]
    assert f["prior"]["model_strength"] == 1000.0  # a one-draw fit has no spread: the model's largest pseudo-count
    assert f["p_deal"] == pytest.approx((f["p_model"] * 1000 + 0.6 * 4) / 1004)
    assert len(f["what_would_move"]) == 16 and f["p_tomorrow_without_events"] is not None


def test_html_headline_with_prior_and_model_alone(workspace):
    f = forecast_data(workspace)["forecast"]
    page = report(workspace, "r.html").read_text()
    assert ('<div class="headline" id="headline"><p class="q">P(deal by 2025-10-30)</p><div class="numbers">'
            f'<div><span class="p">{_pct(f["p_deal"])}</span><span class="label">with your prior (60%, strength 4)</span></div>'
            f'<div><span class="p">{_pct(f["p_model"])}</span><span class="label">model alone</span></div></div></div>') in page
    assert ("Pooled by pseudo-counts: your prior counts as 4 observations, the model&#x27;s P as 1000 "
            "(from its posterior spread).") in page
    # a one-draw fit has no posterior spread to show; the old "90% interval" wording is gone
    assert ('<p class="spread">Posterior uncertainty of the model&#x27;s P: none shown (the fit is a single parameter '
            "draw).</p>") in page
    assert "90% interval" not in page


def test_html_posterior_uncertainty_is_labelled_as_such(workspace):
    from negotiate.report.document import render_html

    data = forecast_data(workspace)
    data["provenance"]["fit_draws"] = 2000
    data["forecast"]["interval"] = [0.527, 0.888]
    page = render_html(data, {})
    assert ('<p class="spread">Posterior uncertainty of the model&#x27;s P (5–95% over parameter draws): '
            "53% to 89%.</p>") in page


def test_html_what_would_move_it(workspace):
    f = forecast_data(workspace)["forecast"]
    moves = f["what_would_move"]
    up = sorted((m for m in moves if m["change"] > 0), key=lambda m: -m["change"])[:3]
    down = sorted((m for m in moves if m["change"] < 0), key=lambda m: m["change"])[:3]
    assert len(up) == 3 and len(down) == 3
    page = report(workspace, "r.html").read_text()
    section = page[page.index('<h2 id="what-would-move">What would move it</h2>'):page.index("<h2>How P(deal) moved</h2>")]
    p1, p0 = f["p_tomorrow_without_events"], f["p_model"]
    assert (f"<p>With no news, the model&#x27;s P alone tomorrow (2025-10-24) would be {p1:.1%}, {_points(p1 - p0)} "
            f"points against today&#x27;s {p0:.1%} (a day less to the deadline, and the news a day older).") in section
    header = "<tr><th>event type</th><th>kind</th><th>P tomorrow</th><th>change</th></tr>"
    for caption, rows in (("Raise it most", up), ("Lower it most", down)):
        body = "".join(f'<tr><td>{m["type"]}</td><td>{m["direction"]}</td><td class="num">{m["p_deal"]:.1%}</td>'
                       f'<td class="num">{_points(m["change"])}</td></tr>' for m in rows)
        assert f"<table><caption>{caption}</caption>{header}{body}</table>" in section
    assert all(m["direction"] == "cooperative" for m in up) and all(m["direction"] == "conflictual" for m in down)


def test_markdown_headline_and_what_would_move_it(workspace):
    f = forecast_data(workspace)["forecast"]
    text = report(workspace, "r.md").read_text()
    assert (f"## P\\(deal by 2025-10-30\\): **{_pct(f['p_deal'])}** with your prior \\(60%, strength 4\\) · "
            f"**{_pct(f['p_model'])}** model alone\n") in text
    assert "*Posterior uncertainty of the model's P: none shown \\(the fit is a single parameter draw\\).*" in text
    assert "## What would move it" in text and "90% interval" not in text
    top = max(f["what_would_move"], key=lambda m: m["change"])
    bottom = min(f["what_would_move"], key=lambda m: m["change"])
    lines = text.splitlines()
    start = lines.index("## What would move it")
    assert lines.index("**Raise it most**") > start and lines.index("**Lower it most**") > lines.index("**Raise it most**")
    assert lines[lines.index("**Raise it most**") + 2:lines.index("**Raise it most**") + 5] == [
        "| event type | kind | P tomorrow | change |", "|---|---|---:|---:|",
        f"| {top['type']} | cooperative | {top['p_deal']:.1%} | {_points(top['change'])} |"]
    assert lines[lines.index("**Lower it most**") + 4] == (
        f"| {bottom['type']} | conflictual | {bottom['p_deal']:.1%} | {_points(bottom['change'])} |")
    assert lines.index("## How P(deal) moved") > lines.index("**Lower it most**")


def zopa_words(data):
    f, mc = data["forecast"], data["game"]["monte_carlo"]
    zone, p, alone = f"{mc['p_zopa_nonempty']:.0%}", _pct(f["p_deal"]), _pct(f["p_model"])
    return (f"The zone of agreement is non-empty in {zone} of payoff draws: under most guesses about the payoffs there "
            "is a deal that both sides prefer to their threat point, so there is something to agree on. "
            f"P(deal by 2025-10-30), {p} with your prior and {alone} from the model alone, answers a different "
            "question: whether a deal is announced by that date, given how negotiations like this one have gone day "
            "by day (the days left, the setting and the news). A zone of agreement is necessary for a deal but says "
            f"nothing about when it comes, so {zone} and {p} need not be close.")


def test_explains_zone_of_agreement_against_p_deal(workspace):
    data = forecast_data(workspace)
    mc = data["game"]["monte_carlo"]
    assert mc["draws"] == 300 and mc["p_zopa_nonempty"] > 0.5
    page = report(workspace, "r.html").read_text()
    paragraph = page[page.index('<p class="explain" id="zopa-and-p">'):]
    paragraph = paragraph[:paragraph.index("</p>")]
    assert htmllib.unescape(paragraph) == (
        '<p class="explain" id="zopa-and-p"><b>The zone of agreement and P(deal).</b> ' + zopa_words(data))
    assert f"non-empty in {mc['p_zopa_nonempty']:.0%} of draws" in page  # the robustness line just above it
    text = report(workspace, "r.md").read_text()
    md_words = zopa_words(data).replace("(", "\\(").replace(")", "\\)")
    assert f"**The zone of agreement and P(deal).** {md_words}" in text


def test_without_a_prior_only_the_model(workspace):
    scenario = workspace / "s.yaml"
    scenario.write_text(scenario.read_text().replace("prior: {deal_probability: 0.6, strength: 4}\n", ""))
    f = forecast_data(workspace)["forecast"]
    assert f["p_with_prior"] is None and f["p_deal"] == f["p_model"]
    page = report(workspace, "r.html").read_text()
    assert ('<div class="numbers"><div><span class="p">'
            f'{_pct(f["p_model"])}</span><span class="label">model alone</span></div></div>') in page
    assert "with your prior" not in page
    assert "The scenario gives no prior: this is the model&#x27;s P alone." in page
    assert f"P(deal by 2025-10-30), {_pct(f['p_deal'])}, answers a different question" in htmllib.unescape(page)


def test_v1_has_nothing_to_say_on_what_would_move_it(workspace):
    f = forecast_data(workspace, "--model", "v1")["forecast"]
    assert f["what_would_move"] == [] and f["p_tomorrow_without_events"] is None
    page = report(workspace, "r.html", "--model", "v1").read_text()
    assert "<p>Model v1 does not say what would move P; the default model, hazard, does.</p>" in page
    assert "Raise it most" not in page and '<span class="label">model alone</span>' not in page
    assert ('<span class="label">model v1 with your prior (60%, strength 4) in place of its base rate</span>') in page


def test_unknown_format(workspace):
    result = CliRunner().invoke(cli, ["report", str(workspace / "s.yaml"), "-o", str(workspace / "r.pdf")])
    assert result.exit_code == 1 and "unknown report format .pdf" in result.stderr


# ---------------------------------------------------------------- --sensitivity


def test_sensitivity_json_is_the_librarys_swings_and_dynamics(workspace):
    from negotiate.game.posture import PostureGame
    from negotiate.game.sensitivity import sensitivity
    from negotiate.scenario.schema import load_scenario

    figs = workspace / "figs"
    data = json.loads(report(workspace, "s.json", "--sensitivity", "--figures", str(figs)).read_text())
    sens = data["sensitivity"]
    assert sens.keys() == {"rule", "settings", "baseline", "inputs", "dynamics"}
    expected = sensitivity(PostureGame(load_scenario(workspace / "s.yaml")), samples=0)
    assert sens["inputs"] == expected["inputs"] and sens["baseline"] == expected["baseline"]
    assert sens["inputs"][0]["input"] == "levers.tariffs.options.keep_threat.US"
    solved = CliRunner().invoke(cli, ["solve", str(workspace / "s.yaml"), "--dynamics", "--json"])
    assert sens["dynamics"] == json.loads(solved.stdout)["dynamics"]  # the report's seed is solve's default, 7
    assert sorted(p.name for p in figs.iterdir()) == ["frontier.png", "path.png", "payoffs.png", "tornado.png"]
    assert (figs / "tornado.png").read_bytes()[:4] == b"\x89PNG"
    assert "sensitivity" not in forecast_data(workspace)


def test_sensitivity_section_in_html(workspace):
    page = report(workspace, "r.html", "--sensitivity").read_text()
    assert page.count('src="data:image/png;base64,') == 4 and '<figure id="fig-tornado">' in page
    order = ["The zone of agreement and P(deal).", '<h2 id="sensitivity">Which inputs decide the answer</h2>',
             '<figure id="fig-tornado">', "<caption>One-at-a-time swings</caption>",
             '<h3 id="dynamics">Where play drifts without a deal</h3>', "Model diagnostics"]
    positions = [page.index(part) for part in order]
    assert positions == sorted(positions)
    assert ("<tr><th>rank</th><th>input</th><th>low .. high</th><th>changes</th><th>gain US at low / high "
            "(central 4.20)</th><th>gain CN at low / high (central 5.70)</th></tr>"
            '<tr><td class="num">1</td><td>levers.tariffs.options.keep_threat.US</td><td>-0.60 .. 0.60</td>'
            '<td>terms, threat equilibrium</td><td class="num">1.50 / 3.60</td><td class="num">2.00 / 5.70</td></tr>') in page
    assert page.count('<tr><td class="num">') == 10  # the top ten swings
    assert "<p>11 more that move something (all in the JSON report), 17 inputs change nothing.</p>" in page
    assert ("<table><tr><th>start</th><th>fictitious play</th><th>replicator dynamics</th></tr>"
            "<tr><td>the status quo</td><td>#2 in 10 of 10</td><td>#2 in 10 of 10</td></tr>"
            "<tr><td>uniform play</td><td>#2 in 10 of 10</td><td>#2 in 10 of 10</td></tr></table>") in page
    assert ("Play drifts to equilibrium #2 most often from the status quo (20 of 20 runs): US: keep_threat + expand; "
            "CN: as_announced + boycott; payoffs US 0.50, CN -3.00.</p>") in page
    assert "Which inputs decide the answer" not in report(workspace, "plain.html").read_text()


def test_sensitivity_section_in_markdown(workspace):
    text = report(workspace, "r.md", "--sensitivity").read_text()
    assert "## Which inputs decide the answer\n" in text and "(r_figures/tornado.png)" in text
    assert (workspace / "r_figures" / "tornado.png").read_bytes()[:4] == b"\x89PNG"
    assert ("| rank | input | low .. high | changes | gain US at low / high \\(central 4.20\\) | "
            "gain CN at low / high \\(central 5.70\\) |\n|---:|---|---|---|---:|---:|\n"
            "| 1 | levers.tariffs.options.keep\\_threat.US | -0.60 .. 0.60 | terms, threat equilibrium | 1.50 / 3.60 | "
            "2.00 / 5.70 |\n") in text
    assert ("| start | fictitious play | replicator dynamics |\n|---|---|---|\n"
            "| the status quo | \\#2 in 10 of 10 | \\#2 in 10 of 10 |\n"
            "| uniform play | \\#2 in 10 of 10 | \\#2 in 10 of 10 |\n") in text


def test_sensitivity_section_escapes_user_strings(workspace):
    from negotiate.report.document import render_html, render_markdown

    data = json.loads(report(workspace, "s.json", "--sensitivity").read_text())
    escaped_html = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
    escaped_md = "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    before = render_html(data, {}).count(escaped_html), render_markdown(data, {}).count(escaped_md)  # the ledger's
    data["sensitivity"]["inputs"][0]["input"] = ATTACK
    data["sensitivity"]["dynamics"]["starts"]["status_quo"]["US"]["strategy"] = ATTACK
    data["game"]["equilibria"][1]["strategies"]["US"] = {ATTACK: 1.0}
    page = render_html(data, {})
    assert "<script" not in page and "<img src=x" not in page
    # the input, the status quo start, equilibrium #2 in the list and in the dynamics' verdict
    assert page.count(escaped_html) == before[0] + 4
    text = render_markdown(data, {})
    assert "<script" not in text and text.count(escaped_md) == before[1] + 4


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
