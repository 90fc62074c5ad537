"""The library as a notebook uses it: `import negotiate`, its exports, result objects, figures."""

import subprocess
import sys

import numpy as np
import pytest

import negotiate
from tests.conftest import FLAGSHIP


def test_every_public_name_resolves_and_is_listed():
    assert set(negotiate.__all__) - {"__version__"} == set(negotiate._EXPORTS)
    for name in negotiate.__all__:
        assert getattr(negotiate, name) is not None, name
    assert set(negotiate.__all__) <= set(dir(negotiate))
    with pytest.raises(AttributeError, match="no attribute 'solve_everything'"):
        negotiate.solve_everything  # noqa: B018


def test_version_is_the_distributions():
    from importlib.metadata import version

    assert negotiate.__version__ == version("negotiate-forecast")


def test_importing_negotiate_imports_nothing_heavy():
    code = ("import sys, negotiate; heavy = ('pymc', 'pytensor', 'scipy', 'nashpy', 'dask', 'pandas', 'matplotlib', "
            "'click', 'pydantic'); print([m for m in sys.modules if m.split('.')[0] in heavy])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_analysis_frame_flags_agree_with_the_gains():
    """The zone of agreement is the agreements strictly better than the threat point for both (its definition)."""
    analysis = negotiate.analyse(negotiate.load_scenario(FLAGSHIP))
    frame = analysis.to_frame()
    row, col = analysis.parties
    m, n = analysis.A.shape
    assert len(frame) == m * n
    assert list(frame.columns[:len(analysis.game.scenario.levers)]) == list(analysis.game.scenario.levers)
    better = (frame[f"gain_{row}"] > 0) & (frame[f"gain_{col}"] > 0)
    assert (frame["in_zone"] == better).all()
    # Pareto: no other agreement is at least as good for both and better for one
    u = frame[[f"payoff_{row}", f"payoff_{col}"]].to_numpy()
    dominated = [bool(((u >= p).all(axis=1) & (u > p).any(axis=1)).any()) for p in u]
    assert (frame["pareto"] == ~np.array(dominated)).all()
    nash = frame[frame["nash"]]
    assert len(nash) == 1
    gains = nash[[f"gain_{row}", f"gain_{col}"]].to_numpy()[0]
    assert np.prod(gains) == pytest.approx(frame.loc[frame["in_zone"], f"gain_{row}"].mul(
        frame.loc[frame["in_zone"], f"gain_{col}"]).max())  # equal powers on the flagship


def test_analysis_html_escapes_the_scenario(tmp_path):
    text = FLAGSHIP.read_text().replace("title:", 'title: "<script>x</script>"\nold_title:', 1)
    assert "old_title" in text
    text = "\n".join(line for line in text.splitlines() if not line.startswith("old_title"))
    path = tmp_path / "s.yaml"
    path.write_text(text.replace("../seeds/", str(FLAGSHIP.parent.parent / "seeds") + "/"))
    html = negotiate.analyse(negotiate.load_scenario(path))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "predicted terms" in html


def test_forecast_object(point_fits):
    f = negotiate.forecast(FLAGSHIP)
    d = f.to_dict()
    assert isinstance(f, negotiate.DealForecast)
    assert f.p_deal == d["p_deal"] and 0 < f.p_deal < 1 and f.model == "hazard"
    low, high = f.interval
    assert low <= f.p_model <= high
    path = f.to_frame()
    assert len(path) == len(d["path"]) and list(path["p_deal"]) == [p["p_deal"] for p in d["path"]]
    assert path["date"].is_monotonic_increasing
    d["p_deal"] = -1.0  # a copy: the object keeps its own
    assert f.p_deal != -1.0
    assert "P(deal)" in f._repr_html_() and f"{f.p_deal:.1%}" in repr(f)


def test_forecast_refuses_a_bad_date(point_fits):
    with pytest.raises(negotiate.NegotiateError, match="as_of: found '2025-02-30'"):
        negotiate.forecast(FLAGSHIP, as_of="2025-02-30")


def test_figures_never_switch_the_users_backend():
    code = ("import matplotlib; matplotlib.use('svg'); import negotiate\n"
            "f = negotiate.plot_reliability([{'bin': 0, 'mean_forecast': .2, 'observed': .3, 'count': 5}])\n"
            "import matplotlib.pyplot as plt\n"
            "print(matplotlib.get_backend(), type(f).__name__, plt.get_fignums())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["svg", "Figure", "[]"]


def test_figures_draw_into_the_axes_given():
    from matplotlib.figure import Figure

    analysis = negotiate.analyse(negotiate.load_scenario(FLAGSHIP))
    fig = Figure()
    ax = fig.subplots()
    assert negotiate.plot_frontier(analysis.to_dict(), ax=ax) is fig
    assert ax.has_data()


def test_analysis_frame_terms_are_each_agreements_terms():
    analysis = negotiate.analyse(negotiate.load_scenario(FLAGSHIP), fixed={"chips": "ease"})
    frame = analysis.to_frame()
    n = analysis.A.shape[1]
    levers = list(analysis.game.scenario.levers)
    assert [dict(zip(levers, row)) for row in frame[levers].itertuples(index=False)] == [
        analysis.game.terms(*divmod(k, n)) for k in range(analysis.A.size)]
