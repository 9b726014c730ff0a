// @flightdeck/cockpit public API
