"""The one layer the CLI, the TUI and batch runs call: requests → plans, proposal views, statuses,
time formats. Modules here read the archive and the adapters' declared facts; they never import
Textual, screens or the CLI."""
