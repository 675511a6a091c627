"""Device check: train a small model on the chosen device and see where it ran and how fast."""

import streamlit as st

from ui.presenter import explain, show_figure
from ui.settings import PageSettings
from ui.sidebar import record_run, requested_placement

settings = PageSettings("check")

st.title("Device check")
explain(
    "Trains a small network (2 → 32 → 16 → 1) on 2,048 two-moons points on the device "
    "chosen in the sidebar, and reports where it really ran. Run it before a talk to see "
    "that the GPU is used. **Mirror over every device** trains one copy per device with "
    "`tf.distribute` (MirroredStrategy on two or more GPUs, MultiWorkerMirroredStrategy "
    "when `TF_CONFIG` describes a cluster); with one device it is the default strategy."
)

epochs = st.slider("Epochs", 1, 30, 5, **settings.bind("epochs"))
mirrored = st.toggle("Mirror over every device", **settings.bind("mirrored"))

if st.button("Run the check", type="primary"):
    from dlcore.runtime import devices
    from dlcore.runtime.device_check import run_device_check

    progress = st.progress(0.0, text="Starting TensorFlow…")
    try:
        result = run_device_check(
            requested_placement(),
            strategy=devices.distribution_strategy() if mirrored else None,
            epochs=epochs,
            on_epoch_end=lambda epoch, loss: progress.progress(
                (epoch + 1) / epochs, text=f"Epoch {epoch + 1}/{epochs}: loss {loss:.3f}"
            ),
        )
    except ValueError as error:
        progress.empty()
        st.error(str(error), icon=":material/error:")
    else:
        record_run("Device check", result.device, result.precision)
        st.session_state["check_result"] = result

result = st.session_state.get("check_result")
if result is not None:
    if result.note:
        st.warning(result.note, icon=":material/warning:")
    columns = st.columns(4)
    columns[0].metric("Ran on", result.device)
    columns[1].metric("Devices in step", result.replicas)
    columns[2].metric("Samples per second", f"{result.samples_per_second:,.0f}")
    columns[3].metric("Accuracy", f"{result.accuracy:.1%}")
    st.caption(
        f"{result.epochs} epochs in {result.seconds:.2f} s, precision {result.precision}; "
        f"loss {result.losses[0]:.3f} → {result.losses[-1]:.3f}."
    )

st.subheader("CPU against GPU")
explain(
    "The same model, data, starting weights and batches, trained on the CPU, on every GPU "
    "and, with two or more GPUs, mirrored over all of them. On a GPU it trains in mixed "
    "precision (float16 arithmetic, float32 weights), which tensor cores speed up. A model "
    "this small is too little work to keep a GPU busy: a CNN on images gains many times "
    "more than it does."
)
if st.button("Compare every device", key="check.compare"):
    from dlcore.runtime.device_check import compare_devices

    progress = st.progress(0.0, text="Starting TensorFlow…")
    st.session_state["check_comparison"] = compare_devices(
        epochs=epochs,
        on_run=lambda index, n_runs, label: progress.progress(
            index / n_runs, text=f"Training on {label} ({index + 1} of {n_runs})…"
        ),
    )
    progress.empty()

comparison = st.session_state.get("check_comparison")
if comparison is not None:
    from dlcore.figures.devices import device_speed_figure

    show_figure(
        device_speed_figure(
            comparison.labels,
            [result.samples_per_second for result in comparison.results],
            [result.seconds / result.epochs for result in comparison.results],
        ),
        key="check.speeds",
    )
    if not comparison.gpu_present:
        st.info(
            "No GPU is present on this machine, so only the CPU was timed. On a machine "
            "with an NVIDIA GPU and the CUDA build of TensorFlow (`make gpu`), each GPU "
            "gets a bar of its own, and two or more a mirrored bar too.",
            icon=":material/memory:",
        )
