from store.kit import sqlite_state_url, state_url, store

__all__ = ["sqlite_state_url", "state_url", "store"]
