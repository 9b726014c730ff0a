"""Flightdeck's PyTorch client: stream a training run to a Flightdeck bridge, with Cockpit instruments
computed by functorch.

    from flightdeck_client import open_stream, Instruments
"""
from .stream import Report, Stream, open_stream
from .instruments import ECONOMY, Instruments

__all__ = ["open_stream", "Stream", "Report", "Instruments", "ECONOMY"]
