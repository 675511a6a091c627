"""The wait for a first Train: a training job sent to a worker that is still starting (cold)
against the same job on a warm worker.

A worker loads TensorFlow as it starts, which takes seconds. The app hides that wait by
starting its pool with the first visit to any page (app.py): by the time a person has
opened a trainer page and chosen settings, the worker is warm. The job here is the
Playground's default, 20 epochs, as a first Train on that page sends it.
"""

import time

from bench.report import Figure
from dlcore.jobs import JobSpec
from dlcore.jobs.local import LocalPool
from dlcore.trainers import playground

EPOCHS = 20


def _seconds_to_train(pool: LocalPool) -> float:
    """From submitting the Playground's first job to its result on the page's side."""
    started = time.perf_counter()
    pool.submit(JobSpec("playground", playground.Config(), epochs=EPOCHS)).follow({})
    return time.perf_counter() - started


def run() -> list[Figure]:
    pool = LocalPool(1)
    try:
        cold = _seconds_to_train(pool)
        warm = _seconds_to_train(pool)
    finally:
        pool.close()
    print(f"  first Train on a starting worker {cold:.1f} s, on a warm one {warm:.1f} s")
    return [
        Figure(
            f"jobs: first Train ({EPOCHS} Playground epochs) on a worker still starting "
            "(what starting the pool with the first visit hides)",
            cold,
            "s",
        ),
        Figure(f"jobs: first Train ({EPOCHS} Playground epochs) on a warm worker", warm, "s"),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.as_row())
