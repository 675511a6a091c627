"""The sidebar of every page: presenter mode and the device panel."""

import dataclasses
import time

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dlcore.runtime import devices
from ui.presenter import presenter_toggle

DEVICE_KEY = "device"
LAST_RUN_KEY = "last_run"


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """Where a model last ran in this browser session, for the device panel."""

    what: str
    device: str
    precision: str
    finished_at: str


def render_sidebar() -> DeltaGenerator:
    """Draw the sidebar: presenter mode and the device panel, which the page reads.

    Returns:
        The slot that holds the device status, for `render_device_status` to redraw
        once the page has run.
    """
    presenter_toggle()
    with st.sidebar.expander("Devices", icon=":material/memory:", expanded=True):
        _device_choice()
        status_slot = st.empty()
    render_device_status(status_slot)
    return status_slot


def render_device_status(status_slot: DeltaGenerator) -> None:
    """Draw (or redraw) placement, precision and where the last model ran into its slot.

    Drawn before the page, so it is there even if the page stops early, and again after
    it, so that a model the page just trained shows at once.
    """
    with status_slot.container():
        _device_status()


def requested_placement() -> str:
    """What the person chose in the sidebar: "auto", "cpu" or "gpu:N"."""
    return st.session_state.get(DEVICE_KEY, "auto")


def record_run(what: str, device: str, precision: str) -> None:
    """Remember where a model just ran (e.g. "CPU:0"), so that the device panel shows it."""
    st.session_state[LAST_RUN_KEY] = RunRecord(what, device, precision, time.strftime("%H:%M:%S"))


def _device_choice() -> None:
    versions = devices.library_versions()
    backend = devices.keras_backend()
    st.markdown(
        f"Keras **{versions['keras'] or 'not installed'}** on **{backend}** "
        f"{versions.get(backend) or '(not installed)'}"
    )
    hardware = devices.find_hardware()
    for device in hardware:
        st.markdown(f"- `{device.name}` {device.description}{_memory_text(device)}")
    gpu_choices = [device.name.lower() for device in hardware if device.kind == "GPU"]
    st.selectbox(
        "Run models on",
        ["auto", "cpu", *gpu_choices],
        key=DEVICE_KEY,
        bind="query-params",
        help='"auto" takes the first GPU when there is one, else the CPU.',
    )


def _device_status() -> None:
    backend = devices.keras_backend()
    started = devices.backend_started()
    placement = devices.resolve_placement(requested_placement(), start_backend=False)
    precision = devices.precision_policy(placement)
    st.markdown(
        f"Placement: **{placement.device}**"
        + ("" if started else " (expected; TensorFlow starts on the first page that trains)")
    )
    st.markdown(
        "Mixed precision: "
        + ("**on** (float16 compute on the GPU)" if precision != "float32" else "**off** (float32)")
    )
    if placement.note:
        st.warning(placement.note, icon=":material/warning:")
    if started:
        for gpu in devices.unusable_gpus():
            st.warning(
                f"{gpu.name} ({gpu.description}) is here but {backend} cannot use it: "
                "see the README's GPU section.",
                icon=":material/warning:",
            )
    last_run = st.session_state.get(LAST_RUN_KEY)
    if last_run is None:
        st.caption("No model has run in this session yet.")
    else:
        st.markdown(
            f"Last model: **{last_run.what}** on **{last_run.device}** "
            f"({last_run.precision}, {last_run.finished_at})"
        )


def _memory_text(device: devices.Device) -> str:
    if device.memory_bytes is None:
        return ""
    return f", {device.memory_bytes / 2**30:.1f} GiB"
