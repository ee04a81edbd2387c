"""Processors reached through their HTTP APIs, each described by a declarative configuration."""

from policykeeper.connectors.client import ConnectorClient, ConnectorError
from policykeeper.connectors.config import ConnectorConfig, RetryPolicy
from policykeeper.connectors.loading import load_connector, shipped_connectors

__all__ = [
    "ConnectorClient",
    "ConnectorConfig",
    "ConnectorError",
    "RetryPolicy",
    "load_connector",
    "shipped_connectors",
]
