"""The languages the bot speaks: which one each person is written to in (`current`), the gettext
catalogues that hold every message in each (`catalogues`, looked after by `manage`), and dates and
numbers written each language's way (`formats`)."""
