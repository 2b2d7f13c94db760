// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {VotesExtended} from "@openzeppelin/contracts/governance/utils/VotesExtended.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {PolisToken} from "./PolisToken.sol";

/// @title PolisTokenExt
/// @notice PolisToken with OpenZeppelin's VotesExtended: it also checkpoints each holder's delegate and
///         balance, which GovernorCountingOverridable reads to let a delegator override its delegate's vote.
contract PolisTokenExt is PolisToken, VotesExtended {
    constructor(string memory name_, string memory symbol_) PolisToken(name_, symbol_) {}

    function _delegate(address account, address delegatee) internal override(Votes, VotesExtended) {
        super._delegate(account, delegatee);
    }

    function _transferVotingUnits(address from, address to, uint256 amount) internal override(Votes, VotesExtended) {
        super._transferVotingUnits(from, to, amount);
    }

    function nonces(address owner) public view override(PolisToken, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
