"""PolicyKeeper: one declaration of a privacy policy, kept true in the service's own systems."""

__version__ = "0.1.0"
