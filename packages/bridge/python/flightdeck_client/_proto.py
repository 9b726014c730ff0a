"""The Flightdeck schema's Python classes, generated from proto/flightdeck/v1 by protoc.

They live in ./generated (not in git); `npx nx run @flightdeck/bridge:codegen-python` makes them.
"""
import os
import sys

_GENERATED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated")
if not os.path.isfile(os.path.join(_GENERATED, "flightdeck", "v1", "envelope_pb2.py")):
    raise ImportError(
        f"flightdeck_client: the schema classes are missing from {_GENERATED}; "
        "run `npx nx run @flightdeck/bridge:codegen-python` (needs protoc)"
    )
if _GENERATED not in sys.path:
    # protoc writes absolute imports (`from flightdeck.v1 import ...`), so its output folder must be importable.
    sys.path.insert(0, _GENERATED)

from flightdeck.v1 import envelope_pb2, quantity_pb2, run_pb2, transport_pb2  # noqa: E402

SCHEMA_VERSION = 1

__all__ = ["envelope_pb2", "quantity_pb2", "run_pb2", "transport_pb2", "SCHEMA_VERSION"]
