// @flightdeck/bridge public API
