"""The one layer the CLI, the TUI and batch runs call: requests → plans, proposal views, statuses,
time formats. Modules here read the archive and the adapters' declared facts; they never import
Textual, screens or the CLI, and they import their own dependencies lazily (`polis --help` loads none).

- `requests`: a request (vote, delegate, stake, unstake, move, claim, withdraw) → the adapter's checked
  plan, and the one "a final vote cannot be changed" rule.
- `proposals`: a proposal's detail view (tally, quorum counted per the adapter's `quorum_choices`,
  timeline, my vote, decoded actions).
- `proposal_state`, `plan_context`, `tally_view`: the archived state of a proposal, what a vote plan says
  first, how a tally is drawn.
- `positions`: stake and delegation positions of the vault's accounts.
- `power`: an account's current delegation and voting power on each followed source.
- `timefmt`: relative and absolute times ("in 2d", "3h ago", "2026-01-02 03:04 UTC").
- `addresses`: the address forms of the vault's accounts on every network.
"""
