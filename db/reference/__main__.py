"""`python -m db.reference`: regenerate the tables in db/data."""

from db.reference.build import main

raise SystemExit(main())
