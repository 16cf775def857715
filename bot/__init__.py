"""People Zones Connect: the application (handlers, domain services and the command line)."""

__version__ = "0.1.0"
