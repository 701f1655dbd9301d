"""cityops — 城市运行一网统管平台: one case loop for everything a city must handle."""

__version__ = "0.1.0"
