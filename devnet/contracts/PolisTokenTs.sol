// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PolisToken} from "./PolisToken.sol";

/// @title PolisTokenTs
/// @notice PolisToken on an ERC-6372 timestamp clock (block.timestamp) instead of block numbers.
contract PolisTokenTs is PolisToken {
    constructor(string memory name_, string memory symbol_) PolisToken(name_, symbol_) {}

    /// @notice ERC-6372: the clock is the block timestamp.
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock description.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public view override returns (string memory) {
        return "mode=timestamp";
    }
}
