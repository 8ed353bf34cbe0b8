"""Social Missions: the extraction engine and the missions service built on it."""

__version__ = "0.1.0"
