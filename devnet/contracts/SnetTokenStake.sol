// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title Window staking with SingularityNET's TokenStake (snet-stake phase 2) interface and semantics,
///        for the devnet.
/// @notice Written for Polis (not singnet's code) to behave as the deployed contract does, so tests meet
///         what users meet. Each stake window runs through: submission [startPeriod,
///         submissionEndPeriod] -> approval (operator may reject) until approvalEndPeriod -> incubation
///         (operator adds rewards) -> claim requests [requestWithdrawStartPeriod, endPeriod] -> after
///         endPeriod claims. An approved stake that is not requested for claim renews into the next
///         window; it can still be claimed once a grace time (endPeriod - requestWithdrawStartPeriod)
///         after endPeriod has passed. The facts that matter to a staker:
///         - one approved amount and one claimable amount per window per staker, and requestForClaim
///           ASSIGNS them (claimable[i] = approved, or approved = claimable[i]): an earlier value is lost;
///         - openForStake adds the window's reward to windowTotalStake, and a staker's reward is
///           stake * reward / (windowTotalStake - reward);
///         - rewards are funded by a plain token transfer to the contract; there is no approveStake
///           (computeAndAddReward approves what is pending) and rejectStake works on the current window only.
contract SnetTokenStake {
    struct StakePeriod {
        uint256 startPeriod;
        uint256 submissionEndPeriod;
        uint256 approvalEndPeriod;
        uint256 requestWithdrawStartPeriod;
        uint256 endPeriod;
        uint256 minStake;
        bool openForExternal;
        uint256 windowRewardAmount;
    }

    struct Staker {
        bool exist;
        uint256 pendingForApprovalAmount;
        uint256 approvedAmount;
        uint256 rewardComputeIndex;
        mapping(uint256 => uint256) claimableAmount;
    }

    IERC20 public immutable token;
    address public owner;
    address public tokenOperator;
    uint256 public currentStakeMapIndex;
    uint256 public windowTotalStake;
    mapping(uint256 => StakePeriod) public stakeMap;
    mapping(address => uint256) public balances;

    mapping(address => Staker) private stakers;
    address[] private stakeHolders;

    event NewOperator(address tokenOperator);
    event WithdrawToken(address indexed tokenOperator, uint256 amount);
    event OpenForStake(uint256 indexed stakeIndex, address indexed tokenOperator, uint256 startPeriod,
        uint256 endPeriod, uint256 approvalEndPeriod, uint256 rewardAmount);
    event SubmitStake(uint256 indexed stakeIndex, address indexed staker, uint256 stakeAmount);
    event RequestForClaim(uint256 indexed stakeIndex, address indexed staker, bool autoRenewal);
    event ClaimStake(uint256 indexed stakeIndex, address indexed staker, uint256 totalAmount);
    event RejectStake(uint256 indexed stakeIndex, address indexed staker, address indexed tokenOperator,
        uint256 returnAmount);
    event AddReward(address indexed staker, uint256 indexed stakeIndex, address tokenOperator,
        uint256 totalStakeAmount, uint256 rewardAmount, uint256 windowTotalStake);
    event WithdrawStake(uint256 indexed stakeIndex, address indexed staker, uint256 stakeAmount);

    modifier onlyOperator() {
        require(msg.sender == tokenOperator, "only the token operator");
        _;
    }

    constructor(address token_) {
        token = IERC20(token_);
        owner = msg.sender;
        tokenOperator = msg.sender;
    }

    function updateOperator(address newOperator) external {
        require(msg.sender == owner, "only the owner");
        require(newOperator != address(0), "zero operator");
        tokenOperator = newOperator;
        emit NewOperator(newOperator);
    }

    /// Reward funds come in by a plain token transfer to the contract (there is no deposit function).
    function withdrawToken(uint256 value) external onlyOperator {
        require(token.balanceOf(address(this)) >= value, "Not enough balance in the contract");
        require(token.transfer(msg.sender, value), "withdraw failed");
        emit WithdrawToken(msg.sender, value);
    }

    function openForStake(uint256 startPeriod, uint256 submissionEndPeriod, uint256 approvalEndPeriod,
        uint256 requestWithdrawStartPeriod, uint256 endPeriod, uint256 windowRewardAmount, uint256 minStake,
        bool openForExternal) external onlyOperator
    {
        require(startPeriod >= block.timestamp && startPeriod < submissionEndPeriod
            && submissionEndPeriod < approvalEndPeriod && approvalEndPeriod < requestWithdrawStartPeriod
            && requestWithdrawStartPeriod < endPeriod, "periods out of order");
        require(windowRewardAmount > 0 && minStake > 0, "reward and min stake must be positive");
        StakePeriod storage prev = stakeMap[currentStakeMapIndex];
        require(currentStakeMapIndex == 0
            || (block.timestamp > prev.approvalEndPeriod && startPeriod >= prev.requestWithdrawStartPeriod),
            "the current window is still in submission or approval");
        currentStakeMapIndex += 1;
        stakeMap[currentStakeMapIndex] = StakePeriod(startPeriod, submissionEndPeriod, approvalEndPeriod,
            requestWithdrawStartPeriod, endPeriod, minStake, openForExternal, windowRewardAmount);
        // The window's reward joins the total up front; reward shares divide by (total - reward).
        windowTotalStake += windowRewardAmount;
        emit OpenForStake(currentStakeMapIndex, msg.sender, startPeriod, endPeriod, approvalEndPeriod,
            windowRewardAmount);
    }

    function submitStake(uint256 stakeAmount) external {
        StakePeriod storage w = stakeMap[currentStakeMapIndex];
        require(currentStakeMapIndex > 0 && block.timestamp >= w.startPeriod
            && block.timestamp <= w.submissionEndPeriod && w.openForExternal, "not in a submission period");
        Staker storage s = stakers[msg.sender];
        require(stakeAmount > 0
            && stakeAmount + s.pendingForApprovalAmount + s.approvedAmount >= w.minStake, "below the minimum stake");
        require(token.transferFrom(msg.sender, address(this), stakeAmount), "token transfer failed");
        if (!s.exist) {
            s.exist = true;
            stakeHolders.push(msg.sender);
        }
        s.pendingForApprovalAmount += stakeAmount;
        balances[msg.sender] += stakeAmount;
        windowTotalStake += stakeAmount;
        emit SubmitStake(currentStakeMapIndex, msg.sender, stakeAmount);
    }

    /// Take back stake still pending approval, during the window's submission period.
    function withdrawStake(uint256 stakeMapIndex, uint256 stakeAmount) external {
        StakePeriod storage w = stakeMap[stakeMapIndex];
        require(block.timestamp >= w.startPeriod && block.timestamp <= w.submissionEndPeriod,
            "not in the submission period");
        Staker storage s = stakers[msg.sender];
        require(stakeAmount > 0 && stakeAmount <= s.pendingForApprovalAmount, "more than the pending stake");
        uint256 left = s.pendingForApprovalAmount - stakeAmount;
        require(left == 0 || left >= w.minStake, "what stays must reach the minimum stake");
        s.pendingForApprovalAmount = left;
        balances[msg.sender] -= stakeAmount;
        windowTotalStake -= stakeAmount;
        require(token.transfer(msg.sender, stakeAmount), "token transfer failed");
        emit WithdrawStake(stakeMapIndex, msg.sender, stakeAmount);
    }

    function rejectStake(uint256 stakeMapIndex, address staker) external onlyOperator {
        require(block.timestamp > stakeMap[stakeMapIndex].submissionEndPeriod && stakeMapIndex == currentStakeMapIndex,
            "Rejection at this point is not allowed");
        Staker storage s = stakers[staker];
        uint256 amount = s.pendingForApprovalAmount;
        require(amount > 0, "nothing pending");
        s.pendingForApprovalAmount = 0;
        balances[staker] -= amount;
        windowTotalStake -= amount;
        require(token.transfer(staker, amount), "token transfer failed");
        emit RejectStake(stakeMapIndex, staker, msg.sender, amount);
    }

    /// Approve what is pending and add the staker's share of the window reward (incubation period).
    function computeAndAddReward(uint256 stakeMapIndex, address staker) public onlyOperator returns (bool) {
        StakePeriod storage w = stakeMap[stakeMapIndex];
        require(block.timestamp > w.approvalEndPeriod && block.timestamp < w.requestWithdrawStartPeriod,
            "not in the incubation period");
        Staker storage s = stakers[staker];
        require((s.approvedAmount > 0 || s.pendingForApprovalAmount > 0) && s.rewardComputeIndex != stakeMapIndex,
            "no stake or reward already added");
        uint256 staked = s.approvedAmount + s.pendingForApprovalAmount;
        // windowTotalStake already holds the reward (openForStake): the share is over the stakes alone.
        uint256 reward = staked * w.windowRewardAmount / (windowTotalStake - w.windowRewardAmount);
        s.approvedAmount = staked + reward;
        s.pendingForApprovalAmount = 0;
        s.rewardComputeIndex = stakeMapIndex;
        balances[staker] += reward;
        emit AddReward(staker, stakeMapIndex, tokenOperator, staked + reward, reward, windowTotalStake);
        return true;
    }

    function updateRewards(uint256 stakeMapIndex, address[] calldata staker) external onlyOperator {
        for (uint256 i = 0; i < staker.length; i++) {
            require(computeAndAddReward(stakeMapIndex, staker[i]), "reward failed");
        }
    }

    /// Opt out (autoRenewal false: the approved stake becomes claimable after endPeriod) or back in.
    function requestForClaim(uint256 stakeMapIndex, bool autoRenewal) external {
        StakePeriod storage w = stakeMap[stakeMapIndex];
        Staker storage s = stakers[msg.sender];
        require((s.approvedAmount > 0 || s.claimableAmount[stakeMapIndex] > 0)
            && block.timestamp >= w.requestWithdrawStartPeriod && block.timestamp <= w.endPeriod,
            "Update to auto renewal at this point not allowed");
        require((autoRenewal && s.claimableAmount[stakeMapIndex] > 0) || (!autoRenewal && s.approvedAmount > 0),
            "Invalid auto renew request");
        // Assignments, as in the deployed contract: whatever the overwritten field held is gone.
        if (autoRenewal) {
            windowTotalStake += s.claimableAmount[stakeMapIndex];
            s.approvedAmount = s.claimableAmount[stakeMapIndex];
            s.claimableAmount[stakeMapIndex] = 0;
        } else {
            windowTotalStake -= s.approvedAmount;
            s.claimableAmount[stakeMapIndex] = s.approvedAmount;
            s.approvedAmount = 0;
        }
        emit RequestForClaim(stakeMapIndex, msg.sender, autoRenewal);
    }

    function claimStake(uint256 stakeMapIndex) external {
        StakePeriod storage w = stakeMap[stakeMapIndex];
        Staker storage s = stakers[msg.sender];
        uint256 grace = w.endPeriod - w.requestWithdrawStartPeriod;
        uint256 amount;
        if (block.timestamp > w.endPeriod && s.claimableAmount[stakeMapIndex] > 0) {
            amount = s.claimableAmount[stakeMapIndex];
            s.claimableAmount[stakeMapIndex] = 0;
        } else if (block.timestamp > w.endPeriod + grace && s.approvedAmount > 0) {
            amount = s.approvedAmount;
            s.approvedAmount = 0;
            windowTotalStake -= amount;
        } else {
            revert("nothing to claim in this period");
        }
        balances[msg.sender] -= amount;
        require(token.transfer(msg.sender, amount), "token transfer failed");
        emit ClaimStake(stakeMapIndex, msg.sender, amount);
    }

    function getStakeHolders() external view returns (address[] memory) {
        return stakeHolders;
    }

    function getStakeInfo(uint256 stakeMapIndex, address staker) external view returns (bool found,
        uint256 approvedAmount, uint256 pendingForApprovalAmount, uint256 rewardComputeIndex, uint256 claimableAmount)
    {
        Staker storage s = stakers[staker];
        return (s.exist, s.approvedAmount, s.pendingForApprovalAmount, s.rewardComputeIndex,
            s.claimableAmount[stakeMapIndex]);
    }
}
