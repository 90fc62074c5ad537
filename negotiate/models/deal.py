"""The deal model: P(deal by the deadline | events so far), learned from a reference class.

Log-odds of a deal by the deadline, as of day t (DESIGN section 6):

    eta(t) = base + sum over events i dated <= t of  w_i * beta[type_i] * 2 ** (-(t - date_i) / h)

``beta`` is partially pooled within each direction (cooperative, conflictual), non-centred:
``beta_k = mu[direction_k] + tau * z_k``; the half-life ``h`` (days) has a LogNormal prior. In the
reference fit ``base`` is one intercept; for a scenario it is ``logit(p0) + delta`` with the
strategist's prior. Training uses snapshots of every reference episode at fixed horizons before its
deadline (and before its resolution), each episode's snapshots weighted to count once, so that the
fit sees what a forecaster sees: the events so far and the outcome later.

Fitting imports PyMC lazily; prediction from stored draws is numpy only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from negotiate.errors import REMEDY_REFIT, NegotiateError
from negotiate.evidence.catalogue import BUILTIN
from negotiate.evidence.reference import Episode, hash_reference
from negotiate.fileio import replace_atomically
from negotiate.versions import package_versions

TYPES = tuple(t.name for t in BUILTIN)
DIRECTIONS = ("cooperative", "conflictual")
TYPE_DIRECTION = np.array([DIRECTIONS.index(t.direction) for t in BUILTIN])
STORE_FORMAT = 2  # 2: chains and sample stats kept


@dataclass(frozen=True)
class ModelConfig:
    """Priors and training design of the deal model (everything a fit depends on but data)."""

    horizons: tuple[int, ...] = (30, 14, 7, 3, 1)  # snapshot days before each reference deadline
    alpha_sd: float = 1.5  # reference intercept ~ Normal(0, alpha_sd)
    mu_sd: float = 1.0  # direction means of the event effects
    tau_sd: float = 0.5  # HalfNormal scale of the spread of effects within a direction
    half_life_median: float = 14.0  # days
    half_life_log_sd: float = 0.75


@dataclass(frozen=True)
class SamplerConfig:
    """How the posterior is sampled: PyMC's own NUTS (measured against the alternatives in the README)."""

    draws: int = 1000
    tune: int = 1000
    chains: int = 2
    target_accept: float = 0.9
    seed: int = 20251023


@dataclass
class Fit:
    """Posterior draws of a model's parameters, its sampler statistics, and what produced them.

    ``draws`` holds each parameter flat over chains, (chains * draws_per_chain, ...), chain after
    chain; ``stats`` holds the sampler's statistics per (chain, draw); ``meta["chains"]`` the number
    of chains, so the chain dimension can be restored (``negotiate.models.export.to_datatree``).
    """

    draws: dict[str, np.ndarray]
    diagnostics: dict
    key: str
    meta: dict = field(default_factory=dict)
    stats: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(next(iter(self.draws.values())))

    def save(self, directory: str | Path) -> Path:
        """Write ``<key>.npz`` atomically in ``directory`` and return its path."""
        directory = Path(directory)
        path = directory / f"{self.key}.npz"
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NegotiateError(f"{directory}: cannot store the fit there ({exc.strerror or exc}); expected a "
                                 "writable directory") from None
        payload = {f"draw_{k}": v for k, v in self.draws.items()}
        payload |= {f"stat_{k}": v for k, v in self.stats.items()}
        payload["meta"] = np.array(json.dumps({"diagnostics": self.diagnostics, "meta": self.meta,
                                               "format": STORE_FORMAT}))
        buffer = io.BytesIO()
        np.savez(buffer, **payload)  # type: ignore[arg-type]  # numpy's stub types the first keyword only
        try:
            replace_atomically(path, buffer.getvalue())
        except OSError as exc:  # a read-only file or directory, a link planted at the name, a full disk
            raise NegotiateError(f"{path}: cannot store the fit ({exc.strerror or exc})") from None
        return path

    @classmethod
    def load(cls, path: str | Path, expected: dict[str, tuple[int, ...]] | None = None) -> Fit:
        """Read a stored fit, checking everything before using it.

        The file's size and every array's header (dtype, shape) are checked before any array is read;
        then the meta (JSON: format, diagnostics, meta), and the draws: real numbers, all finite, the
        same number of draws (at least one) for every parameter, ``expected`` trailing shapes by name
        when given (see ``negotiate.models.variants.Variant.draw_shapes``).

        Raises
        ------
        NegotiateError
            Saying what is wrong, with the ``refit`` remedy (fitting again replaces the file).
        """
        path = Path(path)
        arrays = _read_npz(path)
        try:
            info = json.loads(str(arrays.pop("meta")[()]))
        except KeyError:
            raise _unusable(path, "no meta") from None
        except (ValueError, RecursionError, TypeError, IndexError):
            raise _unusable(path, "its meta is not the JSON negotiate writes") from None
        if not isinstance(info, dict) or info.get("format") != STORE_FORMAT:
            found = info.get("format") if isinstance(info, dict) else None
            raise _unusable(path, f"stored in format {found!r}; this negotiate reads format {STORE_FORMAT}")
        diagnostics, meta = info.get("diagnostics"), info.get("meta")
        if not isinstance(meta, dict) or not isinstance(diagnostics, dict):
            raise _unusable(path, "its meta lacks the diagnostics or the model's description")
        for name in ("max_rhat", "min_ess_bulk", "divergences"):
            value = diagnostics.get(name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
                raise _unusable(path, f"diagnostic {name} is {_short(value)}; expected a number")
        draws = {k[5:]: v for k, v in arrays.items() if k.startswith("draw_")}
        stats = {k[5:]: v for k, v in arrays.items() if k.startswith("stat_")}
        if not draws:
            raise _unusable(path, "no posterior draws")
        sizes = {name: (a.shape[0] if a.ndim else 0) for name, a in draws.items()}
        if len(set(sizes.values())) != 1 or min(sizes.values()) < 1:
            shown = ", ".join(f"{n} {k}" for n, k in sorted(sizes.items())[:6])
            raise _unusable(path, f"draws per parameter {shown}; expected the same number, at least one, for every parameter")
        for name, a in draws.items():
            if a.dtype.kind not in "iuf":
                raise _unusable(path, f"draws of {name} are of type {a.dtype}; expected real numbers")
            if not np.isfinite(a).all():
                raise _unusable(path, f"draws of {name} hold NaN or infinite values; expected finite numbers")
        for name, shape in (expected or {}).items():
            if name not in draws:
                raise _unusable(path, f"no draws of {name}, which this model needs")
            if draws[name].shape[1:] != tuple(shape):
                raise _unusable(path, f"draws of {name} have shape {draws[name].shape[1:]} each; expected {tuple(shape)}")
        for name, a in stats.items():
            if a.dtype.kind not in "biuf":
                raise _unusable(path, f"sampler statistic {name} is of type {a.dtype}; expected numbers")
        chains = meta.get("chains", 1)
        size = next(iter(sizes.values()))
        if isinstance(chains, bool) or not isinstance(chains, int) or chains < 1 or size % chains:
            raise _unusable(path, f"{size} draws do not split into {_short(chains)} chains")
        return cls(draws, diagnostics, path.stem, meta, stats)


# A stored fit is a few MB (2,000 draws of a few dozen parameters); past this it is not one.
MAX_FIT_BYTES = 256 * 2**20


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _unusable(path: Path, why: str, what: str = "unusable stored fit: ") -> NegotiateError:
    return NegotiateError(f"{path}: {what}{why}; fitting again replaces it").with_remedies(REMEDY_REFIT)


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` written by ``Fit.save``, each header checked before its data is read."""
    import zipfile

    try:
        size = path.stat().st_size
        if not path.is_file():
            raise _unusable(path, "not a file")
        if size > MAX_FIT_BYTES:
            raise _unusable(path, f"{size:,} bytes, more than the {MAX_FIT_BYTES:,} a stored fit may have")
        arrays: dict[str, np.ndarray] = {}
        total = 0
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                name = member.filename
                if not name.endswith(".npy") or not (name == "meta.npy" or name.startswith(("draw_", "stat_"))):
                    raise _unusable(path, f"unexpected member {_short(name)}")
                with archive.open(member) as handle:
                    version = np.lib.format.read_magic(handle)
                    if version == (1, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
                    elif version == (2, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
                    else:
                        raise _unusable(path, f"{name}: array format {version}")
                    if dtype.hasobject or dtype.kind not in ("biufcU" if name == "meta.npy" else "biufcUS"):
                        raise _unusable(path, f"{name}: arrays of type {dtype}; expected numbers")
                    count = math.prod(shape)
                    nbytes = count * dtype.itemsize
                    total += nbytes
                    if nbytes > member.file_size or total > MAX_FIT_BYTES:
                        raise _unusable(path, f"{name}: its header claims {count:,} values, more than the file holds")
                    data = handle.read(nbytes)
                    if len(data) != nbytes or handle.read(1):
                        raise _unusable(path, f"{name}: {len(data):,} bytes of data where its header says {nbytes:,}")
                arrays[name[:-4]] = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C").copy()
        return arrays
    except NegotiateError:
        raise
    except FileNotFoundError:
        raise _unusable(path, "not found") from None
    except (OSError, ValueError, EOFError, KeyError, NotImplementedError, RuntimeError, zipfile.BadZipFile,
            zipfile.LargeZipFile) as exc:
        raise _unusable(path, f"({_short(str(exc))[1:-1] or type(exc).__name__})", "unreadable stored fit ") from None


# ---------------------------------------------------------------- training data


@dataclass(frozen=True)
class Snapshots:
    """Training rows (episode snapshots) and the events each row sees, as flat arrays."""

    outcome: np.ndarray  # (rows,)
    row_weight: np.ndarray  # (rows,) 1 / snapshots of the episode
    pair_row: np.ndarray  # (pairs,) row of each (row, event) pair
    pair_type: np.ndarray  # (pairs,) type index
    pair_weight: np.ndarray  # (pairs,) event weight
    pair_age: np.ndarray  # (pairs,) days between the event and the snapshot
    episodes: int


def snapshots(episodes: list[Episode], horizons: tuple[int, ...]) -> Snapshots:
    """Snapshots of each episode ``horizon`` days before its deadline, before its resolution."""
    outcome: list[int] = []
    row_weight: list[float] = []
    pr: list[int] = []
    pt: list[int] = []
    pw: list[float] = []
    pa: list[int] = []
    used = 0
    for ep in episodes:
        times = sorted({ep.deadline - dt.timedelta(days=h) for h in horizons})
        times = [t for t in times if ep.start <= t < ep.resolved_on]  # before the outcome is known
        if not times:
            continue
        used += 1
        for t in times:
            row = len(outcome)
            outcome.append(ep.outcome)
            row_weight.append(1.0 / len(times))
            for e in ep.events:
                if e.date <= t and e.type in TYPES:
                    pr.append(row)
                    pt.append(TYPES.index(e.type))
                    pw.append(e.weight)
                    pa.append((t - e.date).days)
    if not outcome:
        raise NegotiateError("the reference class gives no snapshots before its deadlines; check its dates")
    return Snapshots(np.array(outcome), np.array(row_weight), np.array(pr, dtype=int), np.array(pt, dtype=int),
                     np.array(pw, float), np.array(pa, float), used)


# ---------------------------------------------------------------- keys and fitting


def _package_versions() -> dict[str, str]:
    return package_versions("negotiate", "pymc", "pytensor")


def fit_key(reference_dir: str | Path, model: dict, sampler: SamplerConfig) -> str:
    """Hash of everything a fit depends on: reference files, the model's description, sampler, versions."""
    h = hashlib.sha256()
    hash_reference(h, reference_dir)
    h.update(json.dumps([model, dataclasses.asdict(sampler), list(TYPES), STORE_FORMAT,
                         _package_versions()], sort_keys=True).encode())
    return h.hexdigest()[:20]


def fit(episodes: list[Episode], model: ModelConfig, sampler: SamplerConfig, key: str = "unkeyed",
        progress: bool = False, cores: int | None = None) -> Fit:
    """Sample the posterior of the deal model on a reference class with PyMC's NUTS.

    ``cores=1`` runs the chains one after the other (same draws), for use inside worker processes
    that may not start processes of their own.
    """
    from .compiledir import ensure_compiledir

    ensure_compiledir()  # before PyTensor is imported: it needs a writable compile directory
    import pymc as pm
    import pytensor.tensor as pt

    data = snapshots(episodes, model.horizons)
    rows = len(data.outcome)
    with pm.Model():
        alpha = pm.Normal("alpha", 0.0, model.alpha_sd)
        mu = pm.Normal("mu", 0.0, model.mu_sd, shape=2)
        tau = pm.HalfNormal("tau", model.tau_sd)
        z = pm.Normal("z", 0.0, 1.0, shape=len(TYPES))
        beta = pm.Deterministic("beta", mu[TYPE_DIRECTION] + tau * z)
        half_life = pm.LogNormal("half_life", math.log(model.half_life_median), model.half_life_log_sd)
        contrib = data.pair_weight * beta[data.pair_type] * pt.exp2(-data.pair_age / half_life)
        eta = alpha + pt.zeros(rows)[data.pair_row].inc(contrib) if len(data.pair_row) else alpha + pt.zeros(rows)
        # log sigmoid(x) = -softplus(-x), stable in both tails
        loglik = -(data.outcome * pt.softplus(-eta) + (1 - data.outcome) * pt.softplus(eta))
        pm.Potential("snapshot_likelihood", (data.row_weight * loglik).sum())
        start = time.perf_counter()
        idata = pm.sample(
            sampler.draws, tune=sampler.tune, chains=sampler.chains, cores=cores or min(sampler.chains, os.cpu_count() or 1),
            target_accept=sampler.target_accept, random_seed=sampler.seed, nuts_sampler="pymc",
            progressbar=progress, compute_convergence_checks=False,
            # forking a process that runs other threads can deadlock the child
            mp_ctx="forkserver" if threading.active_count() > 1 else None,
        )
        seconds = time.perf_counter() - start
    names = ("alpha", "beta", "mu", "tau", "half_life")
    draws, stats = flat_draws(idata, names)
    return Fit(draws, diagnostics(idata, names), key,
               {"seconds": seconds, "episodes": data.episodes, "snapshots": rows, "pairs": len(data.pair_row),
                "types": list(TYPES), "model": dataclasses.asdict(model), "sampler": dataclasses.asdict(sampler),
                "versions": _package_versions(), "chains": sampler.chains, "name": "v1"}, stats)


SAMPLE_STATS = ("diverging", "tree_depth", "energy", "step_size", "acceptance_rate", "lp", "n_steps")


def flat_draws(idata, names) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Posterior draws flattened over chains (chain after chain), and sampler statistics per (chain, draw)."""
    draws = {}
    for name in names:
        arr = np.asarray(idata.posterior[name])
        draws[name] = arr.reshape((-1,) + arr.shape[2:])
    stats = {name: np.asarray(idata.sample_stats[name]) for name in SAMPLE_STATS if name in idata.sample_stats}
    return draws, stats


def diagnostics(idata, names) -> dict:
    """Max R-hat, min bulk ESS over every parameter, and the number of divergences."""
    import arviz as az

    table = az.summary(idata, var_names=list(names), kind="diagnostics", round_to="none")
    divergences = int(np.asarray(idata.sample_stats["diverging"]).sum())
    return {"max_rhat": float(table["r_hat"].max()), "min_ess_bulk": float(table["ess_bulk"].min()),
            "divergences": divergences}


def diagnostics_ok(d: dict) -> list[str]:
    """What fails the thresholds R-hat <= 1.01, bulk ESS >= 400, no divergence."""
    failures = []
    if d["max_rhat"] > 1.01:
        failures.append(f"max R-hat {d['max_rhat']:.3f} > 1.01")
    if d["min_ess_bulk"] < 400:
        failures.append(f"min bulk ESS {d['min_ess_bulk']:.0f} < 400")
    if d["divergences"]:
        failures.append(f"{d['divergences']} divergent transitions")
    return failures


def point_fit(beta: dict[str, float], half_life: float, alpha: float = 0.0) -> Fit:
    """A one-draw 'fit' with fixed effects, for the closed-form oracle and what-if analysis."""
    b = np.array([[beta.get(t, 0.0) for t in TYPES]])
    return Fit({"alpha": np.array([alpha]), "beta": b, "mu": np.zeros((1, 2)), "tau": np.zeros(1),
                "half_life": np.array([float(half_life)])},
               {"max_rhat": 1.0, "min_ess_bulk": float("inf"), "divergences": 0}, "point", {"point": True})
