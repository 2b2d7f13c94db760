"""The commented example plan `polis batch template` prints (TOML), and its JSON twin."""

from __future__ import annotations

TOML = '''# A Polis batch plan. Check it offline:   polis batch check weekly.toml
# Simulate every action against the nodes: polis batch check weekly.toml --dry-run
# Run it unattended (cron, CI):             polis batch run weekly.toml --yes --passphrase-file ~/.polis-pass
# After a crash or kill, finish the rest:   polis batch resume --yes --passphrase-file ~/.polis-pass
# Amounts are strings in the network's unit ("1.5 AKT") or base unit ("1500000uakt"); never floats.

version = 1
name = "weekly governance"

[defaults]
account = "ops"                      # vault account of every action that names none

[defaults.networks.akash]
account = "ops"
options = { memo = "polis weekly batch" }

[policy]
allowed_networks = ["ethereum", "akash", "fetchai", "bittensor", "snapshot"]
max_actions = 200

[policy.max_amount]                  # the most one action may move, per network
akash = "500 AKT"
bittensor = "10 TAO"

[policy.max_fee]                     # the most one transaction's fee may reach (default: the network's max_fee)
ethereum = "0.02 ETH"

[run]
messages_per_tx = 20                 # Cosmos: up to 20 actions share one transaction and one fee
timeout = 180                        # seconds to wait for inclusion before reporting "pending"
offchain_interval = 1.0              # seconds between Snapshot posts

# --- votes ------------------------------------------------------------------------------------
[[actions]]
kind = "vote"
network = "ethereum/compound"        # an EVM Governor: for / against / abstain
proposal = "412"
choice = "for"
reason = "Milestones are clear; the budget is modest."

[[actions]]
kind = "vote"
network = "akash"                    # Cosmos gov: yes / no / abstain / no_with_veto
proposal = "341"
choice = "yes"

[[actions]]
kind = "vote"
network = "fetchai"
proposal = "57"
weights = { yes = "0.7", abstain = "0.3" }   # a weighted vote where the chain allows it

[[actions]]
kind = "vote"
network = "snapshot/ens.eth"         # Snapshot: the choice number(s) of the proposal
proposal = "0x1e5fdb5c87867a94c1c7f27025d62851ea47f6072f2296ca53a48fce1b87cdef"
choice = "1"

# --- voting power and stake -------------------------------------------------------------------
[[actions]]
kind = "delegate"
network = "ethereum/compound"
to = "self"                          # or a checksummed 0x address

[[actions]]
kind = "stake"
network = "akash"
target = "akashvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy0gf0t"
amount = "25 AKT"

[[actions]]
kind = "move"                        # redelegate (Cosmos) / move_stake (Bittensor)
network = "akash"
target = "akashvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy0gf0t"
to = "akashvaloper1..."
amount = "all"

[[actions]]
kind = "unstake"
network = "bittensor"
target = "5F...hotkey"
subnet = "1"
amount = "0.5 TAO"

[[actions]]
kind = "claim"                       # withdraw staking rewards (all validators when no target)
network = "akash"
'''

JSON = '''{
  "version": 1,
  "name": "weekly governance",
  "defaults": {"account": "ops", "networks": {"akash": {"options": {"memo": "polis weekly batch"}}}},
  "policy": {"allowed_networks": ["ethereum", "akash"], "max_amount": {"akash": "500 AKT"}},
  "run": {"messages_per_tx": 20, "timeout": 180},
  "actions": [
    {"kind": "vote", "network": "ethereum/compound", "proposal": "412", "choice": "for",
     "reason": "Milestones are clear; the budget is modest."},
    {"kind": "vote", "network": "akash", "proposal": "341", "choice": "yes"},
    {"kind": "delegate", "network": "ethereum/compound", "to": "self"},
    {"kind": "stake", "network": "akash", "target": "akashvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy0gf0t",
     "amount": "25 AKT"},
    {"kind": "claim", "network": "akash"}
  ]
}
'''
