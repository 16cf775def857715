"""Need matching: the needs taxonomy and the search engine that uses it."""
