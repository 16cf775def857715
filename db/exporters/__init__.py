"""Exporters: the directory written back out as a coordinators' CSV or an Open Referral UK feed."""
