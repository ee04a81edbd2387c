"""The data map: connections, tables, identity columns, owned rows and erasure actions."""

from policykeeper.datamap.loading import load_datamap, read_datamap
from policykeeper.datamap.models import DataMap

__all__ = ["DataMap", "load_datamap", "read_datamap"]
