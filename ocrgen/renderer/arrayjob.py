"""The shard of an array job, from the scheduler's environment, so one job script serves every task."""

from __future__ import annotations

from collections.abc import Mapping

from ocrgen.renderer.planfile import Shard

SLURM_ID, SLURM_COUNT, SLURM_MIN, SLURM_MAX, SLURM_STEP = (
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
)
K8S_INDEX = "JOB_COMPLETION_INDEX"
K8S_COUNT = "OCRGEN_SHARD_COUNT"


def shard_from_environment(env: Mapping[str, str]) -> tuple[Shard, str] | None:
    """The shard and where it came from, or None outside an array job; ValueError on values that disagree."""
    slurm, k8s = SLURM_ID in env, K8S_INDEX in env or K8S_COUNT in env
    if slurm and k8s:
        raise ValueError(
            f"both {SLURM_ID} (SLURM) and {K8S_INDEX}/{K8S_COUNT} (Kubernetes) are set; unset one, or pass --shard K/N"
        )
    if slurm:
        return _slurm(env), f"{SLURM_ID}={env[SLURM_ID]}"
    if k8s:
        return _kubernetes(env), f"{K8S_INDEX}={env.get(K8S_INDEX)}"
    return None


def _slurm(env: Mapping[str, str]) -> Shard:
    """Task IDs run MIN, MIN+STEP, … MAX (`--array=1-8` starts at 1); shard K is the K-th task.

    A list with gaps (`--array=1,5,7`) has a MAX beyond COUNT tasks on the grid: every task refuses it,
    not only those past the grid, so no shard of the plan is rendered as a part of the wrong whole.
    """
    task, count = _integer(env, SLURM_ID), _integer(env, SLURM_COUNT, "is it an array job (sbatch --array)?")
    first, step = _integer(env, SLURM_MIN, default=0), _integer(env, SLURM_STEP, default=1)
    if SLURM_MAX in env and step >= 1 and _integer(env, SLURM_MAX) != first + (count - 1) * step:
        raise ValueError(
            f"{SLURM_MIN}={first} … {SLURM_MAX}={env[SLURM_MAX]} in steps of {step} is not {SLURM_COUNT}={count} "
            "tasks: array lists with gaps are not shards; use a range such as --array=0-7 for 8 shards, "
            "or pass --shard K/N"
        )
    if step < 1 or (task - first) % step:
        raise ValueError(
            f"{SLURM_ID}={task} is not on the grid {SLURM_MIN}={first}, {SLURM_STEP}={step}; "
            "use a plain range such as --array=0-7 for 8 shards, or pass --shard K/N"
        )
    index = (task - first) // step
    if count < 1 or not 0 <= index < count:
        raise ValueError(
            f"{SLURM_ID}={task} is task {index} of {SLURM_COUNT}={count} (counting from {SLURM_MIN}={first}); "
            "array lists with gaps are not shards: use a range such as --array=0-7 for 8 shards, or pass --shard K/N"
        )
    return Shard(index, count)


def _kubernetes(env: Mapping[str, str]) -> Shard:
    """An Indexed Job gives the index only; the count must come from OCRGEN_SHARD_COUNT (= spec.completions)."""
    if K8S_INDEX not in env:
        raise ValueError(f"{K8S_COUNT} is set but {K8S_INDEX} is not; run as an Indexed Job or pass --shard K/N")
    index = _integer(env, K8S_INDEX)
    count = _integer(env, K8S_COUNT, "set it to the Job's spec.completions (Kubernetes gives no count variable)")
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"{K8S_INDEX}={index} is out of range for {K8S_COUNT}={count}; K must be 0 … {count - 1}")
    return Shard(index, count)


def _integer(env: Mapping[str, str], name: str, hint: str = "", default: int | None = None) -> int:
    text = env.get(name)
    if text is None:
        if default is not None:
            return default
        raise ValueError(f"{name} is not set; {hint}" if hint else f"{name} is not set")
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a whole number") from None
