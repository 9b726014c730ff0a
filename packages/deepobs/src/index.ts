// @flightdeck/deepobs public API
