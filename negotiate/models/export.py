"""Stored fits as ArviZ data: the posterior with its chain dimension and the sampler's statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from negotiate.errors import REMEDY_OVERWRITE, NegotiateError
from negotiate.scenario.schema import DEADLINE_KINDS, DOMAINS

from .deal import TYPES as V1_TYPES
from .deal import Fit
from .hazard import BUCKET_NAMES, TYPES, HazardConfig, pointwise_log_likelihood

# Labels of the parameters' dimensions, so that the exported posterior reads by name.
LABELS = {"clock": ("bucket",), "domain_effect": ("domain",), "kind_effect": ("deadline_kind",),
          "type_score": ("event_type",), "beta": ("event_type",), "mu": ("direction",)}
COORDS = {"bucket": BUCKET_NAMES, "domain": DOMAINS, "deadline_kind": DEADLINE_KINDS, "event_type": TYPES,
          "direction": ("cooperative", "conflictual")}
assert TYPES == V1_TYPES  # both models label effects by the built-in catalogue


def to_datatree(fit: Fit, episodes=None):
    """The fit as an ArviZ DataTree with ``posterior`` (chain, draw, ...) and ``sample_stats`` groups.

    Given the reference ``episodes`` it was fitted on, a hazard fit also gets ``log_likelihood``
    and ``observed_data`` groups (one value per training day), so that ``arviz.loo`` works on it.
    """
    import arviz as az

    chains = int(fit.meta.get("chains") or 1)
    if fit.size % chains:
        raise NegotiateError(f"fit {fit.key}: {fit.size} draws do not split into {chains} chains")
    per_chain = fit.size // chains
    posterior = {name: arr.reshape((chains, per_chain) + arr.shape[1:]) for name, arr in fit.draws.items()}
    stats = {name: np.asarray(arr) for name, arr in fit.stats.items()}
    dims = {name: list(d) for name, d in LABELS.items() if name in posterior}
    coords = {dim: list(values) for name in dims for dim, values in COORDS.items() if dim in dims[name]}
    groups = {"posterior": posterior} | ({"sample_stats": stats} if stats else {})
    hazard = (fit.meta.get("model") or {}).get("config", {})
    if episodes is not None and "half_life" in hazard:
        config = HazardConfig(**hazard)
        loglik, y = pointwise_log_likelihood(fit.draws, config, episodes)
        groups |= {"log_likelihood": {"deal_days": loglik.reshape(chains, per_chain, -1)},
                   "observed_data": {"deal_days": y}}
        dims |= {"deal_days": ["row"]}
    return az.from_dict(groups, dims=dims, coords=coords)


def export_fit(fit: Fit, path: str | Path, overwrite: bool = False, episodes=None) -> Path:
    """Write the fit to ``path`` as NetCDF (h5netcdf); refuses to replace a file unless ``overwrite``.

    ``episodes``: the reference class it was fitted on, to include the pointwise log-likelihood.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise NegotiateError(f"{path}: file exists; expected a new path").with_remedies(REMEDY_OVERWRITE)
    if not path.parent.exists():
        raise NegotiateError(f"{path}: directory {path.parent} does not exist; expected an existing directory")
    tree = to_datatree(fit, episodes)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tree.to_netcdf(tmp, engine="h5netcdf")
        tmp.replace(path)
    except OSError as exc:
        raise NegotiateError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path
