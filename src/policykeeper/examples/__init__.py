"""Example services' databases: schemas and synthetic data for the demo, tests and benchmark."""
