// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title PolisComp
/// @notice Devnet token with Compound's Comp voting interface, written for Polis tests: delegation
///         with block-number checkpoints read through `getCurrentVotes` / `getPriorVotes` (there is no
///         `getVotes`, `getPastVotes` or ERC-6372 clock), uint96 vote counts, and a configurable
///         number of decimals (Comp itself has 18; DAOs run such tokens with 6 or 8). The owner mints.
contract PolisComp is ERC20, Ownable {
    struct Checkpoint {
        uint32 fromBlock;
        uint96 votes;
    }

    uint8 private immutable _decimals;

    mapping(address => address) public delegates;
    mapping(address => mapping(uint32 => Checkpoint)) public checkpoints;
    mapping(address => uint32) public numCheckpoints;

    // Same signatures (and topics) as Comp's and OpenZeppelin's Votes events.
    event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate);
    event DelegateVotesChanged(address indexed delegate, uint256 previousBalance, uint256 newBalance);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) Ownable(msg.sender) {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Mint the same amount to every address in `to` (fast seeding).
    function mintBatch(address[] calldata to, uint256 amount) external onlyOwner {
        for (uint256 i = 0; i < to.length; ++i) {
            _mint(to[i], amount);
        }
    }

    function delegate(address delegatee) external {
        address current = delegates[msg.sender];
        delegates[msg.sender] = delegatee;
        emit DelegateChanged(msg.sender, current, delegatee);
        _moveDelegates(current, delegatee, _safe96(balanceOf(msg.sender)));
    }

    function getCurrentVotes(address account) external view returns (uint96) {
        uint32 n = numCheckpoints[account];
        return n > 0 ? checkpoints[account][n - 1].votes : 0;
    }

    /// @notice Votes of `account` at the end of block `blockNumber`, which must be in the past.
    function getPriorVotes(address account, uint256 blockNumber) public view returns (uint96) {
        require(blockNumber < block.number, "Comp::getPriorVotes: not yet determined");
        uint32 n = numCheckpoints[account];
        if (n == 0) return 0;
        if (checkpoints[account][n - 1].fromBlock <= blockNumber) return checkpoints[account][n - 1].votes;
        if (checkpoints[account][0].fromBlock > blockNumber) return 0;
        uint32 lower = 0;
        uint32 upper = n - 1;
        while (upper > lower) {
            uint32 center = upper - (upper - lower) / 2;
            Checkpoint memory cp = checkpoints[account][center];
            if (cp.fromBlock == blockNumber) return cp.votes;
            if (cp.fromBlock < blockNumber) lower = center;
            else upper = center - 1;
        }
        return checkpoints[account][lower].votes;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        require(totalSupply() <= type(uint96).max, "Comp: supply exceeds 96 bits");
        _moveDelegates(from == address(0) ? address(0) : delegates[from],
                       to == address(0) ? address(0) : delegates[to], _safe96(value));
    }

    function _moveDelegates(address src, address dst, uint96 amount) internal {
        if (src == dst || amount == 0) return;
        if (src != address(0)) {
            uint32 n = numCheckpoints[src];
            uint96 old = n > 0 ? checkpoints[src][n - 1].votes : 0;
            _writeCheckpoint(src, n, old, old - amount);
        }
        if (dst != address(0)) {
            uint32 n = numCheckpoints[dst];
            uint96 old = n > 0 ? checkpoints[dst][n - 1].votes : 0;
            _writeCheckpoint(dst, n, old, old + amount);
        }
    }

    function _writeCheckpoint(address delegatee, uint32 n, uint96 oldVotes, uint96 newVotes) internal {
        uint32 blockNumber = uint32(block.number);
        if (n > 0 && checkpoints[delegatee][n - 1].fromBlock == blockNumber) {
            checkpoints[delegatee][n - 1].votes = newVotes;
        } else {
            checkpoints[delegatee][n] = Checkpoint(blockNumber, newVotes);
            numCheckpoints[delegatee] = n + 1;
        }
        emit DelegateVotesChanged(delegatee, oldVotes, newVotes);
    }

    function _safe96(uint256 n) internal pure returns (uint96) {
        require(n <= type(uint96).max, "Comp: amount exceeds 96 bits");
        return uint96(n);
    }
}
