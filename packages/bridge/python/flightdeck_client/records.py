"""Builds schema messages from plain Python values (numbers, lists, dicts)."""
import math

from ._proto import envelope_pb2, quantity_pb2, run_pb2

RUN_STATUS = {
    "completed": envelope_pb2.RunFinished.COMPLETED,
    "diverged": envelope_pb2.RunFinished.DIVERGED,
    "failed": envelope_pb2.RunFinished.FAILED,
    "interrupted": envelope_pb2.RunFinished.INTERRUPTED,
}


def value_message(v):
    """A JSON-like Python value as a schema Value (None, bool, int, float, str, list)."""
    msg = run_pb2.Value()
    if v is None:
        msg.null = True
    elif isinstance(v, bool):
        msg.boolean = v
    elif isinstance(v, int):
        msg.integer = v
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"hyperparameter value {v} is not finite")
        msg.number = v
    elif isinstance(v, str):
        msg.text = v
    elif isinstance(v, (list, tuple)):
        msg.list.values.extend(value_message(x) for x in v)
    else:
        raise TypeError(f"cannot store a {type(v).__name__} as a hyperparameter value")
    return msg


def run_started(test_problem, optimizer, hyperparameters=None, seed=0, batch_size=0, num_epochs=0,
                parameter_names=(), dataset="", framework="pytorch", framework_version="", backend="cpu",
                host="", labels=None, training_params=None, instruments=None):
    msg = run_pb2.RunStarted(
        test_problem=test_problem, optimizer=optimizer, seed=seed, batch_size=batch_size, num_epochs=num_epochs,
        framework=framework, framework_version=framework_version, backend=backend, host=host, dataset=dataset,
    )
    msg.parameter_names.extend(parameter_names)
    for k, v in (hyperparameters or {}).items():
        msg.hyperparameters[k].CopyFrom(value_message(v))
    for k, v in (training_params or {}).items():
        msg.training_params[k].CopyFrom(value_message(v))
    for k, v in (labels or {}).items():
        msg.labels[k] = str(v)
    if instruments:
        msg.instruments.preset = instruments.get("preset", "")
        for name in instruments.get("quantities", ()):
            msg.instruments.quantities.add(name=name)
    return msg


def quantity_message(q):
    """A quantity dict {"name", "param"?, "for_step"?, and one of "scalar" | "vector" (+ "labels") |
    "histogram1d" {"edges","counts"} | "histogram2d" {"x_edges","y_edges","counts"}} as a schema Quantity."""
    msg = quantity_pb2.Quantity(name=q["name"], param=q.get("param", ""))
    if q.get("for_step") is not None:
        msg.for_step = int(q["for_step"])
    if "scalar" in q:
        msg.scalar = float(q["scalar"])
    elif "vector" in q:
        msg.vector.values.extend(float(x) for x in q["vector"])
        msg.vector.labels.extend(q.get("labels", ()))
    elif "histogram1d" in q:
        h = q["histogram1d"]
        msg.histogram1d.edges.extend(float(x) for x in h["edges"])
        msg.histogram1d.counts.extend(float(x) for x in h["counts"])
    elif "histogram2d" in q:
        h = q["histogram2d"]
        msg.histogram2d.x_edges.extend(float(x) for x in h["x_edges"])
        msg.histogram2d.y_edges.extend(float(x) for x in h["y_edges"])
        msg.histogram2d.counts.extend(float(x) for x in h["counts"])
    else:
        raise ValueError(f"quantity {q['name']} has no value")
    return msg
