"""The sensing simulator of the demo: devices of the demo city sending telemetry at an
accelerated clock, with injected faults and storms (docs/sensing/simulator.md)."""
