"""Stored fits: whatever is in ``<key>.npz``, loading it gives a fit that predicts or a clean error that
offers to fit again; nothing is read before its size is known."""

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negotiate.errors import NegotiateError
from negotiate.evidence.reference import DEFAULT_REFERENCE
from negotiate.models.deal import STORE_FORMAT, Fit, SamplerConfig, fit_key
from negotiate.models.update import fitted
from negotiate.models.variants import variant
from tests.conftest import store_point_fits
from tests.hostile.conftest import run


def fit_path(directory, model="hazard"):
    return directory / f"{fit_key(DEFAULT_REFERENCE, variant(model).config_dict(), SamplerConfig())}.npz"


@pytest.fixture
def fits(tmp_path, monkeypatch):
    directory = store_point_fits(tmp_path / "fits")
    monkeypatch.setenv("NEGOTIATE_FITS", str(directory))
    return directory


def members(path) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def rewrite(path, payload: dict) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **payload)
    path.write_bytes(buffer.getvalue())


def meta_of(payload) -> dict:
    return json.loads(str(payload["meta"]))


def expect_refit(fits, model="hazard", match="stored fit"):
    with pytest.raises(NegotiateError, match=match) as info:
        fitted(fit_dir=fits, model=model)
    assert "refit" in info.value.remedies
    return str(info.value)


def test_the_point_fits_load(fits):
    for model in ("hazard", "hazard-clock", "v1"):
        assert fitted(fit_dir=fits, model=model).reused


def test_a_truncated_fit_offers_to_refit(fits, workspace):
    path = fit_path(fits)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    expect_refit(fits)
    result = run("update", workspace / "s.yaml", "--no-record")
    assert result.exit_code == 1 and "--refit" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("change", ["no diagnostics", "meta a list", "deep meta", "other format", "diagnostics text",
                                    "meta not text", "chains do not divide"])
def test_bad_meta_offers_to_refit(fits, change):
    path = fit_path(fits)
    payload = members(path)
    info = meta_of(payload)
    if change == "no diagnostics":
        del info["diagnostics"]
    elif change == "meta a list":
        info = [info]
    elif change == "deep meta":
        info = None
    elif change == "other format":
        info["format"] = STORE_FORMAT + 1
    elif change == "diagnostics text":
        info["diagnostics"]["max_rhat"] = "fine"
    elif change == "chains do not divide":
        info["meta"]["chains"] = 7
    if change == "deep meta":
        payload["meta"] = np.array("[" * 100_000 + "]" * 100_000)
    elif change == "meta not text":
        payload["meta"] = np.arange(3.0)
    else:
        payload["meta"] = np.array(json.dumps(info))
    rewrite(path, payload)
    expect_refit(fits)


@pytest.mark.parametrize("change", ["wrong shape", "empty", "complex", "strings", "all nan", "infinite", "missing",
                                    "uneven draws"])
def test_bad_draws_offer_to_refit(fits, change):
    path = fit_path(fits)
    payload = members(path)
    clock = payload["draw_clock"]
    if change == "wrong shape":
        payload["draw_clock"] = clock[:, :3]
    elif change == "empty":
        payload = {k: (v[:0] if k.startswith("draw_") else v) for k, v in payload.items()}
    elif change == "complex":
        payload["draw_clock"] = clock.astype(complex)
    elif change == "strings":
        payload["draw_clock"] = clock.astype(str)
    elif change == "all nan":
        payload = {k: (np.full_like(v, np.nan, dtype=float) if k.startswith("draw_") else v) for k, v in payload.items()}
    elif change == "infinite":
        payload["draw_b_tone"] = np.array([np.inf])
    elif change == "missing":
        del payload["draw_clock"]
    elif change == "uneven draws":
        payload["draw_b_tone"] = np.array([0.1, 0.2])
    rewrite(path, payload)
    expect_refit(fits)


def test_a_header_claiming_a_trillion_floats_is_refused_before_reading(fits):
    path = fit_path(fits)
    payload = members(path)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in payload.items():
            if name != "draw_b_tone":
                buffer = io.BytesIO()
                np.save(buffer, value)
                archive.writestr(f"{name}.npy", buffer.getvalue())
        archive.writestr("draw_b_tone.npy", b"\x93NUMPY\x01\x00" + header.getvalue()[8:] + b"\0" * 64)
    expect_refit(fits)


def test_a_fits_directory_that_is_a_file_is_a_clean_error_before_fitting(tmp_path, workspace, monkeypatch):
    (tmp_path / "fits-file").write_text("not a directory")
    monkeypatch.setenv("NEGOTIATE_FITS", str(tmp_path / "fits-file"))
    with pytest.raises(NegotiateError, match="not a directory"):
        fitted(model="hazard")
    result = run("update", workspace / "s.yaml", "--no-record")
    assert result.exit_code == 1 and "fits-file" in result.stderr and "Traceback" not in result.output


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_stored_fits_load_or_refuse_cleanly(fits, data):
    """Bytes cut, flipped or inserted anywhere in a stored fit: a usable fit or a NegotiateError, nothing else."""
    path = fit_path(fits, data.draw(st.sampled_from(["hazard", "v1"]), label="model"))
    original = path.read_bytes()
    try:
        raw = bytearray(original)
        for _ in range(data.draw(st.integers(1, 4), label="edits")):
            at = data.draw(st.integers(0, len(raw)), label="at")
            kind = data.draw(st.sampled_from(["flip", "cut", "insert", "truncate"]), label="kind")
            if kind == "flip" and at < len(raw):
                raw[at] ^= data.draw(st.integers(1, 255), label="mask")
            elif kind == "cut":
                del raw[at:at + data.draw(st.integers(1, 64), label="length")]
            elif kind == "insert":
                raw[at:at] = data.draw(st.binary(min_size=1, max_size=32), label="bytes")
            else:
                del raw[at:]
        path.write_bytes(bytes(raw))
        try:
            fit = Fit.load(path)
        except NegotiateError:
            return
        assert fit.size >= 1 and all(np.isfinite(v).all() for v in fit.draws.values())
    finally:
        path.write_bytes(original)
