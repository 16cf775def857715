"""Regenerate the small reference tables the product ships, from the shared data beside the project.

`../shared/data` is on developer machines and in CI but not on a user's machine, so the bot reads
compact tables committed under `db/data/` instead. This package is how those tables are made:

    python -m db.reference --shared ../shared/data --out db/data

It writes `postcode_districts.csv` (+ its attribution), and `demo_directory.csv`: real LLR
libraries, GP practices and food banks (facts only), followed by the hand-written invented rows
of `demo_examples.csv`. Output is deterministic: running it twice gives the same bytes.

Modules: `common` (CSV and cell helpers), `postcodes`, `libraries`, `gp_practices`, `foodbanks`
(one per source), `demo` (merging and checking the directory rows) and `build` (the entry point).
"""
