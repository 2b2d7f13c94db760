"""The Textual front end. All behaviour lives in `wallet/`; screens only display and dispatch."""
