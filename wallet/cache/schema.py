"""Versioned schema. Each migration is a list of statements; PRAGMA user_version holds the version.

Big integers (wei weights, uint256 ids) are stored as decimal TEXT: they overflow SQLite's int64.
Sorting such a column numerically: ORDER BY length(col), col.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: the first archive
    [
        """CREATE TABLE sources (
            id TEXT PRIMARY KEY,            -- "ethereum/compound", "akash"
            network TEXT NOT NULL,
            family TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT '',  -- adapter detail: oz | bravo | ...
            chain_id TEXT NOT NULL DEFAULT '',
            cursor INTEGER,                 -- last block (or point) fully synced
            head INTEGER,                   -- chain head seen at the last sync
            synced_at INTEGER,              -- unix seconds of the last finished sync
            extra TEXT NOT NULL DEFAULT '{}'
        )""",
        """CREATE TABLE proposals (
            pk INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            id TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL DEFAULT '',
            proposer TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            native_status TEXT NOT NULL DEFAULT '',
            created_at INTEGER,
            start_ts INTEGER,
            end_ts INTEGER,
            start_point INTEGER,
            end_point INTEGER,
            clock TEXT NOT NULL DEFAULT '',
            quorum TEXT,
            choices TEXT NOT NULL DEFAULT '[]',
            tally TEXT NOT NULL DEFAULT '[]',
            actions TEXT NOT NULL DEFAULT '[]',
            queued_eta INTEGER,
            executed_at INTEGER,
            canceled_at INTEGER,
            created_block INTEGER,
            queued_block INTEGER,
            executed_block INTEGER,
            canceled_block INTEGER,
            vote_count INTEGER NOT NULL DEFAULT 0,
            updated_at INTEGER,
            extra TEXT NOT NULL DEFAULT '{}',
            UNIQUE (source, id)
        )""",
        "CREATE INDEX proposals_status ON proposals (status, end_ts)",
        "CREATE INDEX proposals_created ON proposals (created_at DESC)",
        """CREATE TABLE votes (
            source TEXT NOT NULL,
            proposal_id TEXT NOT NULL,
            voter TEXT NOT NULL,
            choice TEXT NOT NULL,
            weight TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            block INTEGER,
            tx TEXT,
            log_index INTEGER,
            timestamp INTEGER,
            PRIMARY KEY (source, proposal_id, voter)
        ) WITHOUT ROWID""",
        # No secondary index on votes: lookups of "my vote" use the primary key (source, proposal_id,
        # voter), and each index costs ~4 µs per inserted vote during sync. Reorg rollbacks scan.
        # WITHOUT ROWID tables keep their primary-key columns first: SQLite 3.40's integrity_check
        # reports false "NULL value" errors otherwise.
        """CREATE TABLE delegation_events (
            source TEXT NOT NULL,
            block INTEGER NOT NULL,
            log_index INTEGER NOT NULL,
            delegator TEXT NOT NULL,
            from_delegate TEXT NOT NULL,
            to_delegate TEXT NOT NULL,
            PRIMARY KEY (source, block, log_index)
        ) WITHOUT ROWID""",
        "CREATE INDEX delegation_events_delegator ON delegation_events (source, delegator, block)",
        """CREATE TABLE power_events (
            source TEXT NOT NULL,
            block INTEGER NOT NULL,
            log_index INTEGER NOT NULL,
            delegate TEXT NOT NULL,
            previous TEXT NOT NULL,
            votes TEXT NOT NULL,
            PRIMARY KEY (source, block, log_index)
        ) WITHOUT ROWID""",
        "CREATE INDEX power_events_delegate ON power_events (source, delegate, block)",
        """CREATE TABLE block_hashes (
            source TEXT NOT NULL,
            number INTEGER NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (source, number)
        ) WITHOUT ROWID""",
        """CREATE TABLE journal (
            id INTEGER PRIMARY KEY,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            batch TEXT,
            account TEXT NOT NULL,
            address TEXT NOT NULL,
            network TEXT NOT NULL,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL,            -- planned | signed | sent | confirmed | failed
            tx_hash TEXT,
            summary TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{}',
            error TEXT
        )""",
        "CREATE INDEX journal_state ON journal (state)",
        """CREATE VIRTUAL TABLE proposals_fts USING fts5(
            title, body, content='proposals', content_rowid='pk', tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER proposals_ai AFTER INSERT ON proposals BEGIN
            INSERT INTO proposals_fts(rowid, title, body) VALUES (new.pk, new.title, new.body);
        END""",
        """CREATE TRIGGER proposals_ad AFTER DELETE ON proposals BEGIN
            INSERT INTO proposals_fts(proposals_fts, rowid, title, body) VALUES ('delete', old.pk, old.title, old.body);
        END""",
        """CREATE TRIGGER proposals_au AFTER UPDATE OF title, body ON proposals BEGIN
            INSERT INTO proposals_fts(proposals_fts, rowid, title, body) VALUES ('delete', old.pk, old.title, old.body);
            INSERT INTO proposals_fts(rowid, title, body) VALUES (new.pk, new.title, new.body);
        END""",
    ],
    # 2: staking state shared by every family (Cosmos delegations, Bittensor stakes, SNET windows)
    [
        """CREATE TABLE stakes (
            source TEXT NOT NULL,
            address TEXT NOT NULL,
            target TEXT NOT NULL,           -- validator / hotkey / stake window
            subtarget TEXT NOT NULL DEFAULT '',  -- netuid on Bittensor
            kind TEXT NOT NULL DEFAULT 'staked', -- staked | unbonding | redelegating | pending | claimable
            amount TEXT NOT NULL,
            rewards TEXT NOT NULL DEFAULT '0',
            completes_at INTEGER,
            extra TEXT NOT NULL DEFAULT '{}',
            updated INTEGER NOT NULL,
            PRIMARY KEY (source, address, target, subtarget, kind, completes_at)
        )""",
        """CREATE TABLE stake_targets (
            source TEXT NOT NULL,
            id TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT '',
            commission TEXT NOT NULL DEFAULT '',
            power TEXT,
            extra TEXT NOT NULL DEFAULT '{}',
            updated INTEGER NOT NULL,
            PRIMARY KEY (source, id)
        ) WITHOUT ROWID""",
        """CREATE TABLE stake_events (
            source TEXT NOT NULL,
            address TEXT NOT NULL,
            kind TEXT NOT NULL,             -- stake | unstake | move | claim | reward | submit | withdraw …
            target TEXT NOT NULL DEFAULT '',
            subtarget TEXT NOT NULL DEFAULT '',
            amount TEXT NOT NULL DEFAULT '0',
            block INTEGER,
            tx TEXT,
            timestamp INTEGER,
            extra TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX stake_events_addr ON stake_events (address, source, block)",
        """CREATE TABLE balances (
            source TEXT NOT NULL,
            address TEXT NOT NULL,
            denom TEXT NOT NULL,
            amount TEXT NOT NULL,
            updated INTEGER NOT NULL,
            PRIMARY KEY (source, address, denom)
        ) WITHOUT ROWID""",
    ],
    # 3: look-ups by proposal id alone (`proposals show ID`, unique prefixes) without a table scan
    [
        "CREATE INDEX proposals_id ON proposals (id)",
        "CREATE INDEX proposals_end ON proposals (end_ts)",
    ],
    # 4: every partial vote of a fractional Governor (GovernorCountingFractional) with its split; the
    # voter's row in `votes` holds their total so far (choice "split" when the parts differ)
    [
        """CREATE TABLE vote_parts (
            source TEXT NOT NULL,
            proposal_id TEXT NOT NULL,
            voter TEXT NOT NULL,
            block INTEGER NOT NULL,
            log_index INTEGER NOT NULL,
            against TEXT NOT NULL,
            for_weight TEXT NOT NULL,
            abstain TEXT NOT NULL,
            weight TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            tx TEXT,
            timestamp INTEGER,
            PRIMARY KEY (source, proposal_id, voter, block, log_index)
        ) WITHOUT ROWID""",
    ],
    # 5: the latest fork simulation of a proposal (`polis proposals simulate`); a new one replaces it
    [
        """CREATE TABLE simulations (
            source TEXT NOT NULL,
            proposal_id TEXT NOT NULL,
            created INTEGER NOT NULL,       -- unix seconds
            block INTEGER NOT NULL,         -- the forked block
            head_hash TEXT NOT NULL,
            path TEXT NOT NULL,             -- governor | executor
            ok INTEGER NOT NULL,            -- every action succeeded
            summary TEXT NOT NULL,
            report TEXT NOT NULL,           -- the whole report as JSON
            PRIMARY KEY (source, proposal_id)
        ) WITHOUT ROWID""",
    ],
    # 6: names of addresses (ENS reverse records, checked forward) for display offline; name '' = none
    [
        """CREATE TABLE names (
            network TEXT NOT NULL,
            address TEXT NOT NULL,          -- lower-case
            name TEXT NOT NULL DEFAULT '',
            resolved_at INTEGER NOT NULL,
            PRIMARY KEY (network, address)
        ) WITHOUT ROWID""",
    ],
    # 7: a source's network kind is its `protocol` (evm, cosmos, substrate, snapshot), as in the networks files
    [
        "ALTER TABLE sources RENAME COLUMN family TO protocol",
    ],
    # 8: the signed bytes (hex) of an unfinished send, so settling it can send the very same bytes again
    # (a Cosmos tx killed before its broadcast is otherwise "not found" whether it was sent or not)
    [
        "ALTER TABLE journal ADD COLUMN raw TEXT",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
