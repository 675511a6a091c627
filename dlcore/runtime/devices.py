"""Devices: what hardware there is, TensorFlow's one-time set-up, placement and distribution.

Two views of the machine:

- `find_hardware()` reads the operating system (and `nvidia-smi` when it is there)
  without importing TensorFlow, so the sidebar can show it on pages that never train.
- `list_devices()` asks the Keras backend which devices it can really use. A GPU can
  be present and still unusable (`tensorflow-cpu`, no CUDA libraries): comparing the
  two views says so.

TensorFlow accepts device settings (memory growth, threads, logical devices) only
before its runtime starts, so `configure()` applies them once, first; every other
function here calls it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
import shutil
import subprocess
import threading
import warnings
from collections.abc import Iterator, Sequence
from importlib import metadata
from typing import Any, Literal

StrategyKind = Literal["multi_worker", "mirrored", "default"]


@dataclasses.dataclass(frozen=True)
class Device:
    """One compute device.

    Attributes:
        name: `"CPU:0"`, `"GPU:1"`: the name Keras and TensorFlow place work on.
        kind: `"CPU"` or `"GPU"`.
        description: the model name, e.g. `"AMD EPYC, 2 cores"` or `"NVIDIA H100 80GB HBM3"`.
        memory_bytes: the device's memory (system memory for the CPU), or None if unknown.
    """

    name: str
    kind: str
    description: str
    memory_bytes: int | None = None


@dataclasses.dataclass(frozen=True)
class Configuration:
    """The TensorFlow settings in effect, as applied by `configure()`.

    Attributes:
        memory_growth: whether GPUs allocate memory as needed instead of all at once.
        intra_op_threads: threads one operation may use (0: TensorFlow decides).
        inter_op_threads: operations that may run at once (0: TensorFlow decides).
        logical_cpus: how many logical CPU devices the CPU is split into (1: not split).
        note: why the requested settings could not all be applied, or None.
    """

    memory_growth: bool
    intra_op_threads: int
    inter_op_threads: int
    logical_cpus: int
    note: str | None = None


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where work runs, resolved from what was asked.

    Attributes:
        requested: what was asked: `"auto"`, `"cpu"` or `"gpu:N"`.
        device: the device used, e.g. `"CPU:0"` or `"GPU:0"`.
        note: why the request could not be honoured (shown to the person), or None.
    """

    requested: str
    device: str
    note: str | None = None

    @property
    def on_gpu(self) -> bool:
        return self.device.startswith("GPU")


# --- What is there -------------------------------------------------------------------


def keras_backend() -> str:
    """The Keras backend in use ("tensorflow", "jax", "torch"), read without importing Keras.

    Keras takes it from `KERAS_BACKEND`, else from `~/.keras/keras.json`, else TensorFlow.
    """
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    keras_home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    try:
        with open(os.path.join(keras_home, "keras.json")) as config_file:
            return json.load(config_file).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


@functools.cache
def library_versions() -> dict[str, str | None]:
    """Installed versions of the deep learning libraries, without importing them.

    Read once per process: the sidebar asks on every rerun, and what is installed does
    not change while the app runs. Treat the returned dict as read-only.

    Returns:
        `{"tensorflow": "2.21.0", "keras": "3.15.1", "jax": None, ...}`: None where absent.
    """
    distributions = {
        "tensorflow": ("tensorflow", "tensorflow-cpu", "tf-nightly"),
        "keras": ("keras",),
        "jax": ("jax",),
        "torch": ("torch",),
    }
    versions: dict[str, str | None] = {}
    for library, names in distributions.items():
        versions[library] = None
        for name in names:
            with contextlib.suppress(metadata.PackageNotFoundError):
                versions[library] = metadata.version(name)
                break
    return versions


@functools.cache
def find_hardware() -> tuple[Device, ...]:
    """The CPU and the NVIDIA GPUs of this machine, found without importing TensorFlow.

    Returns:
        The CPU first, then one `Device` per GPU that `nvidia-smi` reports.
    """
    return (_find_cpu(), *_find_nvidia_gpus())


def _find_cpu() -> Device:
    model = "CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_bytes = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return Device("CPU:0", "CPU", f"{model}, {usable_cores()} cores", memory_bytes)


def _find_nvidia_gpus() -> list[Device]:
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listing = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for index, line in enumerate(row for row in listing.splitlines() if row.strip()):
        name, _, memory_mib = line.rpartition(",")
        memory_bytes = int(memory_mib) * 2**20 if memory_mib.strip().isdigit() else None
        gpus.append(Device(f"GPU:{index}", "GPU", name.strip(), memory_bytes))
    return gpus


def usable_cores() -> int:
    """How many CPU cores this process may run on (its affinity, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def list_devices() -> list[Device]:
    """The devices the Keras backend can use, CPU first. Configures TensorFlow if needed.

    Returns:
        e.g. `[Device("CPU:0", ...)]` here; `[Device("CPU:0"), Device("GPU:0"), ...]` on
        a GPU machine with a CUDA build of the backend.
    """
    hardware = {device.name: device for device in find_hardware()}
    backend = keras_backend()
    if backend == "tensorflow":
        configure()
        import tensorflow as tf

        names = [
            f"{device.device_type}:{index}"
            for kind in ("CPU", "GPU")
            for index, device in enumerate(tf.config.list_logical_devices(kind))
        ]
    elif backend == "jax":
        import jax

        names = [f"{device.platform.upper()}:{device.id}" for device in jax.devices()]
        if not any(name.startswith("CPU") for name in names):
            names.insert(0, "CPU:0")
        names = [name.replace("CUDA", "GPU") for name in names]
    else:
        names = [name for name in hardware if name == "CPU:0"]
    return [_describe(name, hardware) for name in names]


def unusable_gpus() -> list[Device]:
    """GPUs the hardware has but the Keras backend cannot use (e.g. `tensorflow-cpu`)."""
    usable = {device.name for device in list_devices()}
    return [
        device for device in find_hardware() if device.kind == "GPU" and device.name not in usable
    ]


def _describe(name: str, hardware: dict[str, Device]) -> Device:
    """The hardware's description of a backend device; logical CPUs share the CPU's."""
    if name in hardware:
        return hardware[name]
    kind = name.split(":")[0]
    return Device(name, kind, hardware["CPU:0"].description if kind == "CPU" else kind)


# --- One-time TensorFlow set-up ------------------------------------------------------

# TensorFlow's runtime is one per process, so its configuration is too.
_configuration: Configuration | None = None
_configuration_lock = threading.Lock()


def configure(
    *,
    logical_cpus: int = 1,
    intra_op_threads: int | None = None,
    inter_op_threads: int | None = None,
) -> Configuration:
    """Apply TensorFlow's device settings once, before its runtime starts.

    GPUs get memory growth (so that several models, or browser sessions, can share one),
    and the thread pools are sized to the cores this process may use. Later calls return
    the configuration already in effect; if they ask for something else, they warn.

    Args:
        logical_cpus: split the CPU into this many logical devices (tests use 2 to exercise
            multi-device code without GPUs). Defaults to 1.
        intra_op_threads: threads one operation may use. Defaults to the usable cores.
        inter_op_threads: operations that may run at once. Defaults to
            `min(2, usable cores)`, which keeps small models from oversubscribing the CPU.

    Returns:
        The `Configuration` in effect. Its `note` says what could not be applied, for
        instance when TensorFlow had already started before this call.

    Raises:
        ValueError: if `logical_cpus` is below 1.
    """
    global _configuration
    if logical_cpus < 1:
        raise ValueError(f"logical_cpus must be at least 1. Received: logical_cpus={logical_cpus}")
    cores = usable_cores()
    wanted = Configuration(
        memory_growth=True,
        intra_op_threads=intra_op_threads if intra_op_threads is not None else cores,
        inter_op_threads=inter_op_threads if inter_op_threads is not None else min(2, cores),
        logical_cpus=logical_cpus,
    )
    with _configuration_lock:
        if _configuration is not None:
            asked_for_settings = (
                logical_cpus != 1 or intra_op_threads is not None or inter_op_threads is not None
            )
            if asked_for_settings and dataclasses.replace(_configuration, note=None) != wanted:
                warnings.warn(
                    "TensorFlow is already configured; the new settings are ignored. "
                    f"In effect: {_configuration}",
                    RuntimeWarning,
                    stacklevel=2,
                )
            return _configuration
        if keras_backend() != "tensorflow":
            _configuration = dataclasses.replace(
                wanted, note=f"Keras runs on {keras_backend()}; TensorFlow settings not applied."
            )
            return _configuration
        _configuration = _apply_tensorflow_settings(wanted)
        return _configuration


def _apply_tensorflow_settings(wanted: Configuration) -> Configuration:
    import tensorflow as tf

    try:
        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)
        tf.config.threading.set_intra_op_parallelism_threads(wanted.intra_op_threads)
        tf.config.threading.set_inter_op_parallelism_threads(wanted.inter_op_threads)
        if wanted.logical_cpus > 1:
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * wanted.logical_cpus
            )
    except RuntimeError as error:
        # Something used TensorFlow before us; report the settings it really runs with.
        return Configuration(
            memory_growth=False,
            intra_op_threads=tf.config.threading.get_intra_op_parallelism_threads(),
            inter_op_threads=tf.config.threading.get_inter_op_parallelism_threads(),
            logical_cpus=len(tf.config.list_logical_devices("CPU")),
            note=f"TensorFlow had already started, so its defaults apply ({error}).",
        )
    return wanted


def backend_started() -> bool:
    """Whether `configure()` has run in this process, so that device queries are cheap."""
    return _configuration is not None


# --- Placement and precision ---------------------------------------------------------

_PLACEMENT_PATTERN = re.compile(r"^(auto|cpu|gpu:(\d+))$")


def resolve_placement(requested: str = "auto", *, start_backend: bool = True) -> Placement:
    """Turn "auto", "cpu" or "gpu:N" into a device that exists.

    "auto" takes the first GPU if there is one, else the CPU. A GPU that is not there
    falls back to the CPU, with a note that says so; it never raises for that.

    Args:
        requested: "auto", "cpu" or "gpu:N" (case does not matter).
        start_backend: if False and the backend has not started yet, answer from the
            hardware instead of starting it (about 5 s for TensorFlow). The sidebar does
            this so that pages which never train stay fast. Defaults to True.

    Returns:
        The `Placement`, e.g. `Placement("gpu:1", "CPU:0", note="No GPU 1 ...")` here.

    Raises:
        ValueError: if `requested` is none of those forms.
    """
    request = requested.strip().lower()
    match = _PLACEMENT_PATTERN.match(request)
    if match is None:
        raise ValueError(
            'Expected a placement of "auto", "cpu" or "gpu:N" (N = 0, 1, ...). '
            f"Received: requested={requested!r}"
        )
    devices = list_devices() if start_backend or backend_started() else find_hardware()
    gpus = [device.name for device in devices if device.kind == "GPU"]
    if request == "auto":
        return Placement(request, gpus[0] if gpus else "CPU:0")
    if request == "cpu":
        return Placement(request, "CPU:0")
    wanted_gpu = f"GPU:{match.group(2)}"
    if wanted_gpu in gpus:
        return Placement(request, wanted_gpu)
    found = ", ".join(gpus) if gpus else "none"
    return Placement(
        request,
        "CPU:0",
        note=f"{wanted_gpu} is not available (GPUs found: {found}), so this runs on the CPU.",
    )


@contextlib.contextmanager
def placement(requested: str = "auto") -> Iterator[Placement]:
    """Run the enclosed Keras work on the requested device.

    Example:
        >>> with placement("gpu:0") as where:   # on a machine without a GPU
        ...     model.fit(x, y)                  # runs on the CPU, with a RuntimeWarning
        >>> where.device
        'CPU:0'

    Args:
        requested: "auto", "cpu" or "gpu:N", as in `resolve_placement`.

    Yields:
        The `Placement` in use; its `note` is also issued as a `RuntimeWarning`.
    """
    chosen = resolve_placement(requested)
    if chosen.note:
        warnings.warn(chosen.note, RuntimeWarning, stacklevel=3)
    import keras

    with keras.device(chosen.device.lower()):
        yield chosen


def precision_policy(chosen: Placement) -> str:
    """The Keras dtype policy for a placement: "mixed_float16" on a GPU, else "float32".

    Mixed precision speeds up GPUs with tensor cores and slows a CPU down.
    """
    return "mixed_float16" if chosen.on_gpu else "float32"


@contextlib.contextmanager
def precision_scope(chosen: Placement) -> Iterator[str]:
    """Build models inside with the dtype policy that suits the placement.

    Keras keeps its dtype policy per thread, so set it in the run that builds the model;
    the previous policy comes back on exit.

    Yields:
        The policy in effect, as `precision_policy(chosen)`.
    """
    import keras

    previous = keras.config.dtype_policy()
    policy = precision_policy(chosen)
    keras.config.set_dtype_policy(policy)
    try:
        yield policy
    finally:
        keras.config.set_dtype_policy(previous)


# --- Distribution --------------------------------------------------------------------


def strategy_kind(*, n_gpus: int, tf_config: str | None) -> StrategyKind:
    """Which `tf.distribute` strategy fits: the rule behind `distribution_strategy()`.

    Args:
        n_gpus: GPUs on this machine.
        tf_config: the `TF_CONFIG` environment variable, or None.

    Returns:
        "multi_worker" when TF_CONFIG describes a cluster of two or more tasks,
        "mirrored" for two or more GPUs, else "default".
    """
    if tf_config:
        try:
            cluster = json.loads(tf_config).get("cluster", {})
        except ValueError as error:
            raise ValueError(f"TF_CONFIG is not valid JSON. Received: {tf_config!r}") from error
        if sum(len(tasks) for tasks in cluster.values()) >= 2:
            return "multi_worker"
    return "mirrored" if n_gpus >= 2 else "default"


def spans_workers(strategy: Any) -> bool:
    """Whether a `tf.distribute.Strategy` trains across several machines (worker processes)."""
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def distribution_strategy(*, devices: Sequence[str] | None = None) -> Any:
    """The `tf.distribute.Strategy` that uses every device there is.

    MultiWorkerMirroredStrategy when `TF_CONFIG` describes a cluster; MirroredStrategy over
    the GPUs when there are two or more (or over `devices`, when given); otherwise the
    default strategy, which runs on one device. Build and compile the model inside
    `strategy.scope()`.

    Args:
        devices: mirror over exactly these devices, e.g. `["CPU:0", "CPU:1"]` after
            `configure(logical_cpus=2)`. Defaults to choosing from the machine.

    Returns:
        A `tf.distribute.Strategy`; `num_replicas_in_sync` says over how many devices.

    Note: Keras 3's `fit` does not work under MultiWorkerMirroredStrategy yet
    (keras-team/keras#20585): a multi-worker strategy serves custom training loops
    (`strategy.run`, `strategy.reduce`); `spans_workers()` tells the two apart.
    """
    configure()
    import tensorflow as tf

    if devices is not None and len(devices) >= 2:
        return tf.distribute.MirroredStrategy([f"/{device}" for device in devices])
    # Physical, not logical, devices: listing logical ones starts the runtime, and a
    # multi-worker strategy must set up its collective ops before that.
    n_gpus = len(tf.config.list_physical_devices("GPU"))
    kind = strategy_kind(n_gpus=n_gpus, tf_config=os.environ.get("TF_CONFIG"))
    if kind == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if kind == "mirrored":
        return tf.distribute.MirroredStrategy()  # every visible GPU
    return tf.distribute.get_strategy()
