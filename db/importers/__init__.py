"""Importers: each format becomes `AssetRecord`s; `pipeline.import_source` writes them in one go."""
