// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The views of SingularityNET's phase-1 TokenStake (interest-rate windows), for the devnet.
/// @notice Only what a reader meets: the same selectors as phase 2 (`currentStakeMapIndex()`,
///         `stakeMap(uint256)`, `getStakeInfo(uint256,address)`) answering phase 1's layouts — a window of
///         five words (start, end, approvalEnd, interestRate, interestRateDecimals) and a stake info of
///         eleven — and no `windowTotalStake()`. Polis must refuse it instead of misreading its amounts.
contract SnetTokenStakePhase1 {
    struct StakePeriod {
        uint256 startPeriod;
        uint256 endPeriod;
        uint256 approvalEndPeriod;
        uint256 interestRate;
        uint256 interestRateDecimals;
    }

    uint256 public currentStakeMapIndex;
    uint256 public totalStake;
    mapping(uint256 => StakePeriod) public stakeMap;

    constructor() {
        currentStakeMapIndex = 1;
        stakeMap[1] = StakePeriod(block.timestamp, block.timestamp + 1000, block.timestamp + 2000, 5, 2);
    }

    function getStakeInfo(uint256 stakeMapIndex, address) external view returns (bool found, uint256 startPeriod,
        uint256 endPeriod, uint256 approvalEndPeriod, uint256 interestRate, uint256 interestRateDecimals,
        uint256 amount, uint256 stakedAmount, uint256 approvedAmount, uint8 status, uint256 stakeIndex)
    {
        StakePeriod storage p = stakeMap[stakeMapIndex];
        return (false, p.startPeriod, p.endPeriod, p.approvalEndPeriod, p.interestRate, p.interestRateDecimals,
            0, 0, 0, 0, 0);
    }
}
