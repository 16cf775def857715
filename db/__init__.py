"""Persistence: models, sessions, migrations, importers and exporters for People Zones Connect."""
