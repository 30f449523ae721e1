"""Reading and writing blueprints: YAML and JSON files, plain dicts, node-link
data and networkx graphs.
"""

from servicebp.io._files import (
    FORMAT_VERSION,
    dumps,
    from_dict,
    from_networkx,
    from_node_link,
    load,
    loads,
    save,
    schema,
    to_dict,
    to_networkx,
    to_node_link,
)

__all__ = [
    "FORMAT_VERSION",
    "dumps",
    "from_dict",
    "from_networkx",
    "from_node_link",
    "load",
    "loads",
    "save",
    "schema",
    "to_dict",
    "to_networkx",
    "to_node_link",
]
