"""shipstation-mcp: an MCP server that answers "where is my order?" from a ShipStation account."""

__version__ = "0.1.0"
